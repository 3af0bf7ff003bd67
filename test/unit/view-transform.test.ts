import { describe, expect, it } from 'vitest';
import {
  applyNorm,
  compose,
  driftOf,
  fitSimilarity,
  identity,
  invert,
  mapBox,
  type ViewTransform,
} from '../../edge/view/view-transform.ts';

const ASPECT = 9 / 16;
/** Zoom s about the picture centre, then shift by (dx, dy) fractions of width/height, roll deg. */
function about(s: number, rollDeg = 0, dxNorm = 0, dyNorm = 0): ViewTransform {
  const a = s * Math.cos((rollDeg * Math.PI) / 180);
  const b = s * Math.sin((rollDeg * Math.PI) / 180);
  const cx = 0.5;
  const cy = 0.5 * ASPECT;
  return {
    a,
    b,
    tx: cx - (a * cx - b * cy) + dxNorm,
    ty: cy - (b * cx + a * cy) + dyNorm * ASPECT,
    aspect: ASPECT,
  };
}
function close(a: readonly number[], b: readonly number[], digits = 9): void {
  expect(a).toHaveLength(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, digits);
}

describe('applyNorm: points in normalised coordinates', () => {
  it.each([
    ['identity keeps a point', identity(ASPECT), [0.3, 0.7], [0.3, 0.7]],
    ['shift of 2.5 % of the width', about(1, 0, 0.025), [0.3, 0.7], [0.325, 0.7]],
    ['shift of 10 % of the height', about(1, 0, 0, 0.1), [0.3, 0.7], [0.3, 0.8]],
    ['zoom 1.1 keeps the centre', about(1.1), [0.5, 0.5], [0.5, 0.5]],
    ['zoom 1.1 pushes a corner out', about(1.1), [0, 0], [-0.05, -0.05]],
    // a 90° roll in width units: (x, y) about the centre -> (-y, x); normalised y is stretched by 16/9
    ['roll 90° about the centre', about(1, 90), [0.5 + 0.1, 0.5], [0.5, 0.5 + 0.1 / ASPECT]],
  ] as [string, ViewTransform, [number, number], [number, number]][])('%s', (_n, t, p, want) => {
    close(applyNorm(t, p), want);
  });
});

describe('invert and compose', () => {
  it.each([
    ['identity', identity(ASPECT)],
    ['shift', about(1, 0, 0.03, -0.02)],
    ['zoom out', about(0.9)],
    ['zoom, roll and shift', about(1.07, 3, -0.01, 0.02)],
  ] as [string, ViewTransform][])('%s: t∘t⁻¹ is the identity on points', (_n, t) => {
    const inv = invert(t)!;
    for (const p of [
      [0, 0],
      [1, 1],
      [0.25, 0.8],
    ] as [number, number][]) {
      close(applyNorm(compose(t, inv), p), p);
      close(applyNorm(inv, applyNorm(t, p)), p);
    }
  });

  it.each([
    ['zero scale', { a: 0, b: 0, tx: 0.1, ty: 0, aspect: ASPECT }],
    ['NaN', { a: Number.NaN, b: 0, tx: 0, ty: 0, aspect: ASPECT }],
  ])('%s has no inverse', (_n, t) => {
    expect(invert(t)).toBeUndefined();
  });

  it('compose applies inner first', () => {
    const shift = about(1, 0, 0.1);
    const zoom = about(2);
    // shift then zoom about the centre: 0.5 -> 0.6 -> 0.7
    close(applyNorm(compose(zoom, shift), [0.5, 0.5]), [0.7, 0.5]);
    // zoom then shift: 0.5 -> 0.5 -> 0.6
    close(applyNorm(compose(shift, zoom), [0.5, 0.5]), [0.6, 0.5]);
  });
});

