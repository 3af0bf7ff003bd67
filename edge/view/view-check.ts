// Pure: the cheap per-frame check that the view is still where the last full measurement put it: a few background
// patches of that frame, each followed into the current frame by a sub-pixel Lucas-Kanade step with a brightness
// offset, and the shift-zoom-roll their displacements agree on.
import type { Frame } from '../ingest/frame.ts';
import {
  type BoxNorm,
  driftOf,
  fitSimilarity,
  type PointNorm,
  type ViewTransform,
} from './view-transform.ts';

/** Patch radius (px of the model frame's picture): 9 x 9 pixels per point, enough texture for a corner. */
const R = 4;
const SIDE = 2 * R + 1;
const AREA = SIDE * SIDE;
/**
 * A point found further than this (px) from where it was is lost: one Taylor step is only trusted over a pixel
 * or so, and a view that moved that far is the full measurement's to judge.
 */
const MAX_SHIFT_PX = 1.5;
/** The current frame is read this far around a point: the patch, the largest shift and the bilinear neighbour. */
const READ = R + 1 + Math.ceil(MAX_SHIFT_PX);
const READ_SIDE = 2 * READ + 1;
/** Gauss-Newton steps per point: a background point converges (step < 0.03 px) in two or three; one that does
 * not within this many is lost. */
const ITERATIONS = 6;
const CONVERGED_PX = 0.03;
/**
 * Weakest texture a point may have: the smaller eigenvalue of its gradient matrix (brightness removed) per pixel,
 * grey levels^2 / px^2. A 9 x 9 patch below it cannot tell a 0.3 px shift from compression noise.
 */
const MIN_TEXTURE = 16;
/**
 * Largest RMS difference left after the shift and brightness offset, as a share of the patch's own contrast: a
 * vehicle over the patch leaves about all of it (measured on the HCMC clip: 0.9-1.1), the background a quarter
 * (0.1-0.45: compression noise and sub-pixel aliasing at corners).
 */
const MAX_RESIDUAL_SHARE = 0.5;
/** Points anchored (spread on a 4 x 4 grid of the picture). */
const POINTS = 32;
const GRID = 4;
/** At least this share of the anchored points, and MIN_FOUND, must be found: fewer is a covered view. */
const MIN_FOUND_SHARE = 0.4;
const MIN_FOUND = 10;
/**
 * The view is unchanged while the points' displacements move no point of the picture more than this (px of the
 * model frame's picture: 2.3 px of a 1080p source in a 416 px wide picture): the last full measurement stands,
 * so the drift it lets pass unmapped is bounded by this. More, and the stage follows the view with the check's
 * fit (up to CHECK_FOLLOW_PX) or measures it in full. On the HCMC clip's still view the check measures 0.01-0.24
 * px (compression noise): twice that keeps the estimate from jittering with the noise.
 */
export const CHECK_MOVE_PX = 0.5;
/**
 * Up to this movement (px of the model frame's picture) the check's own fit is precise enough to follow the view
 * with (a full measurement's frame -> this frame; the points are followed to 0.03 px and agree within OUTLIER_PX).
 * Beyond it a point nears MAX_SHIFT_PX, where the single Taylor step is no longer trusted, and the full
 * measurement takes over.
 */
export const CHECK_FOLLOW_PX = 1;
/** Points whose displacement disagrees with the points' common motion by more than this (px) are left out. */
const OUTLIER_PX = 0.5;

export interface ViewCheckResult {
  /** The view is where the anchor frame's measurement put it (within CHECK_MOVE_PX). */
  unchanged: boolean;
  /** Points found (unoccluded, textured as anchored, close to where they were). */
  found: number;
  /** Largest movement of any point of the picture since the anchor frame, px of the model frame's picture. */
  movePx: number;
  /** The anchor frame -> this frame (width units of the picture), when the points agreed on one. */
  fit?: ViewTransform;
}

interface Point {
  x: number;
  y: number;
  /** The anchor frame's luma, SIDE x SIDE about (x, y). */
  patch: Float32Array;
  gx: Float32Array;
  gy: Float32Array;
  /** Inverse of the 3 x 3 normal matrix of [gx, gy, -1] (row-major). */
  inv: Float64Array;
  /** Standard deviation of the patch (grey levels). */
  contrast: number;
}

/** BT.601 luma, as grayViewFromFrame computes it, of a size x size block of content pixels at (x0, y0). */
function readLuma(frame: Frame, x0: number, y0: number, size: number, out: Float32Array): void {
  const { content, spec, data } = frame;
  const rgb = spec.pixelFormat === 'rgb24';
  const rW = rgb ? 77 : 29;
  const bW = rgb ? 29 : 77;
  const stride = spec.width * 3;
  for (let y = 0; y < size; y++) {
    let i = (content.y + y0 + y) * stride + (content.x + x0) * 3;
    for (let x = 0; x < size; x++, i += 3)
      out[y * size + x] = (rW * data[i]! + 150 * data[i + 1]! + bW * data[i + 2]!) / 256;
  }
}

