import { describe, expect, it } from 'vitest';
import { type Point, pointInPolygon, segmentsIntersect, sideOfLine } from '../../edge/rules/geometry.ts';

const square: Point[] = [
  [0.2, 0.2],
  [0.8, 0.2],
  [0.8, 0.8],
  [0.2, 0.8],
];
const concave: Point[] = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0.5, 0.4],
  [0, 1],
]; // a notch from the bottom

describe('pointInPolygon', () => {
  it.each([
    ['centre of square', 0.5, 0.5, square, true],
    ['outside left', 0.1, 0.5, square, false],
    ['outside below', 0.5, 0.9, square, false],
    ['inside the concave arm', 0.1, 0.8, concave, true],
    ['inside the notch (outside)', 0.5, 0.8, concave, false],
    ['empty polygon', 0.5, 0.5, [], false],
    [
      'two points (degenerate)',
      0.5,
      0.5,
      [
        [0, 0],
        [1, 1],
      ] as Point[],
      false,
    ],
    [
      'collinear triangle (degenerate)',
      0.5,
      0.5,
      [
        [0, 0],
        [0.5, 0.5],
        [1, 1],
      ] as Point[],
      false,
    ],
  ])('%s', (_n, x, y, poly, expected) => {
    expect(pointInPolygon(x, y, poly)).toBe(expected);
  });
});

describe('segmentsIntersect', () => {
  it.each([
    ['crossing X', [0, 0], [1, 1], [0, 1], [1, 0], true],
    ['parallel', [0, 0], [1, 0], [0, 1], [1, 1], false],
    ['touching at an end', [0, 0], [0.5, 0.5], [0.5, 0.5], [1, 0], true],
    ['collinear overlapping', [0, 0], [0.6, 0], [0.4, 0], [1, 0], true],
    ['collinear disjoint', [0, 0], [0.3, 0], [0.4, 0], [1, 0], false],
    ['T short of the line', [0.5, 0.1], [0.5, 0.4], [0, 0.5], [1, 0.5], false],
    ['zero-length segment on the line', [0.5, 0.5], [0.5, 0.5], [0, 0.5], [1, 0.5], true],
  ] as [string, Point, Point, Point, Point, boolean][])('%s', (_n, p1, p2, q1, q2, expected) => {
    expect(segmentsIntersect(p1, p2, q1, q2)).toBe(expected);
    expect(segmentsIntersect(q1, q2, p1, p2)).toBe(expected);
  });
});

describe('sideOfLine', () => {
  it.each([
    [[0, 0.5], [1, 0.5], [0.5, 0.4], 'negative'], // y grows downward: above the line in the image is "right"
    [[0, 0.5], [1, 0.5], [0.5, 0.6], 'positive'],
    [[0, 0.5], [1, 0.5], [0.5, 0.5], 'zero'],
  ] as [Point, Point, Point, string][])('%j -> %j of %j is %s', (a, b, p, sign) => {
    const v = sideOfLine(a, b, p);
    expect(v > 0 ? 'positive' : v < 0 ? 'negative' : 'zero').toBe(sign);
  });
});