describe('mapBox', () => {
  it.each([
    ['identity', identity(ASPECT), [0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4]],
    ['shift right', about(1, 0, 0.05), [0.1, 0.2, 0.3, 0.4], [0.15, 0.2, 0.35, 0.4]],
    ['zoom about the centre', about(2), [0.4, 0.4, 0.6, 0.6], [0.3, 0.3, 0.7, 0.7]],
    ['pushed past the edge is clamped', about(1, 0, 0.2), [0.7, 0.2, 0.95, 0.4], [0.9, 0.2, 1, 0.4]],
    ['entirely outside collapses onto the edge', about(1, 0, -0.5), [0.1, 0.1, 0.3, 0.3], [0, 0.1, 0, 0.3]],
    ['empty box stays empty', about(1, 0, 0.1), [0.5, 0.5, 0.5, 0.5], [0.6, 0.5, 0.6, 0.5]],
  ] as [string, ViewTransform, number[], number[]][])('%s', (_n, t, box, want) => {
    close(mapBox(t, box as [number, number, number, number]), want);
  });

  it('a small roll grows the box to hold the rotated corners', () => {
    const [x1, y1, x2, y2] = mapBox(about(1, 2), [0.4, 0.4, 0.6, 0.6]);
    expect(x2 - x1).toBeGreaterThan(0.2);
    expect(y2 - y1).toBeGreaterThan(0.2);
    expect(x2 - x1).toBeLessThan(0.22);
  });
});

describe('driftOf', () => {
  it.each([
    ['identity', identity(ASPECT), [0, 0], 1, 0, 0],
    // the acceptance's slide: 40 px of a 1600 px wide picture
    ['slide of 40 px at 1600 wide', about(1, 0, -40 / 1600), [-0.025, 0], 1, 0, 0.025],
    // a 10 % zoom moves every corner by 5 % of the width and 5 % of the height
    ['sudden 10 % zoom', about(1.1), [0, 0], 1.1, 0, Math.hypot(0.05, 0.05 * ASPECT)],
    ['zoom out 10 %', about(1 / 1.1), [0, 0], 1 / 1.1, 0, Math.hypot(0.05, 0.05 * ASPECT) / 1.1],
    ['roll of 1°', about(1, 1), [0, 0], 1, 1, 2 * Math.sin(Math.PI / 360) * Math.hypot(0.5, 0.5 * ASPECT)],
  ] as [
    string,
    ViewTransform,
    [number, number],
    number,
    number,
    number,
  ][])('%s', (_n, t, shift, scale, rot, move) => {
    const d = driftOf(t);
    close(d.shiftNorm, shift);
    expect(d.scale).toBeCloseTo(scale, 9);
    expect(d.rotationDeg).toBeCloseTo(rot, 9);
    expect(d.maxMoveNorm).toBeCloseTo(move, 9);
  });
});

describe('fitSimilarity', () => {
  const grid: [number, number][] = [];
  for (let i = 0; i <= 4; i++) for (let j = 0; j <= 4; j++) grid.push([i / 4, (j / 4) * ASPECT]);
  const mapped = (t: ViewTransform) =>
    grid.map(([x, y]) => [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty] as [number, number]);

  it.each([
    ['identity', identity(ASPECT)],
    ['shift', about(1, 0, 0.02, -0.03)],
    ['zoom and roll', about(1.1, -4, 0.01, 0)],
    ['zoom out', about(0.8)],
  ] as [string, ViewTransform][])('recovers %s exactly from noise-free pairs', (_n, t) => {
    const fit = fitSimilarity(grid, mapped(t), ASPECT)!;
    close([fit.a, fit.b, fit.tx, fit.ty], [t.a, t.b, t.tx, t.ty]);
  });

  it('is the least-squares fit under symmetric noise (the mean of +e and -e)', () => {
    const t = about(1.05, 1, 0.01);
    const clean = mapped(t);
    const noisy = clean.map(([x, y], i) => [x + (i % 2 ? 1e-3 : -1e-3), y] as [number, number]);
    const doubled = fitSimilarity(
      [...grid, ...grid],
      [...noisy, ...noisy.map(([x, y], i) => [clean[i]![0] * 2 - x, y] as [number, number])],
      ASPECT,
    )!;
    close([doubled.a, doubled.b, doubled.tx, doubled.ty], [t.a, t.b, t.tx, t.ty]);
  });

  it.each([
    ['no pairs', [], []],
    ['one pair', [[0.1, 0.1]], [[0.2, 0.2]]],
    [
      'all source points coincide',
      [
        [0.3, 0.3],
        [0.3, 0.3],
        [0.3, 0.3],
      ],
      [
        [0.1, 0.1],
        [0.2, 0.2],
        [0.3, 0.3],
      ],
    ],
  ] as [string, [number, number][], [number, number][]][])('%s: no fit', (_n, src, dst) => {
    expect(fitSimilarity(src, dst, ASPECT)).toBeUndefined();
  });
});
