// Picks the Detector implementation by the configured family (never by guessing from the file) and loads it.
import type { ResolvedModel } from '../../models/resolve.ts';
import type { Detector } from './detector.ts';
import type { DetectorConfig } from './detector-schema.ts';
import { DetrDetector } from './detr.ts';
import { UltralyticsDetector } from './ultralytics.ts';
import { YoloxDetector } from './yolox.ts';

/** Loads the session, checks the file against the family and the config, and warms it up. */
export async function createDetector(model: ResolvedModel, cfg: DetectorConfig): Promise<Detector> {
  switch (model.family) {
    case 'yolox':
      return YoloxDetector.load(model, cfg);
    case 'ultralytics':
      return UltralyticsDetector.load(model, cfg);
    case 'detr':
      return DetrDetector.load(model, cfg);
  }
}