function invert3(m: Float64Array): Float64Array | undefined {
  const [a, b, c, d, e, f, g, h, k] = m as unknown as number[];
  const A = e! * k! - f! * h!;
  const B = -(d! * k! - f! * g!);
  const C = d! * h! - e! * g!;
  const det = a! * A + b! * B + c! * C;
  if (!(Math.abs(det) > 1e-9)) return undefined;
  return Float64Array.from([
    A / det,
    -(b! * k! - c! * h!) / det,
    (b! * f! - c! * e!) / det,
    B / det,
    (a! * k! - c! * g!) / det,
    -(a! * f! - c! * d!) / det,
    C / det,
    -(a! * h! - b! * g!) / det,
    (a! * e! - b! * d!) / det,
  ]);
}

/** A textured patch at (x, y) of the frame, or undefined when it is flat or too near the picture's edge. */
function anchorPoint(frame: Frame, x: number, y: number): Point | undefined {
  const { width, height } = frame.content;
  if (x - READ < 0 || y - READ < 0 || x + READ >= width || y + READ >= height) return undefined;
  const S = SIDE + 2;
  const block = new Float32Array(S * S);
  readLuma(frame, x - R - 1, y - R - 1, S, block);
  const patch = new Float32Array(AREA);
  const gx = new Float32Array(AREA);
  const gy = new Float32Array(AREA);
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  let sx = 0;
  let sy = 0;
  for (let v = 0; v < SIDE; v++)
    for (let u = 0; u < SIDE; u++) {
      const j = (v + 1) * S + u + 1;
      const k = v * SIDE + u;
      patch[k] = block[j]!;
      const dx = (block[j + 1]! - block[j - 1]!) / 2;
      const dy = (block[j + S]! - block[j - S]!) / 2;
      gx[k] = dx;
      gy[k] = dy;
      sxx += dx * dx;
      sxy += dx * dy;
      syy += dy * dy;
      sx += dx;
      sy += dy;
    }
  // The texture that is left once a brightness offset may absorb part of it (the Schur complement), per pixel.
  const cxx = (sxx - (sx * sx) / AREA) / AREA;
  const cxy = (sxy - (sx * sy) / AREA) / AREA;
  const cyy = (syy - (sy * sy) / AREA) / AREA;
  const minEig = (cxx + cyy) / 2 - Math.sqrt(((cxx - cyy) / 2) ** 2 + cxy * cxy);
  if (!(minEig >= MIN_TEXTURE)) return undefined;
  const inv = invert3(Float64Array.from([sxx, sxy, -sx, sxy, syy, -sy, -sx, -sy, AREA]));
  let mean = 0;
  for (const v of patch) mean += v / AREA;
  let variance = 0;
  for (const v of patch) variance += (v - mean) ** 2 / AREA;
  return inv ? { x, y, patch, gx, gy, inv, contrast: Math.sqrt(variance) } : undefined;
}

export class ViewCheck {
  private readonly block = new Float32Array(READ_SIDE * READ_SIDE);

  private constructor(
    private readonly points: readonly Point[],
    private readonly width: number,
    private readonly height: number,
  ) {}

  /** Points anchored (0 when none could be). */
  get size(): number {
    return this.points.length;
  }

