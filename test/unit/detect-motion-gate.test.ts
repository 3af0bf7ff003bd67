// Motion gating: which crops changed on a small gray image, refresh after refreshMs, first frame always runs.
import { describe, expect, it } from 'vitest';
import type { RectNorm } from '../../edge/detect/detect-regions.ts';
import { MotionGate } from '../../edge/detect/motion-gate.ts';

const W = 416;
const H = 256;
const CONTENT = { x: 0, y: 0, width: W, height: H };
const LEFT: RectNorm = [0, 0, 0.5, 1];
const RIGHT: RectNorm = [0.5, 0, 1, 1];

/** A grey frame with a bright square at (x, y) model pixels, side `s`. */
function frame(square?: { x: number; y: number; s: number }): Uint8Array {
  const data = new Uint8Array(W * H * 3).fill(100);
  if (square)
    for (let y = square.y; y < square.y + square.s; y++)
      for (let x = square.x; x < square.x + square.s; x++)
        data.fill(220, (y * W + x) * 3, (y * W + x) * 3 + 3);
  return data;
}

describe('MotionGate', () => {
  it('runs every crop on the first frame', () => {
    const g = new MotionGate({ pixelThreshold: 25, minChangedPixels: 3, refreshMs: 2000 });
    g.observe(frame(), W, CONTENT);
    expect([g.shouldRun(0, LEFT, 0), g.shouldRun(1, RIGHT, 0)]).toEqual([true, true]);
  });

  it.each<[string, { x: number; y: number; s: number } | undefined, number, [boolean, boolean]]>([
    ['nothing moved: both skipped', undefined, 200, [false, false]],
    [
      'a vehicle appears on the right: only the right crop runs',
      { x: 300, y: 100, s: 24 },
      200,
      [false, true],
    ],
    [
      'one changed pixel (4x4 model pixels) is below minChangedPixels',
      { x: 40, y: 40, s: 4 },
      200,
      [false, false],
    ],
    ['still, but refreshMs has passed: both run', undefined, 2000, [true, true]],
  ])('%s', (_n, square, tsMs, expected) => {
    const g = new MotionGate({ pixelThreshold: 25, minChangedPixels: 3, refreshMs: 2000 });
    g.observe(frame(), W, CONTENT);
    g.shouldRun(0, LEFT, 0);
    g.shouldRun(1, RIGHT, 0);
    g.observe(frame(square), W, CONTENT);
    expect([g.shouldRun(0, LEFT, tsMs), g.shouldRun(1, RIGHT, tsMs)]).toEqual(expected);
  });

  it('counts runs and skips, and a small change below the pixel threshold is no motion', () => {
    const g = new MotionGate({ pixelThreshold: 25, minChangedPixels: 1, refreshMs: 10_000 });
    g.observe(frame(), W, CONTENT);
    g.shouldRun(0, LEFT, 0);
    const dim = frame().fill(110); // +10 grey levels everywhere: lighting, not motion
    g.observe(dim, W, CONTENT);
    expect(g.shouldRun(0, LEFT, 200)).toBe(false);
    expect(g.changedIn([0, 0, 1, 1])).toBe(0);
    expect({ ran: g.ran, skipped: g.skipped }).toEqual({ ran: 1, skipped: 1 });
  });
});
