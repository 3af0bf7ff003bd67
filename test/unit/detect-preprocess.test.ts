import { describe, expect, it } from 'vitest';
import { Candidates } from '../../edge/detect/candidates.ts';
import { hwcToChw } from '../../edge/detect/hwc-to-chw.ts';
import { contentRect, type FrameSpec } from '../../edge/ingest/frame.ts';

describe('hwcToChw', () => {
  it.each([
    // 2 pixels: (10,20,30) and (40,50,60) -> planes [10,40], [20,50], [30,60]
    ['raw 0..255', 1, [10, 40, 20, 50, 30, 60]],
    ['scaled /255', 1 / 255, [10 / 255, 40 / 255, 20 / 255, 50 / 255, 30 / 255, 60 / 255]],
  ])('%s', (_n, scale, expected) => {
    const dst = new Float32Array(6).fill(-1);
    hwcToChw(Uint8Array.from([10, 20, 30, 40, 50, 60]), dst, 2, scale);
    expect(Array.from(dst)).toEqual(expected.map((v) => Math.fround(v)));
  });

  it('rewrites the same buffer on every call (no stale values)', () => {
    const dst = new Float32Array(3);
    hwcToChw(Uint8Array.from([1, 2, 3]), dst, 1, 1);
    hwcToChw(Uint8Array.from([7, 8, 9]), dst, 1, 1);
    expect(Array.from(dst)).toEqual([7, 8, 9]);
  });

  it('refuses a short frame', () => {
    expect(() => hwcToChw(new Uint8Array(5), new Float32Array(6), 2, 1)).toThrow(/need 6 values/);
  });
});

const spec = (fit: FrameSpec['fit']): FrameSpec => ({
  width: 416,
  height: 416,
  pixelFormat: 'rgb24',
  fit,
  padValue: 114,
});

describe('Candidates.toDetections maps model pixels back to the normalised source frame', () => {
  // A 1920x1080 source: letterboxed it is scaled to 416x234 (even), centred at y = 91.
  it.each([
    ['top-left letterbox: picture corners', 'letterbox-topleft', [0, 0, 416, 234], [0, 0, 1, 1]],
    [
      'top-left letterbox: a box in the middle',
      'letterbox-topleft',
      [104, 58.5, 208, 117],
      [0.25, 0.25, 0.5, 0.5],
    ],
    ['centred letterbox: picture corners', 'letterbox-center', [0, 91, 416, 325], [0, 0, 1, 1]],
    [
      'centred letterbox: a box in the middle',
      'letterbox-center',
      [104, 149.5, 208, 208],
      [0.25, 0.25, 0.5, 0.5],
    ],
    ['a box reaching into the padding is clamped', 'letterbox-center', [-10, 50, 430, 400], [0, 0, 1, 1]],
    ['stretch: input corners are source corners', 'stretch', [0, 0, 416, 416], [0, 0, 1, 1]],
    ['stretch: a quarter box', 'stretch', [104, 104, 208, 208], [0.25, 0.25, 0.5, 0.5]],
  ] as const)('%s', (_n, fit, box, expected) => {
    const rect = contentRect(spec(fit), 1920, 1080);
    const c = new Candidates(1);
    c.push(box[0], box[1], box[2], box[3], 0.5, 2);
    const [d] = c.toDetections([0], rect, ['person', 'bicycle', 'car']);
    expect(d!.label).toBe('car');
    for (const [i, v] of d!.boxXyxyNorm.entries()) expect(v).toBeCloseTo(expected[i]!, 5);
  });

  it('DETR boxes in source pixels map by the source size', () => {
    const c = new Candidates(1);
    c.push(480, 270, 960, 540, 0.7, 0);
    const [d] = c.toDetections([0], { x: 0, y: 0, width: 1920, height: 1080 }, ['person']);
    expect(d!.boxXyxyNorm).toEqual([0.25, 0.25, 0.5, 0.5]);
  });

  it('grows past its capacity and suppresses per class, best first', () => {
    const c = new Candidates(1);
    c.push(0, 0, 10, 10, 0.6, 0);
    c.push(1, 1, 11, 11, 0.9, 0); // same class, IoU 0.68 with the first
    c.push(1, 1, 11, 11, 0.8, 1); // other class
    expect(c.count).toBe(3);
    expect(c.suppress(0.45)).toEqual([1, 2]);
    expect(c.suppress(0.7)).toEqual([1, 2, 0]);
    expect(c.suppress(1)).toEqual([1, 2, 0]);
    c.reset();
    expect(c.suppress(0.45)).toEqual([]);
  });
});
