// Detector-wide per-class score thresholds from confidence, classConfidence and the class allow-list.
import { ModelError } from '../../models/resolve.ts';

export interface ClassThresholdConfig {
  confidence: number;
  classConfidence?: Record<string, number>;
  classes?: string[];
}

export interface ClassThresholds {
  /** Minimum score per class id; Infinity for classes outside the allow-list. */
  byClass: Float32Array;
  /** For class ids beyond the label list (DETR models can emit them): dropped when an allow-list is set. */
  unknownClass: number;
  /** The lowest threshold of any class: a candidate below it cannot pass (early exit in decoders). */
  min: number;
}

/** Throws a ModelError naming the config field when a label is not one of the model's labels. */
export function classThresholds(cfg: ClassThresholdConfig, labels: readonly string[]): ClassThresholds {
  const index = new Map(labels.map((l, i) => [l, i]));
  const lookup = (label: string, field: string): number => {
    const id = index.get(label);
    if (id === undefined) {
      throw new ModelError(
        `detector.${field}: unknown class '${label}'; the model's labels are ` +
          `${labels.slice(0, 12).join(', ')}${labels.length > 12 ? `, … (${labels.length} in all)` : ''}`,
      );
    }
    return id;
  };
  const byClass = new Float32Array(labels.length).fill(cfg.confidence);
  for (const [label, score] of Object.entries(cfg.classConfidence ?? {})) {
    byClass[lookup(label, `classConfidence.${label}`)] = score;
  }
  if (cfg.classes) {
    const allowed = new Set(cfg.classes.map((l) => lookup(l, 'classes')));
    for (let c = 0; c < byClass.length; c++) if (!allowed.has(c)) byClass[c] = Number.POSITIVE_INFINITY;
  }
  const unknownClass = cfg.classes ? Number.POSITIVE_INFINITY : cfg.confidence;
  let min = unknownClass;
  for (const t of byClass) if (t < min) min = t;
  return { byClass, unknownClass, min };
}
