// Picks the Detector implementation by the configured family (never by guessing from the file).
import type { ResolvedModel } from '../../models/resolve.ts';
import type { Detector } from './detector.ts';
import type { DetectorConfig } from './detector-schema.ts';
import { YoloxDetector } from './yolox.ts';

export async function createDetector(model: ResolvedModel, cfg: DetectorConfig): Promise<Detector> {
  const opts = {
    confidence: cfg.confidence,
    nmsIou: cfg.nmsIou,
    intraOpThreads: cfg.intraOpThreads,
    interOpThreads: cfg.interOpThreads,
  };
  switch (model.family) {
    case 'yolox':
      return YoloxDetector.load(model, opts);
    case 'ultralytics':
    case 'detr':
      throw new Error(`MATTHAN_ERR_MODEL: the ${model.family} family is not implemented yet`);
  }
}
