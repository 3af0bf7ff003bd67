import { describe, expect, it } from 'vitest';
import type { Detection } from '../../edge/detect/detection.ts';
import {
  compileDetectionFilter,
  filterDetections,
  filterIsActive,
} from '../../edge/detect/detection-filter.ts';

const LABELS = ['person', 'bicycle', 'car', 'motorcycle'];
const det = (label: string, score: number, box: [number, number, number, number]): Detection => ({
  classId: LABELS.indexOf(label),
  label,
  score,
  boxXyxyNorm: box,
});
// Anchor (bottom-centre) of each: a (0.2,0.4) b (0.7,0.9) c (0.5,0.95) tiny (0.105,0.105)
const A = det('car', 0.9, [0.1, 0.2, 0.3, 0.4]);
const B = det('person', 0.4, [0.6, 0.5, 0.8, 0.9]);
const C = det('motorcycle', 0.6, [0.45, 0.8, 0.55, 0.95]);
const TINY = det('car', 0.95, [0.1, 0.1, 0.11, 0.105]);
const ALL = [A, B, C, TINY];
const BOTTOM_HALF: [number, number][] = [
  [0, 0.5],
  [1, 0.5],
  [1, 1],
  [0, 1],
];
const RIGHT_STRIP: [number, number][] = [
  [0.6, 0],
  [1, 0],
  [1, 1],
  [0.6, 1],
];

describe('filterDetections', () => {
  it.each([
    ['empty config keeps everything', {}, ALL],
    ['class allow-list', { classes: ['car'] }, [A, TINY]],
    ['minimum confidence', { minConfidence: 0.5 }, [A, C, TINY]],
    ['per-class confidence raises one class', { classConfidence: { car: 0.92 } }, [B, C, TINY]],
    [
      'per-class confidence never lowers the camera minimum',
      { minConfidence: 0.5, classConfidence: { person: 0.1 } },
      [A, C, TINY],
    ],
    ['minimum width', { minBoxWidthNorm: 0.05 }, [A, B, C]],
    ['minimum height', { minBoxHeightNorm: 0.16 }, [A, B]],
    ['ROI keeps anchors inside (bottom half)', { roi: [BOTTOM_HALF] }, [B, C]],
    [
      'ROI of two polygons is their union',
      {
        roi: [
          RIGHT_STRIP,
          [
            [0, 0],
            [0.3, 0],
            [0.3, 0.3],
            [0, 0.3],
          ],
        ],
      },
      [B, TINY],
    ],
    ['mask drops anchors inside', { masks: [RIGHT_STRIP] }, [A, C, TINY]],
    ['mask applies after ROI', { roi: [BOTTOM_HALF], masks: [RIGHT_STRIP] }, [C]],
    [
      'everything at once',
      { classes: ['car', 'motorcycle'], minBoxWidthNorm: 0.05, masks: [RIGHT_STRIP] },
      [A, C],
    ],
  ] as const)('%s', (_name, cfg, expected) => {
    const f = compileDetectionFilter(cfg as never, LABELS, 'cameras.cam.detections');
    expect(filterDetections(ALL, f)).toEqual(expected);
  });

  it.each([
    ['bottom edge', [0.4, 0.7, 0.6, 1] as const],
    ['bottom-left corner', [0, 0.7, 0, 1] as const],
  ])('a box cut by the frame %s is inside a polygon drawn to that edge', (_n, box) => {
    const cut = det('car', 0.9, [...box]);
    const whole: [number, number][] = [
      [0, 0.5],
      [1, 0.5],
      [1, 1],
      [0, 1],
    ];
    expect(filterDetections([cut], compileDetectionFilter({ roi: [whole] }, LABELS, 'x'))).toEqual([cut]);
    expect(filterDetections([cut], compileDetectionFilter({ masks: [whole] }, LABELS, 'x'))).toEqual([]);
  });

  it('empty input gives empty output', () => {
    const f = compileDetectionFilter({ classes: ['car'] }, LABELS, 'x');
    expect(filterDetections([], f)).toEqual([]);
  });

  it('a class id beyond the labels is kept without an allow-list and dropped with one', () => {
    const odd: Detection = { classId: 17, label: '17', score: 0.5, boxXyxyNorm: [0.1, 0.1, 0.5, 0.5] };
    expect(filterDetections([odd], compileDetectionFilter({}, LABELS, 'x'))).toEqual([odd]);
    expect(filterDetections([odd], compileDetectionFilter({ classes: ['car'] }, LABELS, 'x'))).toEqual([]);
  });
});

describe('compileDetectionFilter', () => {
  it.each([
    ['classes', { classes: ['car', 'xe may'] }, "cameras.cam.detections.classes: unknown class 'xe may'"],
    [
      'classConfidence',
      { classConfidence: { truck: 0.5 } },
      "cameras.cam.detections.classConfidence.truck: unknown class 'truck'",
    ],
  ])('names the field and the unknown label (%s)', (_n, cfg, message) => {
    expect(() => compileDetectionFilter(cfg, LABELS, 'cameras.cam.detections')).toThrow(message);
  });

  it.each([
    ['defaults', {}, false],
    ['a class list', { classes: ['car'] }, true],
    ['a score', { minConfidence: 0.2 }, true],
    ['a per-class score of 0', { classConfidence: { car: 0 } }, false],
    ['a box size', { minBoxHeightNorm: 0.01 }, true],
    ['a mask', { masks: [RIGHT_STRIP] }, true],
  ])('filterIsActive with %s is %s', (_n, cfg, active) => {
    expect(filterIsActive(compileDetectionFilter(cfg, LABELS, 'x'))).toBe(active);
  });
});
