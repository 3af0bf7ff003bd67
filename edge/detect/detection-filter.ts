// Applies a camera's detection filters (classes, scores, box size, ROI, masks) to a detector's output: pure.
import { type Point, pointInPolygon } from '../rules/geometry.ts';
import type { Detection } from './detection.ts';
import type { DetectionFilterConfig } from './detection-filter-schema.ts';

/** A filter compiled against the detector's labels: per-class thresholds in an array indexed by class id. */
export interface DetectionFilter {
  /** Minimum score per class id; Infinity drops the class. */
  minScoreByClass: Float64Array;
  /** For class ids beyond the label list (a model with more classes than labels). */
  minScoreUnknownClass: number;
  minWidthNorm: number;
  minHeightNorm: number;
  roi: readonly (readonly Point[])[];
  masks: readonly (readonly Point[])[];
}

/** Checks the label names against the model's labels; throws an Error naming the field and the unknown label. */
export function compileDetectionFilter(
  cfg: Partial<DetectionFilterConfig>,
  labels: readonly string[],
  fieldPath: string,
): DetectionFilter {
  const index = new Map(labels.map((l, i) => [l, i]));
  const lookup = (label: string, field: string): number => {
    const id = index.get(label);
    if (id === undefined) {
      throw new Error(
        `${fieldPath}.${field}: unknown class '${label}'; the model's labels are ${labels.slice(0, 12).join(', ')}` +
          (labels.length > 12 ? `, … (${labels.length} in all)` : ''),
      );
    }
    return id;
  };
  const minConfidence = cfg.minConfidence ?? 0;
  const minScoreByClass = new Float64Array(labels.length).fill(minConfidence);
  if (cfg.classes) {
    const allowed = new Set(cfg.classes.map((l) => lookup(l, 'classes')));
    for (let c = 0; c < labels.length; c++)
      if (!allowed.has(c)) minScoreByClass[c] = Number.POSITIVE_INFINITY;
  }
  for (const [label, score] of Object.entries(cfg.classConfidence ?? {})) {
    const c = lookup(label, `classConfidence.${label}`);
    minScoreByClass[c] = Math.max(minScoreByClass[c]!, score);
  }
  return {
    minScoreByClass,
    minScoreUnknownClass: cfg.classes ? Number.POSITIVE_INFINITY : minConfidence,
    minWidthNorm: cfg.minBoxWidthNorm ?? 0,
    minHeightNorm: cfg.minBoxHeightNorm ?? 0,
    roi: cfg.roi ?? [],
    masks: cfg.masks ?? [],
  };
}

/** True when the filter can drop something (so the pipeline can skip the pass entirely). */
export function filterIsActive(f: DetectionFilter): boolean {
  return (
    f.minWidthNorm > 0 ||
    f.minHeightNorm > 0 ||
    f.roi.length > 0 ||
    f.masks.length > 0 ||
    f.minScoreUnknownClass > 0 ||
    f.minScoreByClass.some((s) => s > 0)
  );
}

const EDGE_NUDGE = 1e-6;
const inside = (v: number) => Math.min(1 - EDGE_NUDGE, Math.max(EDGE_NUDGE, v));

export function filterDetections(dets: readonly Detection[], f: DetectionFilter): Detection[] {
  return dets.filter((d) => {
    const minScore = f.minScoreByClass[d.classId] ?? f.minScoreUnknownClass;
    if (d.score < minScore) return false;
    const [x1, y1, x2, y2] = d.boxXyxyNorm;
    if (x2 - x1 < f.minWidthNorm || y2 - y1 < f.minHeightNorm) return false;
    // Bottom-centre anchor: where the object touches the ground, as the rules use it. Boxes are clamped to the
    // frame, so a vehicle cut by the bottom edge has y = 1 exactly, which ray casting counts as outside a
    // polygon drawn to the edge; nudging the anchor inside keeps it in.
    const ax = inside((x1 + x2) / 2);
    const ay = inside(y2);
    if (f.roi.length > 0 && !f.roi.some((p) => pointInPolygon(ax, ay, p))) return false;
    if (f.masks.some((p) => pointInPolygon(ax, ay, p))) return false;
    return true;
  });
}
