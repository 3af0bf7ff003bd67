// Capacity: how many cameras of a clip at 5 fps one box sustains without sustained drops, and RSS per camera.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEdge } from '../edge/main.ts';
import { benchBroker, benchEdgeConfig, round, sleep, treeRssMb } from './bench-util.ts';

const WARMUP_MS = 4000;
const MEASURE_MS = 12_000;
/** A run is sustained when under 5% of delivered frames are dropped and each camera keeps >= 95% of its fps. */
export const MAX_DROP_RATIO = 0.05;
export const MIN_FPS_RATIO = 0.95;

/** The one definition of "sustained" every capacity figure uses. */
export function isSustained(dropRatio: number, fpsProcessed: number, fps: number): boolean {
  return dropRatio <= MAX_DROP_RATIO && fpsProcessed >= fps * MIN_FPS_RATIO;
}

export interface CapacityStep {
  cameras: number;
  fpsInPerCamera: number;
  fpsProcessedPerCamera: number;
  dropRatio: number;
  sustained: boolean;
  rssTotalMb: number;
  rssPerCameraMb: number;
}

async function step(clip: string, cameras: number, fps: number): Promise<CapacityStep> {
  const { broker, login } = await benchBroker();
  const edge = await startEdge(
    benchEdgeConfig({
      brokerUrl: broker.url,
      brokerLogin: login,
      clip,
      cameras,
      fps,
      ring: true,
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'matthan-bench-cap-')),
    }),
  );
  try {
    await sleep(WARMUP_MS);
    const sum = () => {
      const cams = Object.values(edge.stats().cameras);
      return {
        in: cams.reduce((n, c) => n + c.framesIn, 0),
        processed: cams.reduce((n, c) => n + c.framesProcessed, 0),
        dropped: cams.reduce((n, c) => n + c.framesDropped, 0),
      };
    };
    const a = sum();
    const t0 = performance.now();
    let rssPeak = 0;
    const sampler = setInterval(() => {
      const r = treeRssMb();
      rssPeak = Math.max(rssPeak, r.selfMb + r.childrenMb);
    }, 1000);
    await sleep(MEASURE_MS);
    clearInterval(sampler);
    const b = sum();
    const seconds = (performance.now() - t0) / 1000;
    const fpsIn = (b.in - a.in) / seconds / cameras;
    const fpsProcessed = (b.processed - a.processed) / seconds / cameras;
    const dropRatio = b.in - a.in > 0 ? (b.dropped - a.dropped) / (b.in - a.in) : 1;
    return {
      cameras,
      fpsInPerCamera: round(fpsIn),
      fpsProcessedPerCamera: round(fpsProcessed),
      dropRatio: round(dropRatio, 3),
      sustained: isSustained(dropRatio, fpsProcessed, fps),
      rssTotalMb: round(rssPeak, 0),
      rssPerCameraMb: round(rssPeak / cameras, 1),
    };
  } finally {
    await edge.stop();
    await broker.close();
  }
}

/** Steps up the camera count until a step is not sustained; returns every step and the largest sustained count. */
export async function benchCapacity(clip: string, counts: number[], fps = 5) {
  const steps: CapacityStep[] = [];
  for (const n of counts) {
    const s = await step(clip, n, fps);
    steps.push(s);
    process.stderr.write(`capacity ${clip}: ${n} cameras -> ${JSON.stringify(s)}\n`);
    if (!s.sustained) break;
  }
  const ok = steps.filter((s) => s.sustained);
  const best = ok.at(-1);
  return {
    clip,
    fps,
    maxCamerasSustained: best?.cameras ?? 0,
    rssPerCameraMbAtMax: best?.rssPerCameraMb ?? null,
    steps,
  };
}
