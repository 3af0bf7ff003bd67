import { describe, expect, it } from 'vitest';
import {
  type BoxCxcywh,
  cxcywhToXyxy,
  KalmanFilter,
  STD_WEIGHT_POSITION,
  xyxyToCxcywh,
} from '../../edge/track/kalman-filter.ts';

const kf = new KalmanFilter();
const at = (cov: number[], i: number, j: number) => cov[i * 8 + j]!;

describe('Kalman filter (constant velocity over cx, cy, w, h)', () => {
  it.each<[string, BoxCxcywh]>([
    ['small far box', [0.2, 0.3, 0.02, 0.03]],
    ['large near box', [0.5, 0.8, 0.3, 0.4]],
  ])('initiate (%s): mean is the box at rest, position variance scales with the box', (_, z) => {
    const s = kf.initiate(z);
    expect(s.mean).toEqual([...z, 0, 0, 0, 0]);
    expect(at(s.cov, 0, 0)).toBeCloseTo((2 * STD_WEIGHT_POSITION * z[2]) ** 2, 12);
    expect(at(s.cov, 1, 1)).toBeCloseTo((2 * STD_WEIGHT_POSITION * z[3]) ** 2, 12);
    expect(at(s.cov, 0, 1)).toBe(0);
  });

  it.each([
    [0.01, 0],
    [0, -0.02],
    [0.03, 0.01],
  ])('predict moves the mean by its velocity (%f, %f) and grows the uncertainty', (vx, vy) => {
    const s0 = kf.initiate([0.5, 0.5, 0.1, 0.1]);
    s0.mean[4] = vx;
    s0.mean[5] = vy;
    const s1 = kf.predict(s0);
    expect(s1.mean[0]).toBeCloseTo(0.5 + vx, 12);
    expect(s1.mean[1]).toBeCloseTo(0.5 + vy, 12);
    expect(s1.mean[4]).toBe(vx);
    for (let i = 0; i < 8; i++) expect(at(s1.cov, i, i)).toBeGreaterThan(at(s0.cov, i, i));
    for (let i = 0; i < 8; i++)
      for (let j = 0; j < 8; j++) expect(at(s1.cov, i, j)).toBeCloseTo(at(s1.cov, j, i), 15);
  });

  it.each([
    [0.6, 0.5],
    [0.4, 0.55],
  ])('update pulls the mean towards the measurement (%f, %f) and shrinks the variance', (mx, my) => {
    const s0 = kf.predict(kf.initiate([0.5, 0.5, 0.1, 0.1]));
    const s1 = kf.update(s0, [mx, my, 0.1, 0.1]);
    // Between prediction and measurement, strictly.
    expect(Math.abs(s1.mean[0]! - mx)).toBeLessThan(Math.abs(s0.mean[0]! - mx) + 1e-15);
    expect((s1.mean[0]! - 0.5) * (mx - 0.5)).toBeGreaterThanOrEqual(0);
    expect((s1.mean[1]! - 0.5) * (my - 0.5)).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < 4; i++) expect(at(s1.cov, i, i)).toBeLessThan(at(s0.cov, i, i));
  });

  it.each([
    [0.01, 0.005],
    [-0.02, 0.01],
    [0, 0],
  ])('learns a constant velocity (%f, %f per frame) from measurements and predicts the next box', (vx, vy) => {
    let s = kf.initiate([0.3, 0.4, 0.08, 0.06]);
    for (let k = 1; k <= 30; k++) {
      s = kf.predict(s);
      s = kf.update(s, [0.3 + vx * k, 0.4 + vy * k, 0.08, 0.06]);
    }
    expect(s.mean[4]).toBeCloseTo(vx, 3);
    expect(s.mean[5]).toBeCloseTo(vy, 3);
    const next = kf.predict(s);
    expect(next.mean[0]).toBeCloseTo(0.3 + vx * 31, 3);
    expect(next.mean[1]).toBeCloseTo(0.4 + vy * 31, 3);
  });

  it('a zero-size box does not make the filter singular', () => {
    const s = kf.update(kf.predict(kf.initiate([0.5, 0.5, 0, 0])), [0.5, 0.5, 0, 0]);
    for (const v of s.mean) expect(Number.isFinite(v)).toBe(true);
  });

  it.each<[[number, number, number, number]]>([
    [[0.1, 0.2, 0.3, 0.6]],
    [[0, 0, 1, 1]],
  ])('xyxy <-> cxcywh round-trips %j', (box) => {
    const back = cxcywhToXyxy(xyxyToCxcywh(box));
    back.forEach((v, i) => {
      expect(v).toBeCloseTo(box[i]!, 12);
    });
  });
});
