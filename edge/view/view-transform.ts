// A similarity transform between two views of one camera (shift, zoom, roll), and the pure maths on it.

/**
 * p' = [a -b; b a] p + [tx, ty], in *width units*: a pixel (x, y) of a W x H picture is (x / W, y / W). Both axes
 * share one unit, so a rotation stays a rotation (normalised 0..1 coordinates stretch y by W / H and would not).
 * `aspect` is H / W of the picture, needed to go to and from normalised coordinates.
 */
export interface ViewTransform {
  a: number;
  b: number;
  tx: number;
  ty: number;
  aspect: number;
}

/** How far a view has moved, in words a reviewer reads and units a config states. */
export interface ViewDrift {
  /** Where the reference picture's centre now appears, minus the centre: fractions of the width and height. */
  shiftNorm: [number, number];
  /** Zoom: > 1 the picture is magnified (zoomed in) against the reference. */
  scale: number;
  /** Roll, degrees, clockwise on screen (y points down). */
  rotationDeg: number;
  /** The largest displacement of any point of the picture (it is at a corner), as a fraction of the width. */
  maxMoveNorm: number;
}

export type PointNorm = readonly [number, number];
export type BoxNorm = readonly [number, number, number, number];

export const identity = (aspect: number): ViewTransform => ({ a: 1, b: 0, tx: 0, ty: 0, aspect });

/** Applies t to a point in width units. */
export function applyUnits(t: ViewTransform, x: number, y: number): [number, number] {
  return [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];
}

/** Applies t to a point in normalised 0..1 coordinates (not clamped: a point may leave the picture). */
export function applyNorm(t: ViewTransform, p: PointNorm): [number, number] {
  const [x, y] = applyUnits(t, p[0], p[1] * t.aspect);
  return [x, y / t.aspect];
}

/** The inverse transform; undefined when t is degenerate (zero scale). */
export function invert(t: ViewTransform): ViewTransform | undefined {
  const d = t.a * t.a + t.b * t.b;
  if (!(d > 1e-12) || !Number.isFinite(d)) return undefined;
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty), aspect: t.aspect };
}

/** outer(inner(p)): first inner, then outer. */
export function compose(outer: ViewTransform, inner: ViewTransform): ViewTransform {
  const [tx, ty] = applyUnits(outer, inner.tx, inner.ty);
  return {
    a: outer.a * inner.a - outer.b * inner.b,
    b: outer.a * inner.b + outer.b * inner.a,
    tx,
    ty,
    aspect: outer.aspect,
  };
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/**
 * Maps a box through t: the axis-aligned bounds of its four mapped corners, clamped to the picture. Under a
 * pure shift and zoom that is exact; under a small roll it grows the box by the roll's sliver.
 */
export function mapBox(t: ViewTransform, box: BoxNorm): [number, number, number, number] {
  const corners = [
    applyNorm(t, [box[0], box[1]]),
    applyNorm(t, [box[2], box[1]]),
    applyNorm(t, [box[0], box[3]]),
    applyNorm(t, [box[2], box[3]]),
  ];
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  return [
    clamp01(Math.min(...xs)),
    clamp01(Math.min(...ys)),
    clamp01(Math.max(...xs)),
    clamp01(Math.max(...ys)),
  ];
}

/** The drift that t (reference -> current) describes. */
export function driftOf(t: ViewTransform): ViewDrift {
  const cx = 0.5;
  const cy = 0.5 * t.aspect;
  const [mx, my] = applyUnits(t, cx, cy);
  let maxMove = 0;
  for (const [x, y] of [
    [0, 0],
    [1, 0],
    [0, t.aspect],
    [1, t.aspect],
  ] as const) {
    const [u, v] = applyUnits(t, x, y);
    maxMove = Math.max(maxMove, Math.hypot(u - x, v - y));
  }
  return {
    shiftNorm: [mx - cx, (my - cy) / t.aspect],
    scale: Math.hypot(t.a, t.b),
    rotationDeg: (Math.atan2(t.b, t.a) * 180) / Math.PI,
    maxMoveNorm: maxMove,
  };
}

/**
 * Least-squares similarity taking src[i] to dst[i] (width units; Umeyama's closed form without reflection).
 * Undefined for fewer than 2 pairs, or points that all coincide (no scale or rotation can be read off them).
 */
export function fitSimilarity(
  src: readonly (readonly [number, number])[],
  dst: readonly (readonly [number, number])[],
  aspect: number,
): ViewTransform | undefined {
  const n = Math.min(src.length, dst.length);
  if (n < 2) return undefined;
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]![0];
    sy += src[i]![1];
    dx += dst[i]![0];
    dy += dst[i]![1];
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let pp = 0;
  let dot = 0;
  let cross = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]![0] - sx;
    const py = src[i]![1] - sy;
    const qx = dst[i]![0] - dx;
    const qy = dst[i]![1] - dy;
    pp += px * px + py * py;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
  }
  if (!(pp > 1e-12)) return undefined;
  const a = dot / pp;
  const b = cross / pp;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy), aspect };
}
