// Measures how a camera's view moved against a keyframe: corners on the keyframe, pyramidal Lucas-Kanade flow to
// the current image, RANSAC (OpenCV) and a least-squares similarity on the inliers.
import type { ViewEstimate } from './drift-classifier.ts';
import { loadOpenCv, type OpenCv } from './opencv.ts';
import type { ViewImage } from './view-image.ts';
import {
  type BoxNorm,
  compose,
  fitSimilarity,
  identity,
  invert,
  type ViewTransform,
} from './view-transform.ts';

export interface ViewEstimatorOptions {
  /** Corners picked on the keyframe (Shi-Tomasi). */
  maxCorners: number;
}

/** Corner quality relative to the strongest one (OpenCV's qualityLevel): 1 % keeps faint road texture. */
const CORNER_QUALITY = 0.01;
/** Corners at least 1/40 of the width apart, so a few textured objects cannot take every corner. */
const CORNER_SPACING = 1 / 40;
/**
 * LK window (px of the guard image), pyramid depth and iterations per level. An 11 px window, 3 levels and 10
 * iterations cost 0.5-0.65x the 13 px window with 20 iterations measured before (3.6 against 6.8 ms per unseeded
 * estimate on the HCMC clip's still view, worst error 1.4 against 1.6 px; points that never converge, on vehicles,
 * ran all 20). A 9 px window over 4 levels was cheaper still (3.2 ms) but measured a re-aimed view against a
 * reference picture 36 px off once (view-guard-reference allows 30). The view-guard tests (slide, zoom, PTZ clip,
 * reference) pass on these values.
 */
const LK_WINDOW = 11;
const LK_LEVELS = 3;
const LK_ITERATIONS = 10;
/** RANSAC reprojection threshold (px of the guard image): moving vehicles are several px off, paint is < 1. */
const RANSAC_PX = 1.5;

interface Keyframe {
  mat: OpenCv;
  /** Corner positions in keyframe pixels, x0, y0, x1, y1, ... */
  corners: Float32Array;
  width: number;
  height: number;
  /** The reference view -> this keyframe. */
  fromReference: ViewTransform;
}

export class ViewEstimator {
  private key: Keyframe | undefined;

  private constructor(
    private readonly cv: OpenCv,
    private readonly o: ViewEstimatorOptions,
  ) {}

  static async create(o: ViewEstimatorOptions): Promise<ViewEstimator> {
    const { cv } = await loadOpenCv();
    return new ViewEstimator(cv, o);
  }

  /** Corners on the current keyframe (0 before one is set, or on a blank picture). */
  get keyCorners(): number {
    return this.key ? this.key.corners.length / 2 : 0;
  }

  /**
   * Makes `img` the keyframe, known to sit at `fromReference` against the reference view (identity for the
   * reference itself). Corners inside `excludeBoxesNorm` (vehicles detected on it) are skipped: they will drive
   * off. A picture with fewer than `minCorners` corners (blank, dark) leaves the current keyframe in place.
   * Returns the number of corners found.
   */
  setKeyframe(
    img: ViewImage,
    fromReference: ViewTransform,
    excludeBoxesNorm: readonly BoxNorm[] = [],
    minCorners = 0,
  ): number {
    const cv = this.cv;
    const mat = cv.matFromArray(img.height, img.width, cv.CV_8UC1, img.data);
    const mask = new cv.Mat(img.height, img.width, cv.CV_8UC1, new cv.Scalar(255));
    for (const [x1, y1, x2, y2] of excludeBoxesNorm)
      cv.rectangle(
        mask,
        new cv.Point(Math.floor(x1 * img.width), Math.floor(y1 * img.height)),
        new cv.Point(Math.ceil(x2 * img.width), Math.ceil(y2 * img.height)),
        new cv.Scalar(0),
        -1,
      );
    const found = new cv.Mat();
    try {
      cv.goodFeaturesToTrack(
        mat,
        found,
        this.o.maxCorners,
        CORNER_QUALITY,
        Math.max(2, img.width * CORNER_SPACING),
        mask,
        5,
        false,
        0.04,
      );
      const corners = found.rows > 0 ? Float32Array.from(found.data32F) : new Float32Array(0);
      if (corners.length / 2 < minCorners) {
        mat.delete();
        return corners.length / 2;
      }
      this.releaseKey();
      this.key = { mat, corners, width: img.width, height: img.height, fromReference };
      return corners.length / 2;
    } finally {
      mask.delete();
      found.delete();
    }
  }

