import { describe, expect, it } from 'vitest';
import { classThresholds } from '../../edge/detect/class-thresholds.ts';

const LABELS = ['person', 'bicycle', 'car'];
const INF = Number.POSITIVE_INFINITY;

describe('classThresholds', () => {
  it.each([
    ['confidence only', { confidence: 0.3 }, [0.3, 0.3, 0.3], 0.3, 0.3],
    [
      'per-class override can lower and raise',
      { confidence: 0.3, classConfidence: { person: 0.5, car: 0.2 } },
      [0.5, 0.3, 0.2],
      0.3,
      0.2,
    ],
    [
      'allow-list drops the rest and unknown ids',
      { confidence: 0.4, classes: ['car'] },
      [INF, INF, 0.4],
      INF,
      0.4,
    ],
    [
      'allow-list with a per-class score',
      { confidence: 0.4, classes: ['person', 'car'], classConfidence: { car: 0.6 } },
      [0.4, INF, 0.6],
      INF,
      0.4,
    ],
  ])('%s', (_n, cfg, byClass, unknown, min) => {
    const t = classThresholds(cfg, LABELS);
    expect(Array.from(t.byClass).map((v) => (Number.isFinite(v) ? Number(v.toFixed(6)) : v))).toEqual(
      byClass,
    );
    expect(t.unknownClass).toBe(unknown);
    expect(t.min).toBeCloseTo(min, 6);
  });

  it.each([
    [{ confidence: 0.3, classes: ['bus'] }, "detector.classes: unknown class 'bus'"],
    [{ confidence: 0.3, classConfidence: { Car: 0.5 } }, "detector.classConfidence.Car: unknown class 'Car'"],
  ])('rejects unknown labels naming the field: %j', (cfg, message) => {
    expect(() => classThresholds(cfg, LABELS)).toThrow(message);
  });
});
