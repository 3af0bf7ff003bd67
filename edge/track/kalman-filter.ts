// Constant-velocity Kalman filter over a box [cx, cy, w, h] (normalised), with ByteTrack's box-relative noise.
//
// State x = [cx, cy, w, h, vcx, vcy, vw, vh]; one step is one processed frame, as in ByteTrack (the tracker
// predicts every track once per frame). Noise scales with the box size, so a near (large) vehicle is allowed to
// move more per frame than a far (small) one, and the filter is the same in pixels or in normalised coordinates.
// This is the [cx, cy, w, h] variant (BoT-SORT's) of ByteTrack's [cx, cy, aspect, h]: width noise follows the
// width, which fits normalised boxes whose aspect is not the pixel aspect.

/** Box measurement [cx, cy, w, h], normalised. */
export type BoxCxcywh = [number, number, number, number];

export interface KalmanState {
  /** 8 values: cx, cy, w, h and their velocities per frame. */
  mean: number[];
  /** 8x8 covariance, row-major. */
  cov: number[];
}

/** 0.95 quantile of the chi-square distribution with 4 degrees of freedom: DeepSORT's gate on [cx, cy, w, h]. */
export const CHI2_95_4DOF = 9.4877;

/** ByteTrack's weights: position noise 1/20 of the box size, velocity noise 1/160 of it. */
export const STD_WEIGHT_POSITION = 1 / 20;
export const STD_WEIGHT_VELOCITY = 1 / 160;

const N = 8;
const M = 4;
/** Floor on the box size used for noise, so a degenerate (zero-width) box cannot make S singular. */
const MIN_SIZE = 1e-4;

function size(v: readonly number[]): [number, number] {
  return [Math.max(MIN_SIZE, Math.abs(v[2]!)), Math.max(MIN_SIZE, Math.abs(v[3]!))];
}

function diag(values: readonly number[]): number[] {
  const n = values.length;
  const out = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) out[i * n + i] = values[i]!;
  return out;
}

/** Inverts a small square matrix (Gauss-Jordan with partial pivoting); throws on a singular one. */
function invert(a: readonly number[], n: number): number[] {
  const m = [...a];
  const inv = diag(new Array<number>(n).fill(1));
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]!) > Math.abs(m[p * n + c]!)) p = r;
    const pv = m[p * n + c]!;
    if (Math.abs(pv) < 1e-300) throw new Error('kalman: singular innovation covariance');
    if (p !== c) {
      for (let k = 0; k < n; k++) {
        [m[c * n + k], m[p * n + k]] = [m[p * n + k]!, m[c * n + k]!];
        [inv[c * n + k], inv[p * n + k]] = [inv[p * n + k]!, inv[c * n + k]!];
      }
    }
    for (let k = 0; k < n; k++) {
      m[c * n + k] = m[c * n + k]! / pv;
      inv[c * n + k] = inv[c * n + k]! / pv;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * n + c]!;
      if (f === 0) continue;
      for (let k = 0; k < n; k++) {
        m[r * n + k] = m[r * n + k]! - f * m[c * n + k]!;
        inv[r * n + k] = inv[r * n + k]! - f * inv[c * n + k]!;
      }
    }
  }
  return inv;
}

/** S = H P H^T + R: H picks the first four state values, so S = P[0:4, 0:4] + R (measurement noise 1/20 of the box). */
function innovationCov(s: KalmanState): number[] {
  const [w, h] = size(s.mean);
  const p = STD_WEIGHT_POSITION;
  const r = [p * w, p * h, p * w, p * h].map((x) => x * x);
  const sMat = new Array<number>(M * M);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < M; j++) sMat[i * M + j] = s.cov[i * N + j]! + (i === j ? r[i]! : 0);
  return sMat;
}

