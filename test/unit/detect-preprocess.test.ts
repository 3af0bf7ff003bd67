import { describe, expect, it } from 'vitest';
import { Candidates } from '../../edge/detect/candidates.ts';
import { hwcToChw } from '../../edge/detect/hwc-to-chw.ts';
import { PlanarInput } from '../../edge/detect/planar-input.ts';
import { type ContentRect, contentRect, type Frame, type FrameSpec } from '../../edge/ingest/frame.ts';

describe('hwcToChw', () => {
  it.each([
    // 2 pixels: (10,20,30) and (40,50,60) -> planes [10,40], [20,50], [30,60]
    ['raw 0..255', 1, [10, 40, 20, 50, 30, 60]],
    ['scaled /255', 1 / 255, [10 / 255, 40 / 255, 20 / 255, 50 / 255, 30 / 255, 60 / 255]],
  ])('%s', (_n, scale, expected) => {
    const dst = new Float32Array(6).fill(-1);
    hwcToChw(Uint8Array.from([10, 20, 30, 40, 50, 60]), dst, 2, 1, scale);
    expect(Array.from(dst)).toEqual(expected.map((v) => Math.fround(v)));
  });

  it.each([
    // A 3x2 image whose byte values are 0..17; planes of 6 values each; -1 marks values left alone.
    ['whole image', undefined, [0, 3, 6, 9, 12, 15, 1, 4, 7, 10, 13, 16, 2, 5, 8, 11, 14, 17]],
    [
      'top row only',
      { x: 0, y: 0, width: 3, height: 1 },
      [0, 3, 6, -1, -1, -1, 1, 4, 7, -1, -1, -1, 2, 5, 8, -1, -1, -1],
    ],
    [
      'centre column',
      { x: 1, y: 0, width: 1, height: 2 },
      [-1, 3, -1, -1, 12, -1, -1, 4, -1, -1, 13, -1, -1, 5, -1, -1, 14, -1],
    ],
    ['empty rect', { x: 0, y: 1, width: 3, height: 0 }, new Array(18).fill(-1)],
  ])('converts only the rectangle: %s', (_n, rect, expected) => {
    const src = Uint8Array.from({ length: 18 }, (_, i) => i);
    const dst = new Float32Array(18).fill(-1);
    hwcToChw(src, dst, 3, 2, 1, rect);
    expect(Array.from(dst)).toEqual(expected);
  });

  // Against a naive triple loop, on sizes and rectangles that exercise the word path's unaligned starts and
  // tails, from an aligned and a misaligned (byteOffset 1) source.
  it.each([
    ['416x416 whole', 416, 416, undefined, 0],
    ['416x416 letterbox top-left', 416, 416, { x: 0, y: 0, width: 416, height: 234 }, 0],
    ['odd 13x7 whole', 13, 7, undefined, 0],
    ['odd 13x7 inner rect', 13, 7, { x: 3, y: 2, width: 7, height: 4 }, 0],
    ['odd 13x7 inner rect, misaligned source', 13, 7, { x: 1, y: 1, width: 9, height: 5 }, 1],
    ['640x640 centred letterbox, misaligned source', 640, 640, { x: 0, y: 140, width: 640, height: 360 }, 1],
  ])('matches a naive loop: %s', (_n, w, h, rect, offset) => {
    const backing = new Uint8Array(w * h * 3 + offset);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 131 + 7) % 256;
    const src = backing.subarray(offset);
    const r = rect ?? { x: 0, y: 0, width: w, height: h };
    const expected = new Float32Array(w * h * 3).fill(-1);
    for (let y = r.y; y < r.y + r.height; y++)
      for (let x = r.x; x < r.x + r.width; x++)
        for (let c = 0; c < 3; c++) expected[c * w * h + y * w + x] = src[(y * w + x) * 3 + c]! / 255;
    const dst = new Float32Array(w * h * 3).fill(-1);
    hwcToChw(src, dst, w, h, 1 / 255, rect);
    expect(dst).toEqual(expected);
  });

  it('rewrites the same buffer on every call (no stale values)', () => {
    const dst = new Float32Array(3);
    hwcToChw(Uint8Array.from([1, 2, 3]), dst, 1, 1, 1);
    hwcToChw(Uint8Array.from([7, 8, 9]), dst, 1, 1, 1);
    expect(Array.from(dst)).toEqual([7, 8, 9]);
  });

  it.each([
    ['a short frame', new Uint8Array(5), undefined, /need 6 values/],
    ['a rect outside the image', new Uint8Array(6), { x: 1, y: 0, width: 2, height: 1 }, /outside 2x1/],
  ])('refuses %s', (_n, src, rect, message) => {
    expect(() => hwcToChw(src, new Float32Array(6), 2, 1, 1, rect)).toThrow(message);
  });
});

describe('PlanarInput', () => {
  const spec: FrameSpec = {
    width: 2,
    height: 2,
    pixelFormat: 'bgr24',
    fit: 'letterbox-topleft',
    padValue: 114,
  };
  const frame = (bytes: number[], content: ContentRect): Frame => ({
    cameraId: 'c',
    seq: 0,
    tsMs: 0,
    spec,
    content,
    sourceWidth: 4,
    sourceHeight: 2,
    data: Buffer.from(bytes),
  });
  // A 2x2 frame whose top row is picture and bottom row ffmpeg padding (114).
  const TOP = { x: 0, y: 0, width: 2, height: 1 };
  const PAD = [114, 114, 114, 114, 114, 114];

  it('writes the padding once, then only the picture; a new geometry repaints the padding', () => {
    const input = new PlanarInput(spec, 1 / 255);
    input.fill(frame([10, 20, 30, 40, 50, 60, ...PAD], TOP));
    const p = (v: number) => Math.fround(v / 255);
    expect(Array.from(input.data)).toEqual([10, 40, 114, 114, 20, 50, 114, 114, 30, 60, 114, 114].map(p));
    input.data[2] = -1; // a padding value: a frame with the same geometry must not touch it
    input.fill(frame([1, 2, 3, 4, 5, 6, ...PAD], TOP));
    expect(input.data[0]).toBe(p(1));
    expect(input.data[2]).toBe(-1);
    input.fill(frame([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], { x: 0, y: 0, width: 2, height: 2 }));
    expect(Array.from(input.data)).toEqual([1, 4, 7, 10, 2, 5, 8, 11, 3, 6, 9, 12].map(p));
  });
});

const squareSpec = (fit: FrameSpec['fit']): FrameSpec => ({
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
    const rect = contentRect(squareSpec(fit), 1920, 1080);
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
