// wrong_way on the real clip with the HCMC street example as shipped (config/examples/edge-hcmc-street.yaml: its
// geometry and detection regions, the default detector confidence and tracker): every 5 fps frame of
// hcmc_street_wrongway.mp4 decoded by the production ffmpeg source (crops included) and analysed in order by the
// camera pipeline, so the result does not depend on how many frames this machine keeps up with. A second rule
// (zone_dwell over the carriageway, dwell 0) captures every confirmed track's path in parallel, so the test can
// compare the wrong-way tracks with the flow without hard-coding ids.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatthanEvent } from '../../contract/index.ts';
import { CameraPipeline } from '../../edge/camera-pipeline.ts';
import { loadEdgeConfig } from '../../edge/config/load.ts';
import type { CameraConfig } from '../../edge/config/schema.ts';
import { cameraCrops } from '../../edge/detect/crop-detector.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import { DetectorPool } from '../../edge/detect/detector-pool.ts';
import { detectorConfig } from '../../edge/detect/detector-schema.ts';
import { loadDetector } from '../../edge/detect/load-detector.ts';
import { recordClip } from '../../edge/ingest/record-clip.ts';
import { resolveSourceUrl } from '../../edge/ingest/source-url.ts';
import { angleBetweenDeg } from '../../edge/rules/geometry.ts';
import { DEFAULT_TRACKER } from '../../edge/track/tracker-schema.ts';
import { logger } from '../../lib/log.ts';
import { REPO_ROOT, tempDir } from '../helpers/fixtures.ts';

const EXAMPLE = path.join(REPO_ROOT, 'config/examples/edge-hcmc-street.yaml');
const config = loadEdgeConfig(EXAMPLE, {});
const example = config.cameras[0]!;
const rule = example.rules.find((r) => r.type === 'wrong_way')!;
const ALLOWED = (rule as { allowedDirection: [number, number] }).allowedDirection;
const MAX_ANGLE = (rule as { maxAngleDeg: number }).maxAngleDeg;

/** The example camera plus a zone_dwell rule capturing every confirmed track's path over the carriageway. */
const camera: CameraConfig = {
  ...example,
  ring: { ...example.ring, enabled: false },
  rules: [
    ...example.rules,
    { ...rule, id: 'all-tracks', type: 'zone_dwell', zone: 'carriageway', dwellS: 0 } as never,
  ],
};

interface Run {
  events: MatthanEvent[];
  firstFrameTs: number;
  frames: number;
  stats: unknown;
}

async function runClip(detector: Detector): Promise<Run> {
  const events: MatthanEvent[] = [];
  const pipeline = new CameraPipeline({
    site: config.site,
    camera,
    source: resolveSourceUrl(camera.source.url),
    pool: new DetectorPool(detector),
    timezone: config.timezone,
    log: logger('test', { camera: camera.id }),
    emitEvent: (e) => events.push(e),
    emitStatus: () => undefined,
  });
  const frames = await recordClip({
    source: resolveSourceUrl(camera.source.url),
    spec: detector.frameSpec,
    fps: camera.fps,
    planCrops: (w, h) => cameraCrops(camera, detector.frameSpec, w, h),
  });
  for (const frame of frames) await pipeline.analyse(frame);
  await pipeline.stop();
  return { events, firstFrameTs: frames[0]!.tsMs, frames: frames.length, stats: pipeline.stats };
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
    detector = (await loadDetector(config.detector, { dataDir: tempDir() })).detector;
    run = await runClip(detector);
    wrongWay = run.events.filter((e) => e.rule === rule.id);
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

  it('runs at the default detector confidence and tracker settings', () => {
    expect(config.detector.confidence).toBe(detectorConfig().confidence);
    expect(camera.tracker).toEqual(DEFAULT_TRACKER);
  });

  it('fires for the wrong-way cyclist in the gutter by the right kerb (3-5 s) and for nothing else', () => {
    const starts = wrongWay.filter((e) => e.phase === 'start');
    expect(starts.map((e) => e.trackId)).toHaveLength(1);
    const e = starts[0]!;
    const tS = (e.ts - run.firstFrameTs) / 1000;
    expect(tS).toBeGreaterThan(2);
    expect(tS).toBeLessThan(5.5);
    expect(['person', 'bicycle', 'motorcycle']).toContain(e.label);
    const anchorX = (e.boxXyxyNorm[0] + e.boxXyxyNorm[2]) / 2;
    expect(anchorX).toBeGreaterThan(0.74);
    expect(anchorX).toBeLessThan(0.82);
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
