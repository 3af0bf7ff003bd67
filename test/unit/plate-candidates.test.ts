// Text lines -> plate candidates: two stacked lines, one line, row merging, position and size filters.
import { describe, expect, it } from 'vitest';
import { plateCandidates, type Xyxy } from '../../edge/plate/plate-candidates.ts';
import { textLineBoxes } from '../../edge/plate/text-line-boxes.ts';

const VEHICLE: Xyxy = [0, 0, 400, 300];
const line = (b: Xyxy, score = 0.9) => ({ boxXyxy: b, score });

describe('plateCandidates', () => {
  it.each([
    { name: 'no lines', lines: [], expected: [] },
    {
      name: 'two stacked lines make a two-line plate (and each line stays a single after it)',
      lines: [line([180, 200, 220, 215]), line([172, 217, 228, 233])],
      expected: [2, 1, 1],
    },
    { name: 'one wide line is a one-line plate', lines: [line([150, 220, 250, 242])], expected: [1] },
    {
      name: 'a split line (30E- | 586.70) merges into one',
      lines: [line([150, 220, 185, 240]), line([190, 220, 250, 240])],
      expected: [1],
    },
    {
      name: 'text in the top third (a taxi roof sign) is no plate',
      lines: [line([150, 30, 250, 50])],
      expected: [],
    },
    {
      name: 'a line under the minimum height is unreadable',
      lines: [line([150, 220, 180, 225])],
      expected: [],
    },
    { name: 'a tall narrow box is no text line', lines: [line([150, 200, 160, 260])], expected: [] },
    {
      name: 'lines far apart horizontally do not pair',
      lines: [line([20, 200, 60, 215]), line([300, 217, 356, 233])],
      expected: [1, 1],
    },
  ])('$name', ({ lines, expected }) => {
    expect(plateCandidates(lines, VEHICLE).map((c) => c.lines.length)).toEqual(expected);
  });

  it('a two-line candidate lists its lines top to bottom with their union', () => {
    const [c] = plateCandidates([line([172, 217, 228, 233]), line([180, 200, 220, 215])], VEHICLE);
    expect(c!.lines).toEqual([
      [180, 200, 220, 215],
      [172, 217, 228, 233],
    ]);
    expect(c!.boxXyxy).toEqual([172, 200, 228, 233]);
  });
});

describe('textLineBoxes (DB post-processing)', () => {
  const map = (w: number, h: number, rects: [number, number, number, number, number][]) => {
    const p = new Float32Array(w * h);
    for (const [x0, y0, x1, y1, v] of rects)
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) p[y * w + x] = v;
    return p;
  };

  it('finds each blob, scores it and unclips it by area * ratio / perimeter', () => {
    const boxes = textLineBoxes(
      map(64, 32, [
        [10, 10, 30, 16, 0.9],
        [40, 20, 60, 26, 0.8],
      ]),
      64,
      32,
    );
    expect(boxes.map((b) => b.score.toFixed(2))).toEqual(['0.90', '0.80']);
    // 20 x 6 blob: d = 120 * 1.5 / 52 = 3.46
    const [x0, y0, x1, y1] = boxes[0]!.boxXyxy;
    expect(x0).toBeCloseTo(10 - 3.46, 1);
    expect(y0).toBeCloseTo(10 - 3.46, 1);
    expect(x1).toBeCloseTo(30 + 3.46, 1);
    expect(y1).toBeCloseTo(16 + 3.46, 1);
  });

  it.each([
    ['an empty map', map(16, 16, []), 16, 16, 0],
    ['a blob under the box threshold', map(16, 16, [[2, 2, 12, 8, 0.45]]), 16, 16, 0],
    ['a blob thinner than 3 px', map(16, 16, [[2, 2, 12, 4, 0.9]]), 16, 16, 0],
    ['a zero-size map', new Float32Array(0), 0, 0, 0],
    ['a map shorter than its size', new Float32Array(10), 16, 16, 0],
  ])('%s gives nothing', (_n, p, w, h, n) => {
    expect(textLineBoxes(p, w, h)).toHaveLength(n);
  });
});
