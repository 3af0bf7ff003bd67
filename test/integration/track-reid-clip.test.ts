// Stationary re-identification on real detections: yolox_nano on every frame of us_street_intersection_360p.mp4
// (cars parked at the curb) decoded by the real ffmpeg source at 5 fps. Each parked car is then hidden for a while (its detections
// removed, as a passing bus would), and ByteTrack must give it back its id, while the plain buffer cannot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import type { Detection } from '../../edge/detect/detection.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import { loadDetector } from '../../edge/detect/load-detector.ts';
import { FfmpegSource } from '../../edge/ingest/ffmpeg-source.ts';
import type { Frame } from '../../edge/ingest/frame.ts';
import { resolveSourceUrl } from '../../edge/ingest/source-url.ts';
import { boxIou } from '../../edge/track/box-iou.ts';
import { ByteTrack, isStationary } from '../../edge/track/byte-track.ts';
import type { TrackerConfig } from '../../edge/track/tracker-schema.ts';
import { logger } from '../../lib/log.ts';
import { tempDir } from '../helpers/fixtures.ts';

interface RecordedFrame {
  tsMs: number;
  detections: Detection[];
}

type Box = [number, number, number, number];
interface Seen {
  id: number;
  confirmed: boolean;
  stationary: boolean;
  box: Box;
}

/** ByteTrack (the camera's default config unless overridden) over recorded frames; snapshots per frame. */
function track(frames: readonly RecordedFrame[], options: Partial<TrackerConfig> = {}) {
  const tracker = new ByteTrack(options);
  const perFrame: Seen[][] = frames.map((f) =>
    tracker.update(f.detections, f.tsMs).map((t) => ({
      id: t.id,
      confirmed: t.confirmed,
      stationary: isStationary(t),
      box: [...t.boxXyxyNorm] as Box,
    })),
  );
  const confirmedIds = new Set(
    perFrame
      .flat()
      .filter((t) => t.confirmed)
      .map((t) => t.id),
  );
  return { perFrame, confirmedIds, reidentified: { ...tracker.reidentified } };
}

/** The frames with every detection on `box` (IoU >= 0.3) removed in [from, to): the car hidden by traffic. */
const hide = (frames: readonly RecordedFrame[], box: Box, from: number, to: number): RecordedFrame[] =>
  frames.map((f, i) =>
    i >= from && i < to
      ? { ...f, detections: f.detections.filter((d) => boxIou(d.boxXyxyNorm, box) < 0.3) }
      : f,
  );

describe('ByteTrack re-identifies real parked cars hidden by traffic (us_street_intersection_360p.mp4)', () => {
  let detector: Detector;
  const frames: RecordedFrame[] = [];

  beforeAll(async () => {
    const cfg = parseConfig(
      `
site: s1
cameras:
  - id: cam-curb
    source: { url: media:us_street_intersection_360p.mp4, realtime: false, loop: false }
    ring: { enabled: false }
    fps: 5
`,
      'track-reid.yaml',
      EdgeConfigSchema,
      { env: {} },
    );
    detector = (await loadDetector(cfg.detector, { dataDir: tempDir() })).detector;
    const camera = cfg.cameras[0]!;
    // Every decoded frame is detected, in order: the camera pipeline keeps only the newest frame while the detector
    // is busy, so on a loaded machine it would record a different, thinner sequence each run.
    const queue: Frame[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const source = new FfmpegSource({
      cameraId: camera.id,
      source: resolveSourceUrl(camera.source.url),
      transport: camera.source.transport,
      realtime: false,
      loop: false,
      fps: camera.fps,
      // A source paused behind the detector is not a stalled one.
      stallTimeoutS: 600,
      spec: detector.frameSpec,
      log: logger('test', { camera: camera.id }),
      onFrame: (f) => {
        queue.push({ ...f, data: Buffer.from(f.data) });
        wake?.();
      },
      onStatus: () => undefined,
      onEnd: () => {
        ended = true;
        wake?.();
      },
    });
    source.start();
    for (;;) {
      const frame = queue.shift();
      if (frame) {
        frames.push({ tsMs: frame.tsMs, detections: await detector.detect(frame) });
        continue;
      }
      if (ended) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
    await source.stop();
    expect(frames.length).toBeGreaterThan(100);
  }, 240_000);

  afterAll(async () => {
    await detector?.close();
  });

  /** Cars the tracker follows standing still for at least 10 s (50 frames): the curb's parked cars. */
  function parkedCars() {
    const base = track(frames);
    const standing = new Map<number, { frames: number[] }>();
    base.perFrame.forEach((ts, i) => {
      for (const t of ts)
        if (t.confirmed && t.stationary) {
          const s = standing.get(t.id) ?? { frames: [] };
          s.frames.push(i);
          standing.set(t.id, s);
        }
    });
    return {
      base,
      cars: [...standing.entries()].filter(([, s]) => s.frames.length >= 50).map(([id, s]) => ({ id, ...s })),
    };
  }

  it.each([
    [2, 10],
    [5, 25],
    [10, 50],
  ])('a parked car hidden for %i s keeps its id, and no other id appears', (_s, hiddenFrames) => {
    const { base, cars } = parkedCars();
    expect(cars.length).toBeGreaterThanOrEqual(2);
    let checked = 0;
    for (const car of cars) {
      // Hide it from its 20th standing frame on, when it has stood long enough to count as parked.
      const from = car.frames[20]!;
      const to = from + hiddenFrames;
      if (to + 5 >= frames.length) continue;
      const box = base.perFrame[from - 1]!.find((t) => t.id === car.id)!.box;
      const hidden = hide(frames, box, from, to);
      const idsAfter = (run: ReturnType<typeof track>) =>
        new Set(
          run.perFrame
            .slice(to)
            .flat()
            .filter((t) => t.confirmed && boxIou(t.box, box) > 0.5)
            .map((t) => t.id),
        );

      const repaired = track(hidden);
      expect(idsAfter(repaired), `car ${car.id}`).toEqual(new Set([car.id]));
      expect(repaired.reidentified.stationary).toBeGreaterThanOrEqual(1);
      expect(repaired.confirmedIds.size).toBe(base.confirmedIds.size);

      // The plain lost buffer (1.5 s) cannot: the car comes back as a new id.
      const plain = track(hidden, { reidStationaryMs: 0 });
      expect([...idsAfter(plain)].some((id) => id !== car.id)).toBe(true);
      expect(plain.confirmedIds.size).toBeGreaterThan(base.confirmedIds.size);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });
});
