// Resolves a configured model (catalog name or path) to a verified file, family, input size and labels.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DetectorConfig, DetectorFamily } from '../edge/detect/detector-schema.ts';
import { modelsDir } from './asset-dirs.ts';
import { catalogEntry, MODEL_CATALOG } from './catalog.ts';

export class ModelError extends Error {
  readonly code = 'MATTHAN_ERR_MODEL';
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}

export interface ResolvedModel {
  name: string;
  file: string;
  family: DetectorFamily;
  /** From the catalog; for custom models it is read from the ONNX input shape at load. */
  inputSize?: number;
  /** From the catalog: the input shape for 16:9 cameras this model's graph takes (detector.inputShape default). */
  cameraInputShape?: { width: number; height: number };
  labels: string[];
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function readLabels(file: string): string[] {
  if (!existsSync(file)) throw new ModelError(`label file not found: ${file}`);
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

export function resolveModel(
  cfg: DetectorConfig,
  dirs: { modelsDir?: string; configDir?: string } = {},
): ResolvedModel {
  const dir = modelsDir(dirs.modelsDir);
  const entry = catalogEntry(cfg.model);
  if (entry) {
    const file = path.join(dir, entry.file);
    if (!existsSync(file)) {
      throw new ModelError(
        `model ${entry.name}: file not found at ${file} (models directory ${dir}; set modelsDir or MATTHAN_MODELS_DIR)`,
      );
    }
    const actual = sha256File(file);
    if (actual !== entry.sha256) {
      throw new ModelError(
        `model ${entry.name}: sha256 of ${file} is ${actual}, the catalog expects ${entry.sha256} (wrong or corrupted file)`,
      );
    }
    if (cfg.family && cfg.family !== entry.family) {
      throw new ModelError(
        `model ${entry.name} is family ${entry.family}, but the config says family ${cfg.family}`,
      );
    }
    const labelsFile = cfg.labels
      ? path.resolve(dirs.configDir ?? '.', cfg.labels)
      : path.join(dir, entry.labels);
    return {
      name: entry.name,
      file,
      family: entry.family,
      inputSize: entry.inputSize,
      ...(entry.cameraInputShape ? { cameraInputShape: entry.cameraInputShape } : {}),
      labels: readLabels(labelsFile),
    };
  }
  if (!cfg.model.endsWith('.onnx')) {
    throw new ModelError(
      `detector.model '${cfg.model}' is neither a catalog model (${MODEL_CATALOG.map((m) => m.name).join(', ')}) nor an .onnx path`,
    );
  }
  if (!cfg.family)
    throw new ModelError(
      `detector.family is required for the custom model ${cfg.model} (yolox, ultralytics or detr)`,
    );
  const file = path.isAbsolute(cfg.model) ? cfg.model : path.resolve(dirs.configDir ?? dir, cfg.model);
  if (!existsSync(file)) throw new ModelError(`model file not found: ${file}`);
  const labelsFile = cfg.labels
    ? path.resolve(dirs.configDir ?? '.', cfg.labels)
    : path.join(dir, 'coco80.txt');
  return { name: path.basename(file, '.onnx'), file, family: cfg.family, labels: readLabels(labelsFile) };
}
