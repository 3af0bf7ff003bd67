import { describe, expect, it } from 'vitest';
import { iouXyxy, nmsPerClass } from '../../edge/detect/nms.ts';

describe('iouXyxy', () => {
  it.each([
    ['identical', [0, 0, 10, 10], [0, 0, 10, 10], 1],
    ['disjoint', [0, 0, 10, 10], [20, 20, 30, 30], 0],
    ['half overlap', [0, 0, 10, 10], [5, 0, 15, 10], 50 / 150],
    ['touching edges', [0, 0, 10, 10], [10, 0, 20, 10], 0],
    ['zero-area box', [5, 5, 5, 5], [0, 0, 10, 10], 0],
  ])('%s', (_n, a, b, expected) => {
    expect(iouXyxy(a, 0, b, 0)).toBeCloseTo(expected, 6);
  });
});

describe('nmsPerClass', () => {
  it.each([
    ['empty', [], [], [], []],
    [
      'keeps the best of two overlapping same-class boxes',
      [0, 0, 10, 10, 1, 1, 11, 11],
      [0.6, 0.9],
      [0, 0],
      [1],
    ],
    [
      'keeps overlapping boxes of different classes',
      [0, 0, 10, 10, 1, 1, 11, 11],
      [0.6, 0.9],
      [0, 2],
      [1, 0],
    ],
    ['keeps distant same-class boxes', [0, 0, 10, 10, 50, 50, 60, 60], [0.6, 0.9], [0, 0], [1, 0]],
    [
      'chain: suppressed box does not suppress others',
      [0, 0, 10, 10, 3, 0, 13, 10, 9, 0, 19, 10],
      [0.9, 0.8, 0.7],
      [0, 0, 0],
      [0, 2],
    ],
  ])('%s', (_n, boxes, scores, classes, expected) => {
    expect(nmsPerClass(boxes, scores, classes, 0.45)).toEqual(expected);
  });
});
