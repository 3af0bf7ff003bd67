// Which moments of a track are read for its plate: best views first, boxes cut by the frame's bottom edge last.
import { describe, expect, it } from 'vitest';
import {
  type BoxSample,
  boxAt,
  cutAtBottom,
  largestSamples,
  plateViewScore,
  TrackBoxHistory,
} from '../../edge/plate/track-box-history.ts';

const s = (tsMs: number, box: [number, number, number, number]): BoxSample => ({ tsMs, boxXyxyNorm: box });

describe('plateViewScore and cutAtBottom', () => {
  it.each([
    { name: 'a whole box scores its area', box: [0.1, 0.5, 0.3, 0.8], cut: false, score: 0.06 },
    { name: 'a box at the bottom edge is cut', box: [0, 0.6, 0.4, 1], cut: true, score: 0.16 - 1 },
    { name: 'just above the edge is whole', box: [0, 0.6, 0.4, 0.98], cut: false, score: 0.4 * 0.38 },
    { name: 'a degenerate box scores nothing', box: [0.5, 0.5, 0.4, 0.4], cut: false, score: 0 },
  ] as { name: string; box: [number, number, number, number]; cut: boolean; score: number }[])('$name', ({
    box,
    cut,
    score,
  }) => {
    expect(cutAtBottom(box)).toBe(cut);
    expect(plateViewScore(box)).toBeCloseTo(score, 6);
  });
});

describe('largestSamples', () => {
  it.each([
    { name: 'no samples', samples: [], count: 3, times: [] },
    {
      name: 'the largest whole boxes, in time order',
      samples: [s(0, [0, 0.5, 0.2, 0.7]), s(200, [0, 0.4, 0.5, 0.9]), s(400, [0, 0.4, 0.4, 0.8])],
      count: 2,
      times: [200, 400],
    },
    {
      name: 'a vehicle entering at the bottom: its huge cut boxes come after every whole one',
      samples: [
        s(0, [0, 0.5, 0.6, 1]),
        s(200, [0, 0.45, 0.55, 0.995]),
        s(400, [0, 0.4, 0.3, 0.9]),
        s(600, [0, 0.35, 0.25, 0.8]),
      ],
      count: 3,
      times: [0, 400, 600],
    },
    { name: 'count 0', samples: [s(0, [0, 0, 0.5, 0.5])], count: 0, times: [] },
  ])('$name', ({ samples, count, times }) => {
    expect(largestSamples(samples, count).map((x) => x.tsMs)).toEqual(times);
  });
});

describe('TrackBoxHistory', () => {
  it('keeps a window of each track, its label, and forgets tracks unseen for keepMs', () => {
    const h = new TrackBoxHistory(1000);
    h.add(1, 'car', s(0, [0, 0, 0.1, 0.1]));
    h.add(1, 'car', s(500, [0, 0, 0.2, 0.2]));
    h.add(2, 'motorcycle', s(500, [0.5, 0.5, 0.6, 0.6]));
    h.add(1, 'car', s(1400, [0, 0, 0.3, 0.3])); // the sample at 0 ages out
    expect(h.window(1, 0, 2000).map((x) => x.tsMs)).toEqual([500, 1400]);
    expect(h.labelOf(2)).toBe('motorcycle');
    expect(h.labelOf(3)).toBeUndefined();
    h.sweep(1600);
    expect(h.lastSeenMs(2)).toBeUndefined();
    expect(h.lastSeenMs(1)).toBe(1400);
  });

  it('boxAt interpolates between samples and clamps outside them', () => {
    const samples = [s(0, [0, 0, 0.2, 0.2]), s(100, [0.2, 0.2, 0.4, 0.4])];
    expect(boxAt(samples, 50)).toEqual([0.1, 0.1, 0.30000000000000004, 0.30000000000000004]);
    expect(boxAt(samples, -10)).toEqual([0, 0, 0.2, 0.2]);
    expect(boxAt(samples, 500)).toEqual([0.2, 0.2, 0.4, 0.4]);
    expect(boxAt([], 0)).toBeUndefined();
  });
});
