import { describe, expect, it } from 'vitest';
import type { CameraStats } from '../../edge/camera-pipeline.ts';
import { healthFields } from '../../edge/publish/camera-health.ts';

const stats = (framesIn: number, framesProcessed: number, framesDropped: number): CameraStats => ({
  framesIn,
  framesProcessed,
  framesDropped,
  detections: 0,
  events: 0,
});

describe('healthFields', () => {
  it.each([
    [
      'steady 5 fps',
      0,
      stats(0, 0, 0),
      15_000,
      stats(75, 75, 0),
      undefined,
      { fpsIn: 5, fpsProcessed: 5, framesDropped: 0 },
    ],
    [
      'overloaded',
      0,
      stats(100, 90, 10),
      10_000,
      stats(150, 110, 40),
      123,
      { fpsIn: 5, fpsProcessed: 2, framesDropped: 40, lastEventTs: 123 },
    ],
    [
      'no time elapsed',
      5,
      stats(1, 1, 0),
      5,
      stats(9, 9, 0),
      undefined,
      { fpsIn: 0, fpsProcessed: 0, framesDropped: 0 },
    ],
    [
      'camera offline: no new frames',
      0,
      stats(50, 50, 2),
      15_000,
      stats(50, 50, 2),
      undefined,
      { fpsIn: 0, fpsProcessed: 0, framesDropped: 2 },
    ],
  ])('%s', (_n, t0, s0, t1, s1, lastEventTs, expected) => {
    expect(healthFields({ atMs: t0, stats: s0 }, { atMs: t1, stats: s1 }, lastEventTs)).toEqual(expected);
  });
});
