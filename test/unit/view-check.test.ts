// The per-frame view check on synthetic model frames whose motion is known exactly (sub-pixel shifts, zoom, roll,
// exposure, occlusion), against its limit CHECK_MOVE_PX.
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../edge/ingest/frame.ts';
import { CHECK_FOLLOW_PX, CHECK_MOVE_PX, ViewCheck } from '../../edge/view/view-check.ts';
import { applyUnits, type PointNorm } from '../../edge/view/view-transform.ts';

const SPEC = {
  width: 416,
  height: 256,
  pixelFormat: 'rgb24' as const,
  fit: 'letterbox-center' as const,
  padValue: 114,
};
/** A 16:9 picture letterboxed into the 416 x 256 input, as ingest delivers it. */
const CONTENT = { x: 0, y: 11, width: 416, height: 234 };

/** A fixed random scene: 8 px blocks of random grey, bilinear between block centres (a corner at every block). */
function scene(seed: number) {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const N = 96;
  const grid = Float32Array.from({ length: N * N }, () => 30 + 180 * rnd());
  const at = (i: number, j: number) => grid[(((j % N) + N) % N) * N + (((i % N) + N) % N)]!;
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

interface Motion {
  dxPx?: number;
  dyPx?: number;
  zoom?: number;
  rollDeg?: number;
  /** Exposure: out = gain * in + offset. */
  gain?: number;
  offset?: number;
  /** Content pixels for which this returns a value show it instead of the scene (a vehicle, a cover). */
  cover?: (x: number, y: number) => number | undefined;
}

/** A model frame whose content shows `tex` through a camera that moved by `m` about the picture's centre. */
function render(tex: (x: number, y: number) => number, m: Motion = {}, content = CONTENT): Frame {
  const data = Buffer.alloc(SPEC.width * SPEC.height * 3, 114);
  const cx = content.width / 2;
  const cy = content.height / 2;
  const zoom = m.zoom ?? 1;
  const r = ((m.rollDeg ?? 0) * Math.PI) / 180;
  for (let y = 0; y < content.height; y++)
    for (let x = 0; x < content.width; x++) {
      // Scene point q shows at p = R (zoom (q - c)) + c + t: invert it for each pixel p.
      const px = x - cx - (m.dxPx ?? 0);
      const py = y - cy - (m.dyPx ?? 0);
      const qx = (Math.cos(r) * px + Math.sin(r) * py) / zoom + cx;
      const qy = (-Math.sin(r) * px + Math.cos(r) * py) / zoom + cy;
      const v = m.cover?.(x, y) ?? (m.gain ?? 1) * tex(qx, qy) + (m.offset ?? 0);
      // Grey: every luma weighting gives the value back.
      data.fill(
        Math.max(0, Math.min(255, Math.round(v))),
        ((content.y + y) * SPEC.width + content.x + x) * 3,
        ((content.y + y) * SPEC.width + content.x + x) * 3 + 3,
      );
    }
  return {
    cameraId: 'c',
    seq: 0,
    tsMs: 0,
    spec: SPEC,
    content,
    sourceWidth: 1920,
    sourceHeight: 1080,
    data,
  };
}

/** Background points as a full measurement would hand them over: every 12 px over the picture. */
const CANDIDATES: PointNorm[] = [];
for (let y = 6; y < CONTENT.height; y += 12)
  for (let x = 6; x < CONTENT.width; x += 12) CANDIDATES.push([x / CONTENT.width, y / CONTENT.height]);

const tex = scene(11);
const other = scene(99);
const anchored = () => ViewCheck.anchor(render(tex), CANDIDATES)!;

describe('ViewCheck', () => {
  it('anchors 32 textured points spread over the picture', () => {
    expect(anchored().size).toBe(32);
  });

  // Largest movement of a picture corner for each motion, px: shift |t|; zoom (s - 1) * half-diagonal; roll
  // angle * half-diagonal (half-diagonal of 416 x 234: 238.6 px).
  it.each([
    ['no motion', true, 0, {}],
    ['0.2 px right', true, 0.2, { dxPx: 0.2 }],
    ['0.3 px right and 0.3 px down', true, 0.42, { dxPx: 0.3, dyPx: 0.3 }],
    ['exposure +25 grey levels', true, 0, { offset: 25 }],
    ['exposure 10 % brighter', true, 0, { gain: 1.1 }],
    ['0.8 px left', false, 0.8, { dxPx: -0.8 }],
    ['1.2 px up', false, 1.2, { dyPx: -1.2 }],
    ['zoom in 0.5 %', false, 1.19, { zoom: 1.005 }],
    ['roll 0.3 degrees', false, 1.25, { rollDeg: 0.3 }],
  ] as [
    string,
    boolean,
    number,
    Motion,
  ][])('%s: unchanged %s, largest move %s px', (_n, unchanged, movePx, m) => {
    const r = anchored().run(render(tex, m));
    expect(r.unchanged).toBe(unchanged);
    expect(r.found).toBeGreaterThanOrEqual(24);
    expect(Math.abs(r.movePx - movePx)).toBeLessThan(0.15);
  });

  // The stage follows the view with the check's fit up to CHECK_FOLLOW_PX: where it puts the picture's corners
  // against where the motion put them.
  it.each([
    ['no motion', {}],
    ['0.3 px right and 0.3 px down', { dxPx: 0.3, dyPx: 0.3 }],
    ['0.8 px left', { dxPx: -0.8 }],
    ['0.9 px up, exposure 10 % brighter', { dyPx: -0.9, gain: 1.1 }],
    ['zoom in 0.4 %', { zoom: 1.004 }],
    ['roll 0.1 degrees and 0.4 px right', { rollDeg: 0.1, dxPx: 0.4 }],
  ] as [string, Motion][])('%s: the fit puts every corner within 0.1 px of where it moved', (_n, m) => {
    const r = anchored().run(render(tex, m));
    const { width: W, height: H } = CONTENT;
    const zoom = m.zoom ?? 1;
    const a = ((m.rollDeg ?? 0) * Math.PI) / 180;
    expect(r.fit).toBeDefined();
    expect(r.movePx).toBeLessThanOrEqual(CHECK_FOLLOW_PX);
    for (const [qx, qy] of [
      [0, 0],
      [W, 0],
      [0, H],
      [W, H],
    ] as const) {
      // p = R (zoom (q - c)) + c + t, as render draws it.
      const ux = zoom * (qx - W / 2);
      const uy = zoom * (qy - H / 2);
      const px = Math.cos(a) * ux - Math.sin(a) * uy + W / 2 + (m.dxPx ?? 0);
      const py = Math.sin(a) * ux + Math.cos(a) * uy + H / 2 + (m.dyPx ?? 0);
      const [fx, fy] = applyUnits(r.fit!, qx / W, qy / W);
      expect(Math.hypot(fx * W - px, fy * W - py)).toBeLessThan(0.1);
    }
  });

  it.each([
    ['a jump of 20 px', { dxPx: 20 }],
    ['a zoom of 10 %', { zoom: 1.1 }],
    ['another scene (the camera re-aimed)', { cover: (x: number, y: number) => other(x, y) }],
    ['a covered lens', { cover: () => 128 }],
    [
      'vehicles over 80 % of the picture',
      { cover: (x: number, y: number) => (y < 0.8 * 234 ? other(x, y) : undefined) },
    ],
  ] as [string, Motion][])('%s: changed', (_n, m) => {
    const r = anchored().run(render(tex, m));
    expect(r.unchanged).toBe(false);
  });

  it('vehicles over a third of the picture leave the points on the rest: unchanged', () => {
    const r = anchored().run(render(tex, { cover: (x, y) => (x < 416 / 3 ? other(x, y) : undefined) }));
    expect(r.unchanged).toBe(true);
    expect(r.found).toBeLessThan(32);
    expect(r.movePx).toBeLessThan(CHECK_MOVE_PX / 2);
  });

  it.each([
    ['no candidates', render(tex), [] as PointNorm[], []],
    ['a flat picture', render(tex, { cover: () => 90 }), CANDIDATES, []],
    [
      'candidates off the picture',
      render(tex),
      [
        [-0.1, 0.5],
        [1, 0.5],
        [0.5, Number.NaN],
      ] as PointNorm[],
      [],
    ],
    ['every candidate on a vehicle', render(tex), CANDIDATES, [[0, 0, 1, 1]] as const],
    [
      'candidates only at the edge (a patch would leave the picture)',
      render(tex),
      [
        [0.001, 0.5],
        [0.5, 0.999],
      ] as PointNorm[],
      [],
    ],
  ])('%s: nothing to anchor on', (_n, frame, candidates, boxes) => {
    expect(ViewCheck.anchor(frame, candidates, boxes)).toBeUndefined();
  });

  it('candidates inside the excluded boxes are left out', () => {
    const left = ViewCheck.anchor(render(tex), CANDIDATES, [[0, 0, 0.5, 1]])!;
    expect(left.size).toBeGreaterThanOrEqual(10);
    // Only the right half remains: covering it all makes the view "changed" although the left half is unmoved.
    const r = left.run(render(tex, { cover: (x, y) => (x >= 208 ? other(x, y) : undefined) }));
    expect(r.unchanged).toBe(false);
  });

  it('a frame of another picture size is never unchanged', () => {
    const r = anchored().run(render(tex, {}, { x: 0, y: 0, width: 416, height: 256 }));
    expect(r).toEqual({ unchanged: false, found: 0, movePx: Number.POSITIVE_INFINITY });
  });
});
