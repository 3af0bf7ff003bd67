import { describe, expect, it } from 'vitest';
import { pointInPolygon } from '../../edge/rules/geometry.ts';
import { ANCHOR_INSET, anchorOf } from '../../edge/track/track.ts';

describe('anchorOf: bottom-centre, nudged inside the frame', () => {
  it.each<[string, [number, number, number, number], number, number]>([
    ['a box inside the frame', [0.2, 0.3, 0.4, 0.7], 0.3, 0.7],
    ['cut by the bottom edge', [0.2, 0.3, 0.4, 1], 0.3, 1 - 1e-6],
    ['a degenerate box at the left edge', [0, 0.1, 0, 0.2], 1e-6, 0.2],
    ['a degenerate box at the right edge', [1, 0.1, 1, 0.2], 1 - 1e-6, 0.2],
    ['a degenerate box at the top edge', [0.5, 0, 0.6, 0], 0.55, 1e-6],
  ])('%s', (_, box, x, y) => {
    const a = anchorOf(box);
    expect(a.x).toBeCloseTo(x, 12);
    expect(a.y).toBeCloseTo(y, 12);
    expect(a.x).toBeGreaterThan(0);
    expect(a.x).toBeLessThan(1);
    expect(a.y).toBeGreaterThan(0);
    expect(a.y).toBeLessThan(1);
  });

  it('is 1e-6', () => {
    expect(ANCHOR_INSET).toBe(1e-6);
  });

  // The reason for the nudge: a zone drawn along the bottom of the frame must contain a vehicle cut by it.
  it.each<[string, [number, number][]]>([
    [
      'bottom band, clockwise',
      [
        [0, 0.8],
        [1, 0.8],
        [1, 1],
        [0, 1],
      ],
    ],
    [
      'bottom band, counter-clockwise',
      [
        [0, 1],
        [1, 1],
        [1, 0.8],
        [0, 0.8],
      ],
    ],
  ])('an anchor cut by the frame bottom is inside a zone ending at y = 1 (%s)', (_, polygon) => {
    const a = anchorOf([0.4, 0.7, 0.6, 1]);
    expect(pointInPolygon(a.x, a.y, polygon)).toBe(true);
  });
});
