// The estimator with the real OpenCV build on synthetic pictures whose motion is known exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyDrift } from '../../edge/view/drift-classifier.ts';
import { ViewEstimator } from '../../edge/view/view-estimator.ts';
import type { ViewImage } from '../../edge/view/view-image.ts';
import { driftOf, identity } from '../../edge/view/view-transform.ts';

const W = 320;
const H = 180;
const ASPECT = H / W;
const LIMITS = { maxMoveNorm: 0.04, minInliers: 15, minSpreadNorm: 0.2 };

/** A fixed random scene: 8 px blocks of random grey, smoothed, as a function of continuous coordinates. */
function scene(seed: number) {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const N = 96;
  const grid = Float32Array.from({ length: N * N }, () => 30 + 200 * rnd());
  const at = (i: number, j: number) => grid[(((j % N) + N) % N) * N + (((i % N) + N) % N)]!;
  // Bilinear between block centres: smooth enough for LK, with corners at every block.
  return (x: number, y: number) => {
    const u = x / 8;
    const v = y / 8;
    const i = Math.floor(u);
    const j = Math.floor(v);
    const fu = u - i;
    const fv = v - j;
    return (
      at(i, j) * (1 - fu) * (1 - fv) +
      at(i + 1, j) * fu * (1 - fv) +
      at(i, j + 1) * (1 - fu) * fv +
      at(i + 1, j + 1) * fu * fv
    );
  };
}

/** Renders the view of `tex` seen through a camera that moved: pixel p of the view shows scene point (p - shift) / zoom about the centre. */
function render(
  tex: (x: number, y: number) => number,
  o: { dxPx?: number; dyPx?: number; zoom?: number } = {},
): ViewImage {
  const zoom = o.zoom ?? 1;
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const sx = (x - (o.dxPx ?? 0) - W / 2) / zoom + W / 2;
      const sy = (y - (o.dyPx ?? 0) - H / 2) / zoom + H / 2;
      data[y * W + x] = Math.round(tex(sx, sy));
    }
  return { width: W, height: H, data };
}

const blank = (): ViewImage => ({ width: W, height: H, data: new Uint8Array(W * H).fill(128) });

describe('ViewEstimator on synthetic pictures (real OpenCV)', () => {
  let est: ViewEstimator;
  const tex = scene(7);
  beforeAll(async () => {
    est = await ViewEstimator.create({ maxCorners: 200 });
  });
  afterAll(() => est?.close());

  it.each([
    ['no motion', {}, 0, 0, 1],
    ['shift 6 px right, 3 px down', { dxPx: 6, dyPx: 3 }, 6, 3, 1],
    ['shift 12 px left', { dxPx: -12 }, -12, 0, 1],
    ['zoom in 10 %', { zoom: 1.1 }, 0, 0, 1.1],
    ['zoom out 5 % and shift', { zoom: 0.95, dxPx: 4 }, 4, 0, 0.95],
  ] as [
    string,
    { dxPx?: number; dyPx?: number; zoom?: number },
    number,
    number,
    number,
  ][])('%s is measured within 0.5 px and 0.5 % of zoom', (_n, motion, dx, dy, zoom) => {
    expect(est.setKeyframe(render(tex), identity(ASPECT))).toBeGreaterThan(100);
    const e = est.estimate(render(tex, motion))!;
    expect(e).toBeDefined();
    const d = driftOf(e.transform);
    expect(Math.abs(d.shiftNorm[0] * W - dx)).toBeLessThan(0.5);
    expect(Math.abs(d.shiftNorm[1] * H - dy)).toBeLessThan(0.5);
    expect(Math.abs(d.scale - zoom)).toBeLessThan(0.005);
    expect(e.inliers).toBeGreaterThan(100);
  });

  it("follows the drift through a refreshed keyframe (estimates compose with the keyframe's own transform)", () => {
    est.setKeyframe(render(tex), identity(ASPECT));
    const first = est.estimate(render(tex, { dxPx: 8 }))!;
    est.setKeyframe(render(tex, { dxPx: 8 }), first.transform);
    const d = driftOf(est.estimate(render(tex, { dxPx: 14 }), first.transform)!.transform);
    expect(Math.abs(d.shiftNorm[0] * W - 14)).toBeLessThan(0.5);
  });

  it('blank keyframe: no corners; with a minimum the old keyframe stays', () => {
    est.setKeyframe(render(tex), identity(ASPECT));
    expect(est.setKeyframe(blank(), identity(ASPECT), [], 30)).toBe(0);
    expect(est.keyCorners).toBeGreaterThan(100); // the textured keyframe was kept
    expect(est.setKeyframe(blank(), identity(ASPECT))).toBe(0);
    expect(est.keyCorners).toBe(0);
    expect(est.estimate(render(tex))).toBeUndefined();
    expect(classifyDrift(undefined, LIMITS).kind).toBe('unreliable');
  });

  it('blank current frame (lens covered, camera dark): not a measure the rules can run on', () => {
    est.setKeyframe(render(tex), identity(ASPECT));
    expect(classifyDrift(est.estimate(blank()), LIMITS).kind).toBe('unreliable');
  });

  it('corners inside excluded boxes (vehicles on the keyframe) are not picked', async () => {
    const many = await ViewEstimator.create({ maxCorners: 1000 }); // more than the scene has: counts tell
    try {
      const all = many.setKeyframe(render(tex), identity(ASPECT));
      const left = many.setKeyframe(render(tex), identity(ASPECT), [[0, 0, 0.5, 1]]);
      expect(left).toBeGreaterThan(0.35 * all);
      expect(left).toBeLessThan(0.65 * all);
    } finally {
      many.close();
    }
  });

  it('every feature on one moving object over a featureless road: unreliable, never taken for the camera', () => {
    // A 60x40 px textured "vehicle" on flat grey, moving 10 px right between keyframe and frame.
    const car = (offset: number): ViewImage => {
      const img = blank();
      for (let y = 100; y < 140; y++)
        for (let x = 40; x < 100; x++) img.data[y * W + x + offset] = Math.round(tex(x, y));
      return img;
    };
    est.setKeyframe(car(0), identity(ASPECT));
    const e = est.estimate(car(10));
    const v = classifyDrift(e, LIMITS);
    expect(v.kind).toBe('unreliable');
  });

  it('refuses an image of another size than the keyframe', () => {
    est.setKeyframe(render(tex), identity(ASPECT));
    expect(() => est.estimate({ width: 160, height: 90, data: new Uint8Array(160 * 90) })).toThrow(/differs/);
  });
});