export class KalmanFilter {
  /** A new track's state: the measured box at rest, with a wide velocity uncertainty. */
  initiate(z: BoxCxcywh): KalmanState {
    const [w, h] = size(z);
    const p = STD_WEIGHT_POSITION;
    const v = STD_WEIGHT_VELOCITY;
    const std = [2 * p * w, 2 * p * h, 2 * p * w, 2 * p * h, 10 * v * w, 10 * v * h, 10 * v * w, 10 * v * h];
    return { mean: [...z, 0, 0, 0, 0], cov: diag(std.map((s) => s * s)) };
  }

  /** One frame ahead: x' = F x, P' = F P F^T + Q, with F adding each velocity to its position. */
  predict(s: KalmanState): KalmanState {
    const [w, h] = size(s.mean);
    const p = STD_WEIGHT_POSITION;
    const v = STD_WEIGHT_VELOCITY;
    const q = [p * w, p * h, p * w, p * h, v * w, v * h, v * w, v * h].map((x) => x * x);
    const mean = s.mean.map((x, i) => (i < M ? x + s.mean[i + M]! : x));
    // F P: row i (< 4) gets row i + row i+4.
    const fp = [...s.cov];
    for (let i = 0; i < M; i++)
      for (let k = 0; k < N; k++) fp[i * N + k] = s.cov[i * N + k]! + s.cov[(i + M) * N + k]!;
    // (F P) F^T: column j (< 4) gets column j + column j+4.
    const cov = [...fp];
    for (let r = 0; r < N; r++)
      for (let j = 0; j < M; j++) cov[r * N + j] = fp[r * N + j]! + fp[r * N + j + M]!;
    for (let i = 0; i < N; i++) cov[i * N + i] = cov[i * N + i]! + q[i]!;
    return { mean, cov };
  }

  /**
   * Squared Mahalanobis distance of a measured box from the state's projected box, with the measurement noise
   * of update(): (z - H x)^T S^-1 (z - H x), S = H P H^T + R. Compare with CHI2_95_4DOF (DeepSORT's gate). The gate
   * widens with every frame a lost track is only predicted, as its covariance grows.
   */
  gatingDistance(s: KalmanState, z: BoxCxcywh): number {
    const sInv = invert(innovationCov(s), M);
    const d = z.map((zi, i) => zi - s.mean[i]!);
    let acc = 0;
    for (let i = 0; i < M; i++) for (let j = 0; j < M; j++) acc += d[i]! * sInv[i * M + j]! * d[j]!;
    return acc;
  }

  /** Corrects the state with a measured box: K = P H^T S^-1, x += K (z - H x), P -= K S K^T. */
  update(s: KalmanState, z: BoxCxcywh): KalmanState {
    // H picks the first four state values, so P H^T = P[:, 0:4].
    const sInv = invert(innovationCov(s), M);
    const gain = new Array<number>(N * M).fill(0); // 8x4
    for (let i = 0; i < N; i++)
      for (let j = 0; j < M; j++) {
        let acc = 0;
        for (let k = 0; k < M; k++) acc += s.cov[i * N + k]! * sInv[k * M + j]!;
        gain[i * M + j] = acc;
      }
    const innovation = z.map((zi, i) => zi - s.mean[i]!);
    const mean = s.mean.map((x, i) => {
      let acc = x;
      for (let k = 0; k < M; k++) acc += gain[i * M + k]! * innovation[k]!;
      return acc;
    });
    // K S K^T = K (P H^T)^T = K P[0:4, :].
    const cov = [...s.cov];
    for (let i = 0; i < N; i++)
      for (let j = 0; j < N; j++) {
        let acc = 0;
        for (let k = 0; k < M; k++) acc += gain[i * M + k]! * s.cov[k * N + j]!;
        cov[i * N + j] = cov[i * N + j]! - acc;
      }
    return { mean, cov };
  }
}

export function xyxyToCxcywh(b: readonly [number, number, number, number]): BoxCxcywh {
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1]];
}

export function cxcywhToXyxy(m: readonly number[]): [number, number, number, number] {
  const [cx, cy, w, h] = m as [number, number, number, number];
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}
