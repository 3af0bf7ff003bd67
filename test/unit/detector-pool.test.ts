import { describe, expect, it } from 'vitest';
import type { Detection } from '../../edge/detect/detection.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import { DetectorPool } from '../../edge/detect/detector-pool.ts';
import type { Frame } from '../../edge/ingest/frame.ts';

/** A detector that finishes only when told to, recording the order it ran frames in. */
function gatedDetector() {
  const ran: number[] = [];
  const gates: (() => void)[] = [];
  const detector = {
    family: 'yolox',
    modelName: 'gated',
    labels: [],
    frameSpec: { width: 4, height: 4, pixelFormat: 'bgr24', fit: 'stretch', padValue: 114 },
    lastTimings: { preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 },
    detect: (frame: Frame) =>
      new Promise<Detection[]>((resolve) => {
        ran.push(frame.seq);
        gates.push(() => resolve([]));
      }),
    close: async () => undefined,
  } as unknown as Detector;
  return { detector, ran, release: () => gates.shift()?.() };
}

const frame = (seq: number) => ({ seq }) as Frame;
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('DetectorPool', () => {
  it('runs one frame at a time in arrival order and reports how many wait', async () => {
    const g = gatedDetector();
    const pool = new DetectorPool(g.detector);
    expect(pool.depth).toBe(0);
    const jobs = [pool.run(frame(1)), pool.run(frame(2)), pool.run(frame(3))];
    await tick();
    expect(g.ran).toEqual([1]);
    expect(pool.depth).toBe(2);
    g.release();
    await jobs[0];
    await tick();
    expect(g.ran).toEqual([1, 2]);
    expect(pool.depth).toBe(1);
    g.release();
    await tick();
    g.release();
    await Promise.all(jobs);
    expect(g.ran).toEqual([1, 2, 3]);
    expect(pool.depth).toBe(0);
  });
});