  /**
   * Anchors the check on `frame`: up to POINTS of `candidatesNorm` (background points the full measurement found
   * on it, normalised to the picture), spread over a grid, outside `excludeBoxesNorm` (vehicles detected on it,
   * which may drive off) and textured. Undefined when fewer than MIN_FOUND qualify: the check could never pass.
   */
  static anchor(
    frame: Frame,
    candidatesNorm: readonly PointNorm[],
    excludeBoxesNorm: readonly BoxNorm[] = [],
  ): ViewCheck | undefined {
    const { width, height } = frame.content;
    const cells: PointNorm[][] = Array.from({ length: GRID * GRID }, () => []);
    for (const p of candidatesNorm) {
      if (!(p[0] >= 0 && p[0] < 1 && p[1] >= 0 && p[1] < 1)) continue;
      if (excludeBoxesNorm.some((b) => p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3]))
        continue;
      cells[Math.floor(p[1] * GRID) * GRID + Math.floor(p[0] * GRID)]!.push(p);
    }
    // Round robin over the cells: the points cover the picture rather than its busiest corner.
    const points: Point[] = [];
    for (let round = 0; points.length < POINTS && cells.some((c) => c.length > round); round++)
      for (const cell of cells) {
        const p = cell[round];
        if (!p || points.length >= POINTS) continue;
        const x = Math.round(p[0] * width);
        const y = Math.round(p[1] * height);
        if (points.some((q) => Math.abs(q.x - x) <= R && Math.abs(q.y - y) <= R)) continue;
        const point = anchorPoint(frame, x, y);
        if (point) points.push(point);
      }
    return points.length >= MIN_FOUND ? new ViewCheck(points, width, height) : undefined;
  }

  /** Follows the anchored points into `frame` (a frame of the same picture size) and judges the view. */
  run(frame: Frame): ViewCheckResult {
    const W = this.width;
    if (frame.content.width !== W || frame.content.height !== this.height)
      return { unchanged: false, found: 0, movePx: Number.POSITIVE_INFINITY };
    const src: [number, number][] = [];
    const dst: [number, number][] = [];
    for (const p of this.points) {
      const d = this.follow(frame, p);
      if (!d) continue;
      src.push([p.x / W, p.y / W]);
      dst.push([(p.x + d[0]) / W, (p.y + d[1]) / W]);
    }
    const needed = Math.max(MIN_FOUND, Math.ceil(MIN_FOUND_SHARE * this.points.length));
    const aspect = this.height / W;
    const all = fitSimilarity(src, dst, aspect);
    if (!all || src.length < needed)
      return { unchanged: false, found: src.length, movePx: Number.POSITIVE_INFINITY };
    // Once: points that disagree with the common motion (a vehicle creeping over one) are left out.
    const keep = src.flatMap((s, i) => {
      const u = all.a * s[0] - all.b * s[1] + all.tx;
      const v = all.b * s[0] + all.a * s[1] + all.ty;
      return Math.hypot(u - dst[i]![0], v - dst[i]![1]) * W <= OUTLIER_PX ? [i] : [];
    });
    const fit =
      keep.length >= needed
        ? fitSimilarity(
            keep.map((i) => src[i]!),
            keep.map((i) => dst[i]!),
            aspect,
          )
        : undefined;
    if (!fit) return { unchanged: false, found: keep.length, movePx: Number.POSITIVE_INFINITY };
    const movePx = driftOf(fit).maxMoveNorm * W;
    return { unchanged: movePx <= CHECK_MOVE_PX, found: keep.length, movePx, fit };
  }

  /** The point's displacement (px) from the anchor frame into `frame`, or undefined when it is lost. */
  private follow(frame: Frame, p: Point): [number, number] | undefined {
    const block = this.block;
    readLuma(frame, p.x - READ, p.y - READ, READ_SIDE, block);
    const { patch, gx, gy, inv } = p;
    let dx = 0;
    let dy = 0;
    for (let it = 0; it < ITERATIONS; it++) {
      // Minimise sum (C(u + d + step) - A(u) - b)^2 with C's gradient taken as A's (Lucas-Kanade in Baker and
      // Matthews' inverse compositional form: the normal matrix is the anchor's, inverted once). One shift for the
      // whole patch: the bilinear weights are the same for every pixel.
      const ix = Math.floor(dx);
      const iy = Math.floor(dy);
      const fx = dx - ix;
      const fy = dy - iy;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      let rx = 0;
      let ry = 0;
      let sum = 0;
      let sum2 = 0;
      for (let v = 0; v < SIDE; v++) {
        let j = (READ - R + v + iy) * READ_SIDE + READ - R + ix;
        let k = v * SIDE;
        for (let u = 0; u < SIDE; u++, j++, k++) {
          const c =
            block[j]! * w00 +
            block[j + 1]! * w01 +
            block[j + READ_SIDE]! * w10 +
            block[j + READ_SIDE + 1]! * w11;
          const e = c - patch[k]!;
          rx -= gx[k]! * e;
          ry -= gy[k]! * e;
          sum += e;
          sum2 += e * e;
        }
      }
      const sx = inv[0]! * rx + inv[1]! * ry + inv[2]! * sum;
      const sy = inv[3]! * rx + inv[4]! * ry + inv[5]! * sum;
      if (Math.hypot(sx, sy) < CONVERGED_PX) {
        // Converged: what is left once the shift and a brightness offset are taken out (a vehicle over the patch
        // leaves about all of its contrast).
        const residual = Math.sqrt(Math.max(0, sum2 / AREA - (sum / AREA) ** 2));
        return residual <= MAX_RESIDUAL_SHARE * p.contrast ? [dx + sx, dy + sy] : undefined;
      }
      dx += sx;
      dy += sy;
      if (!(Math.abs(dx) <= MAX_SHIFT_PX && Math.abs(dy) <= MAX_SHIFT_PX)) return undefined;
    }
    // Not converged: a patch that matches nowhere (or in two places) tells nothing.
    return undefined;
  }
}
