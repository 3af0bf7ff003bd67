// The detector as the edge loads it: resolve the model (catalog + sha256), derive its camera-shaped input when
// asked or by default (models/derived-model.ts), then check, build and warm up the family's detector.
import { type DerivedModel, withInputShape } from '../../models/derived-model.ts';
import { type ResolvedModel, resolveModel } from '../../models/resolve.ts';
import { createDetector } from './create-detector.ts';
import type { Detector } from './detector.ts';
import type { DetectorConfig } from './detector-schema.ts';

export interface LoadedDetector {
  detector: Detector;
  model: ResolvedModel;
  /** The derived model file and its sha256, when the input shape is not the file's own. */
  derived?: DerivedModel;
}

export async function loadDetector(
  cfg: DetectorConfig,
  dirs: { modelsDir?: string; configDir?: string; dataDir: string },
): Promise<LoadedDetector> {
  const { model, derived } = await withInputShape(resolveModel(cfg, dirs), cfg, dirs.dataDir);
  return { detector: await createDetector(model, cfg), model, derived };
}