  /**
   * The reference -> current transform, or undefined when too few corners could be followed to fit one.
   * `guess` (reference -> current, e.g. the last estimate) seeds the flow, so a slow drift far from the
   * keyframe stays followed.
   */
  estimate(img: ViewImage, guess?: ViewTransform): ViewEstimate | undefined {
    const key = this.key;
    if (!key || key.corners.length < 6) return undefined;
    if (img.width !== key.width || img.height !== key.height)
      throw new Error(
        `view image ${img.width}x${img.height} differs from the keyframe ${key.width}x${key.height}`,
      );
    const cv = this.cv;
    const n = key.corners.length / 2;
    const W = img.width;
    const aspect = img.height / img.width;
    const keyToRef = invert(key.fromReference);
    const seed = guess && keyToRef ? compose(guess, keyToRef) : identity(aspect);
    const cur = cv.matFromArray(img.height, img.width, cv.CV_8UC1, img.data);
    const prev = cv.matFromArray(n, 1, cv.CV_32FC2, key.corners);
    const next = new cv.Mat(n, 1, cv.CV_32FC2);
    const st = new cv.Mat();
    const err = new cv.Mat();
    const win = new cv.Size(LK_WINDOW, LK_WINDOW);
    const crit = new cv.TermCriteria(cv.TermCriteria_COUNT + cv.TermCriteria_EPS, LK_ITERATIONS, 0.03);
    let from: OpenCv;
    let to: OpenCv;
    let inlierMask: OpenCv;
    let affine: OpenCv;
    // No backward (keyframe <- current) pass: measured on the zoom clip it changed no estimate by more than 0.5 px
    // and doubled the cost; RANSAC already rejects the points the flow lost.
    try {
      const c = key.corners;
      const guessed = next.data32F as Float32Array;
      for (let i = 0; i < n; i++) {
        const x = c[2 * i]! / W;
        const y = c[2 * i + 1]! / W;
        guessed[2 * i] = (seed.a * x - seed.b * y + seed.tx) * W;
        guessed[2 * i + 1] = (seed.b * x + seed.a * y + seed.ty) * W;
      }
      cv.calcOpticalFlowPyrLK(
        key.mat,
        cur,
        prev,
        next,
        st,
        err,
        win,
        LK_LEVELS,
        crit,
        cv.OPTFLOW_USE_INITIAL_FLOW,
      );
      const p = next.data32F as Float32Array;
      const src: number[] = [];
      const dst: number[] = [];
      for (let i = 0; i < n; i++) {
        if (!st.data[i]) continue;
        src.push(c[2 * i]!, c[2 * i + 1]!);
        dst.push(p[2 * i]!, p[2 * i + 1]!);
      }
      if (src.length < 6) return undefined;
      from = cv.matFromArray(src.length / 2, 1, cv.CV_32FC2, src);
      to = cv.matFromArray(dst.length / 2, 1, cv.CV_32FC2, dst);
      inlierMask = new cv.Mat();
      affine = cv.estimateAffine2D(from, to, inlierMask, cv.RANSAC, RANSAC_PX);
      if (affine.rows === 0) return undefined;
      // The affine's RANSAC picks the background; the similarity (shift, zoom, roll: what a PTZ head or a knock
      // does) is then fitted to its inliers and checked against every point again.
      const pairs = (keep: (i: number) => boolean) => {
        const s: [number, number][] = [];
        const d: [number, number][] = [];
        for (let i = 0; i < src.length / 2; i++)
          if (keep(i)) {
            s.push([src[2 * i]! / W, src[2 * i + 1]! / W]);
            d.push([dst[2 * i]! / W, dst[2 * i + 1]! / W]);
          }
        return { s, d };
      };
      const first = pairs((i) => inlierMask.data[i] !== 0);
      let sim = fitSimilarity(first.s, first.d, aspect);
      if (!sim) return undefined;
      const agrees = (t: ViewTransform) => (i: number) => {
        const x = src[2 * i]! / W;
        const y = src[2 * i + 1]! / W;
        const u = (t.a * x - t.b * y + t.tx) * W;
        const v = (t.b * x + t.a * y + t.ty) * W;
        return Math.hypot(u - dst[2 * i]!, v - dst[2 * i + 1]!) <= RANSAC_PX;
      };
      const second = pairs(agrees(sim));
      sim = fitSimilarity(second.s, second.d, aspect) ?? sim;
      const final = pairs(agrees(sim));
      let minX = Number.POSITIVE_INFINITY;
      let minY = Number.POSITIVE_INFINITY;
      let maxX = Number.NEGATIVE_INFINITY;
      let maxY = Number.NEGATIVE_INFINITY;
      for (const [x, y] of final.d) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
      const spreadNorm: [number, number] =
        final.d.length > 0 ? [maxX - minX, (maxY - minY) / aspect] : [0, 0];
      return {
        transform: compose(sim, key.fromReference),
        inliers: final.d.length,
        spreadNorm,
        pointsNorm: final.d.map(([x, y]) => [x, y / aspect] as [number, number]),
      };
    } finally {
      // from, to, inlierMask and affine exist only past the early returns.
      for (const m of [cur, prev, next, st, err, from, to, inlierMask, affine]) m?.delete();
    }
  }

  private releaseKey(): void {
    this.key?.mat.delete();
    this.key = undefined;
  }

  close(): void {
    this.releaseKey();
  }
}
