// ByteTrack over real detections: yolox_nano on the HCMC intersection clip through the real camera pipeline
// (ffmpeg, 5 fps, realtime false). The pool records each frame's detections; ByteTrack and the IoU tracker then
// run over the same frames, so the figures compare trackers on identical input. Bounds are sanity bounds on
// ratios computed from this run, not numbers copied from an earlier run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.ts';
import { CameraPipeline } from '../../edge/camera-pipeline.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import type { Detection } from '../../edge/detect/detection.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import { DetectorPool } from '../../edge/detect/detector-pool.ts';
import { detectorConfig } from '../../edge/detect/detector-schema.ts';
import { loadDetector } from '../../edge/detect/load-detector.ts';
import type { Frame } from '../../edge/ingest/frame.ts';
import { resolveSourceUrl } from '../../edge/ingest/source-url.ts';
import { ByteTrack } from '../../edge/track/byte-track.ts';
import { IouTracker } from '../../edge/track/iou-tracker.ts';
import type { Track, Tracker } from '../../edge/track/track.ts';
import { DEFAULT_TRACKER } from '../../edge/track/tracker-schema.ts';
import { logger } from '../../lib/log.ts';
import { tempDir } from '../helpers/fixtures.ts';

interface RecordedFrame {
  tsMs: number;
  detections: Detection[];
}

class RecordingPool extends DetectorPool {
  readonly frames: RecordedFrame[] = [];
  override async run(frame: Frame) {
    const result = await super.run(frame);
    this.frames.push({ tsMs: frame.tsMs, detections: result.detections });
    return result;
  }
}

/** Detector threshold below trackThresh so ByteTrack's low-score stage has boxes to work with. */
const DETECTOR_CONFIDENCE = 0.1;

interface Run {
  /** Per frame, snapshots of the tracks returned. */
  perFrame: Track[][];
  /** id -> frames in which the track was returned confirmed. */
  confirmedFrames: Map<number, number>;
}

function runTracker(tracker: Tracker, frames: readonly RecordedFrame[], minScore: number): Run {
  const perFrame: Track[][] = [];
  const confirmedFrames = new Map<number, number>();
  for (const f of frames) {
    const tracks = tracker.update(
      f.detections.filter((d) => d.score >= minScore),
      f.tsMs,
    );
    perFrame.push(tracks.map((t) => ({ ...t, boxXyxyNorm: [...t.boxXyxyNorm], path: [...t.path] })));
    for (const t of tracks) if (t.confirmed) confirmedFrames.set(t.id, (confirmedFrames.get(t.id) ?? 0) + 1);
  }
  return { perFrame, confirmedFrames };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
};

describe('ByteTrack on the HCMC intersection clip', () => {
  let detector: Detector;
  let frames: RecordedFrame[] = [];

  beforeAll(async () => {
    const dc = detectorConfig({ model: 'yolox_nano', confidence: DETECTOR_CONFIDENCE, intraOpThreads: 1 });
    detector = (await loadDetector(dc, { dataDir: tempDir() })).detector;
    const cfg = parseConfig(
      `
site: s1
cameras:
  - id: cam-track
    source: { url: media:hcmc_intersection_1080p.mp4, realtime: false, loop: false }
    ring: { enabled: false }
    fps: 5
`,
      'track-clip.yaml',
      EdgeConfigSchema,
      { env: {} },
    );
    const camera = cfg.cameras[0]!;
    const pool = new RecordingPool(detector);
    const pipeline = new CameraPipeline({
      site: 's1',
      camera,
      source: resolveSourceUrl(camera.source.url),
      pool,
      timezone: 'Asia/Ho_Chi_Minh',
      log: logger('test', { camera: camera.id }),
      emitEvent: () => undefined,
      emitStatus: () => undefined,
    });
    pipeline.start();
    await pipeline.ended;
    await pipeline.stop();
    frames = pool.frames;
  }, 120_000);

  afterAll(async () => {
    await detector?.close();
  });

  it('processed the clip at 5 fps with real detections', () => {
    // 10.4 s clip at 5 fps; frame times follow the stream clock, not the (faster) wall clock.
    expect(frames.length).toBeGreaterThanOrEqual(45);
    const spanMs = frames.at(-1)!.tsMs - frames[0]!.tsMs;
    expect(spanMs / (frames.length - 1)).toBeGreaterThan(150);
    expect(spanMs / (frames.length - 1)).toBeLessThan(250);
    expect(frames.reduce((n, f) => n + f.detections.length, 0) / frames.length).toBeGreaterThan(5);
  });

  it('keeps identities stable: far fewer confirmed ids than detections, long-lived tracks', () => {
    const run = runTracker(new ByteTrack(), frames, DETECTOR_CONFIDENCE);
    const detections = frames.reduce((n, f) => n + f.detections.length, 0);
    const ids = [...run.confirmedFrames.keys()];
    const lifetimes = [...run.confirmedFrames.values()];
    expect(ids.length).toBeGreaterThan(3);
    // Each confirmed id stands for many detections (a vehicle seen over many frames), not one per box.
    expect(ids.length * 10).toBeLessThan(detections);
    // The median confirmed track lives for at least a fifth of the clip.
    expect(median(lifetimes)).toBeGreaterThanOrEqual(Math.floor(frames.length / 5));
  });

  it('is more stable than the greedy IoU tracker on the same detections', () => {
    const minScore = 0.3; // the IoU tracker has no low-score stage; give both the default detector cut
    const byte = runTracker(new ByteTrack(), frames, minScore);
    const iou = runTracker(new IouTracker(), frames, minScore);
    expect(byte.confirmedFrames.size).toBeLessThan(iou.confirmedFrames.size);
    expect(median([...byte.confirmedFrames.values()])).toBeGreaterThan(
      median([...iou.confirmedFrames.values()]),
    );
  });

  it('honours the Tracker contract on real data', () => {
    const run = runTracker(new ByteTrack(), frames, DETECTOR_CONFIDENCE);
    let maxId = 0;
    let lowScoreContinuations = 0;
    run.perFrame.forEach((tracks, i) => {
      const dets = frames[i]!.detections;
      // Each id at most once per frame.
      expect(new Set(tracks.map((t) => t.id)).size).toBe(tracks.length);
      for (const t of tracks) {
        // The box is this frame's detection box of the same class (never a prediction).
        expect(
          dets.some((d) => d.classId === t.classId && d.boxXyxyNorm.every((v, k) => v === t.boxXyxyNorm[k])),
        ).toBe(true);
        expect(t.lastSeenTs).toBe(frames[i]!.tsMs);
        expect(t.path.length).toBeLessThanOrEqual(DEFAULT_TRACKER.pathLength);
        expect(t.path.at(-1)!.tsMs).toBe(frames[i]!.tsMs);
        // A new id is always larger than every id before it (ids are never reused).
        if (t.hits === 1) {
          expect(t.id).toBeGreaterThan(maxId);
          expect(t.score).toBeGreaterThanOrEqual(DEFAULT_TRACKER.newTrackThresh);
        }
        if (t.score < DEFAULT_TRACKER.trackThresh) lowScoreContinuations++;
        maxId = Math.max(maxId, t.id);
      }
    });
    // The clip has occluded and small vehicles: the low-score stage does carry some tracks.
    expect(lowScoreContinuations).toBeGreaterThan(0);
  });
});
