// Pure: one view estimate -> steady (follow it), large (pause the rules) or unreliable (pause: cannot tell).
import { driftOf, type ViewDrift, type ViewTransform } from './view-transform.ts';

/** What the estimator measured on one frame (see view-estimator.ts). */
export interface ViewEstimate {
  /** Reference view -> current view. */
  transform: ViewTransform;
  /** Background points that agree with the transform (RANSAC inliers). */
  inliers: number;
  /** Extent of the inliers as fractions of the picture's width and height: points bunched in one corner (an
   * overlay caption, one building) say nothing about zoom or roll. */
  spreadNorm: [number, number];
  /** Where the agreeing points are in the current picture (normalised 0..1): the per-frame check anchors on them. */
  pointsNorm?: [number, number][];
}

export interface DriftLimits {
  /** Largest movement of any point of the picture (fraction of the width) still followed. */
  maxMoveNorm: number;
  minInliers: number;
  minSpreadNorm: number;
}

export type DriftVerdict =
  | { kind: 'steady' | 'large'; drift: ViewDrift }
  | { kind: 'unreliable'; reason: string; drift?: ViewDrift };

export function classifyDrift(estimate: ViewEstimate | undefined, limits: DriftLimits): DriftVerdict {
  if (!estimate) return { kind: 'unreliable', reason: 'no estimate (too few background points tracked)' };
  const drift = driftOf(estimate.transform);
  const finite =
    Number.isFinite(drift.maxMoveNorm) && Number.isFinite(drift.scale) && Number.isFinite(drift.rotationDeg);
  if (!finite || drift.scale <= 0) return { kind: 'unreliable', reason: 'degenerate transform' };
  if (estimate.inliers < limits.minInliers)
    return {
      kind: 'unreliable',
      reason: `${estimate.inliers} background points agree (< ${limits.minInliers})`,
      drift,
    };
  const [sw, sh] = estimate.spreadNorm;
  if (sw < limits.minSpreadNorm || sh < limits.minSpreadNorm)
    return {
      kind: 'unreliable',
      reason: `agreeing points span ${(sw * 100).toFixed(0)} % x ${(sh * 100).toFixed(0)} % of the picture (< ${(limits.minSpreadNorm * 100).toFixed(0)} %)`,
      drift,
    };
  return { kind: drift.maxMoveNorm > limits.maxMoveNorm ? 'large' : 'steady', drift };
}
