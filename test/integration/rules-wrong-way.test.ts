// wrong_way on the real clip: ffmpeg on hcmc_street_wrongway.mp4 at 5 fps, yolox_nano, the pipeline's tracker,
// the boulevard's carriageway with its allowed direction (away from the camera, up the frame). A second rule
// (zone_dwell over the carriageway, dwell 0) captures every confirmed track's path in parallel, so the test can
// compare the wrong-way tracks with the flow without hard-coding ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.ts';
import type { MatthanEvent } from '../../contract/index.ts';
import { CameraPipeline } from '../../edge/camera-pipeline.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import { DetectorPool } from '../../edge/detect/detector-pool.ts';
import { loadDetector } from '../../edge/detect/load-detector.ts';
import { resolveSourceUrl } from '../../edge/ingest/source-url.ts';
import { angleBetweenDeg } from '../../edge/rules/geometry.ts';
import { logger } from '../../lib/log.ts';
import { tempDir } from '../helpers/fixtures.ts';

/**
 * The near carriageway, read off frames every 0.5 s (1568x778): between the median kerb, from (0.03, 1) to
 * (0.57, 0.04), and the right kerb, from (0.684, 0.04) to (0.958, 1), widened by ~0.025 on the right so a rider
 * hugging the gutter (the wrong-way cyclist does) stays inside; the parked bikes on the sidewalk (x > 0.86 at
 * y 0.45) stay outside. Its traffic drives away from the camera, up the frame.
 */
const CARRIAGEWAY: [number, number][] = [
  [0.57, 0.04],
  [0.71, 0.04],
  [0.98, 1],
  [0.03, 1],
];
const ALLOWED: [number, number] = [0, -1];
const MAX_ANGLE = 135;
const CLASSES = '[car, motorcycle, bicycle, bus, truck, person]';

const CONFIG = `
site: hcmc-d3
detector: { model: yolox_nano, confidence: 0.1 }
cameras:
  - id: cam-boulevard
    source: { url: media:hcmc_street_wrongway.mp4, realtime: false, loop: false }
    fps: 5
    ring: { enabled: false }
    tracker: { trackThresh: 0.2, newTrackThresh: 0.2, lowThresh: 0.1, matchIou: 0.1 }
    zones: [{ id: carriageway, polygon: ${JSON.stringify(CARRIAGEWAY)} }]
    rules:
      - { id: wrong-way, type: wrong_way, zone: carriageway, allowedDirection: ${JSON.stringify(ALLOWED)}, maxAngleDeg: ${MAX_ANGLE}, classes: ${CLASSES} }
      - { id: all-tracks, type: zone_dwell, zone: carriageway, dwellS: 0, classes: ${CLASSES} }
`;

interface Run {
  events: MatthanEvent[];
  firstFrameTs: number;
  frames: number;
  stats: unknown;
}

async function runClip(detector: Detector): Promise<Run> {
  const cfg = parseConfig(CONFIG, 'wrong-way-test.yaml', EdgeConfigSchema, { env: {} });
  const camera = cfg.cameras[0]!;
  const events: MatthanEvent[] = [];
  let firstFrameTs = Number.NaN;
  let frames = 0;
  const pipeline = new CameraPipeline({
    site: cfg.site,
    camera,
    source: resolveSourceUrl(camera.source.url),
    pool: new DetectorPool(detector),
    timezone: cfg.timezone,
    log: logger('test', { camera: camera.id }),
    emitEvent: (e) => events.push(e),
    emitStatus: () => undefined,
    signalFrame: (f) => {
      if (frames++ === 0) firstFrameTs = f.tsMs;
    },
  });
  pipeline.start();
  await pipeline.ended;
  await pipeline.stop();
  return { events, firstFrameTs, frames, stats: pipeline.stats };
}

type P = [number, number];
const pathOf = (e: MatthanEvent): P[] => (e.details?.pathNorm ?? []) as P[];
/** End-to-end vector of the last n points of a path. */
const tail = (p: P[], n: number): P => {
  const a = p[Math.max(0, p.length - n)]!;
  const b = p.at(-1)!;
  return [b[0] - a[0], b[1] - a[1]];
};

describe('wrong_way on the HCMC boulevard clip', () => {
  let detector: Detector;
  let run: Run;
  let wrongWay: MatthanEvent[];
  /** trackId -> the track's last captured path (all confirmed tracks in the carriageway). */
  const tracks = new Map<number, P[]>();
  beforeAll(async () => {
    const cfg = parseConfig(CONFIG, 'wrong-way-test.yaml', EdgeConfigSchema, { env: {} });
    detector = (await loadDetector(cfg.detector, { dataDir: tempDir() })).detector;
    run = await runClip(detector);
    wrongWay = run.events.filter((e) => e.rule === 'wrong-way');
    for (const e of run.events)
      if (e.rule === 'all-tracks' && e.trackId !== undefined && pathOf(e).length > 0)
        tracks.set(e.trackId, pathOf(e));
    if (process.env.WRONG_WAY_DEBUG) {
      for (const e of wrongWay)
        console.log(
          `${e.phase} t=${((e.ts - run.firstFrameTs) / 1000).toFixed(1)}s track=${e.trackId} ${e.label} heading=${e.details?.headingDeg} box=${e.boxXyxyNorm.join(',')} path=${JSON.stringify(pathOf(e))}`,
        );
      console.log(`frames ${run.frames} events ${run.events.length} ${JSON.stringify(run.stats)}`);
      for (const [id, p] of tracks) console.log(`track ${id}: ${JSON.stringify(p)}`);
    }
  }, 180_000);
  afterAll(async () => {
    await detector?.close();
  });

  it('analysed the clip and captured the carriageway tracks', () => {
    expect(run.frames).toBeGreaterThan(30);
    expect(tracks.size).toBeGreaterThan(10);
  });

  it('fires for vehicles moving against the allowed direction: one event per track, heading against the flow', () => {
    const starts = wrongWay.filter((e) => e.phase === 'start');
    expect(starts.length).toBeGreaterThanOrEqual(1);
    expect(new Set(starts.map((e) => e.trackId)).size).toBe(starts.length);
    for (const e of starts) {
      expect(e.ruleType).toBe('wrong_way');
      expect(e.zone).toBe('carriageway');
      const h = e.details!.headingDeg!;
      const v: P = [Math.cos((h * Math.PI) / 180), Math.sin((h * Math.PI) / 180)];
      expect(angleBetweenDeg(v, ALLOWED)).toBeGreaterThan(MAX_ANGLE);
      // The path the reviewer sees moves down the frame (towards the camera) over its recent points.
      const path = pathOf(e);
      expect(path.length).toBeGreaterThanOrEqual(3);
      expect(angleBetweenDeg(tail(path, 6), ALLOWED)).toBeGreaterThan(90);
    }
  });

  it('stays quiet for the flow: a small fraction of the confirmed tracks fires, never one driving up the frame', () => {
    const fired = new Set(wrongWay.map((e) => e.trackId));
    expect(fired.size).toBeLessThanOrEqual(Math.max(1, Math.floor(tracks.size * 0.1)));
    const withFlow = [...tracks].filter(
      ([, p]) => p.length >= 5 && (angleBetweenDeg(tail(p, p.length), ALLOWED) ?? 180) < 60,
    );
    expect(withFlow.length).toBeGreaterThan(5);
    for (const [id] of withFlow) expect(fired.has(id)).toBe(false);
  });
});
