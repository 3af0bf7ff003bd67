// Derives a detector model with another input shape (and batch) from the shared file into the cache directory,
// checks that the graph really is size-agnostic by running it, and names the result by its own sha256.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { DetectorConfig } from '../edge/detect/detector-schema.ts';
import { BATCH_DIM, type InputShape, pinOutputShapes, rewriteInputShape } from './derive-model.ts';
import { ModelError, type ResolvedModel } from './resolve.ts';

export interface DerivedModel {
  file: string;
  sha256: string;
  sourceSha256: string;
  shape: InputShape;
  /** Output dimensions of a batch-1 run, by output name. */
  outputDims: Record<string, number[]>;
}

/** A batch of two must give each frame the output it gets alone, within float noise. */
const BATCH_TOLERANCE = 1e-3;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Two different, non-constant pictures (a real run reads every pixel; constant inputs hide broadcast bugs). */
function probeInput(shape: InputShape, channels: number, batch: number, seed: number): ort.Tensor {
  const per = channels * shape.height * shape.width;
  const data = new Float32Array(per * batch);
  for (let i = 0; i < data.length; i++) data[i] = ((i + seed) * 7919 + Math.floor(i / per) * 104729) % 255;
  return new ort.Tensor('float32', data, [batch, channels, shape.height, shape.width]);
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!));
    if (d > worst) worst = d;
  }
  return worst;
}

/**
 * Runs the rewritten graph: a fixed-shape operator (a Reshape to a constant size, a positional table) fails
 * here with onnxruntime's message, and a batch that mixes frames is caught by comparing a batch of two against
 * two single runs.
 */
async function runCheck(bytes: Uint8Array, shape: InputShape, channels: number, label: string) {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: 1,
      graphOptimizationLevel: 'basic',
    });
  } catch (err) {
    throw new ModelError(
      `${label}: the model does not load with input ${describe(shape)}: ${(err as Error).message}`,
    );
  }
  try {
    const inputName = session.inputNames[0]!;
    const run = async (t: ort.Tensor) => {
      try {
        return await session.run({ [inputName]: t });
      } catch (err) {
        throw new ModelError(
          `${label}: the graph is not size-agnostic, it fails with input ${describe(shape)}: ${(err as Error).message}`,
        );
      }
    };
    const pair = probeInput(shape, channels, 2, 0);
    const half = channels * shape.height * shape.width;
    const frame = (i: number) =>
      new ort.Tensor('float32', (pair.data as Float32Array).slice(i * half, (i + 1) * half), [
        1,
        channels,
        shape.height,
        shape.width,
      ]);
    const one = await run(frame(0));
    const outputDims = Object.fromEntries(Object.entries(one).map(([k, v]) => [k, v.dims.map(Number)]));
    if (shape.batch === 'dynamic' || shape.batch > 1) {
      const two = await run(pair);
      const alone = await run(frame(1));
      for (const [name, t] of Object.entries(two)) {
        const per = (one[name]!.data as Float32Array).length;
        const batched = t.data as Float32Array;
        if (batched.length !== 2 * per || t.dims[0] !== 2) {
          throw new ModelError(
            `${label}: a batch of 2 gives output ${name} [${t.dims.join(',')}], not 2 x [${one[name]!.dims.join(',')}]`,
          );
        }
        const diff = Math.max(
          maxRelDiff(batched.subarray(0, per), one[name]!.data as Float32Array),
          maxRelDiff(batched.subarray(per), alone[name]!.data as Float32Array),
        );
        if (diff > BATCH_TOLERANCE) {
          throw new ModelError(
            `${label}: batched frames do not give their single-frame outputs (${name} differs by ` +
              `${diff.toExponential(2)}): the graph mixes the frames of a batch`,
          );
        }
      }
    }
    return outputDims;
  } finally {
    await session.release();
  }
}

const describe = (s: InputShape) => `${s.width}x${s.height} batch ${s.batch}`;

/**
 * Writes `{cacheDir}/{base}-{W}x{H}-b{batch}-{sha12}.onnx` (once; an existing file of that name is reused after
 * its sha256 is checked) and returns it with its sha256. Nothing is downloaded: the source is the shared model.
 */
export async function deriveModel(
  sourceFile: string,
  shape: InputShape,
  cacheDir: string,
  label = path.basename(sourceFile),
): Promise<DerivedModel> {
  const source = readFileSync(sourceFile);
  const rewritten = rewriteInputShape(source, shape, label);
  if (rewritten.unchanged) {
    // The file already is that shape: load it as it is (no copy, same sha256).
    const digest = sha256(source);
    return { file: sourceFile, sha256: digest, sourceSha256: digest, shape, outputDims: {} };
  }
  const channels = typeof rewritten.sourceShape[1] === 'number' ? rewritten.sourceShape[1] : 3;
  const outputDims = await runCheck(rewritten.bytes, shape, channels, label);
  const bytes = pinOutputShapes(rewritten.bytes, outputDims, shape.batch === 'dynamic');
  const digest = sha256(bytes);
  const batch = shape.batch === 'dynamic' ? BATCH_DIM : String(shape.batch);
  const file = path.join(
    cacheDir,
    `${path.basename(sourceFile, '.onnx')}-${shape.width}x${shape.height}-b${batch}-${digest.slice(0, 12)}.onnx`,
  );
  if (!existsSync(file) || sha256(readFileSync(file)) !== digest) {
    const tmp = `${file}.${process.pid}.tmp`;
    let written = false;
    try {
      mkdirSync(cacheDir, { recursive: true });
      writeFileSync(tmp, bytes);
      written = true;
      renameSync(tmp, file); // atomic: a reader never sees half a model
    } catch (err) {
      if (written) rmSync(tmp, { force: true });
      throw new ModelError(
        `${label}: cannot write the derived model to ${cacheDir}: ${(err as Error).message}`,
      );
    }
  }
  return { file, sha256: digest, sourceSha256: sha256(source), shape, outputDims };
}

/** The input shape a detector config asks for: its own inputShape, else the catalog model's camera shape. */
export function requestedInputShape(
  cfg: Pick<DetectorConfig, 'inputShape' | 'inputSize'>,
  model: ResolvedModel,
): { width: number; height: number } | undefined {
  if (cfg.inputShape) return cfg.inputShape;
  if (cfg.inputSize !== undefined) return undefined; // a square size was asked for explicitly
  return model.cameraInputShape;
}

/**
 * The model the detector loads: the resolved one, or, when the requested input shape differs from the model's
 * own, the copy derived into `{dataDir}/cache/models` (returned too, for its sha256 in the start-up log).
 */
export async function withInputShape(
  model: ResolvedModel,
  cfg: Pick<DetectorConfig, 'inputShape' | 'inputSize'>,
  dataDir: string,
): Promise<{ model: ResolvedModel; derived?: DerivedModel }> {
  const shape = requestedInputShape(cfg, model);
  if (!shape) return { model };
  if (cfg.inputSize !== undefined) {
    throw new ModelError('detector.inputShape replaces detector.inputSize: set one of them, not both');
  }
  const own = model.inputSize;
  if (own !== undefined && shape.width === own && shape.height === own) return { model };
  if (model.family === 'detr') {
    throw new ModelError(
      `detector.inputShape ${shape.width}x${shape.height}: ${model.name} is a DETR-family model, stretched to its square input; only YOLO families take a derived shape`,
    );
  }
  const derived = await deriveModel(
    model.file,
    { width: shape.width, height: shape.height, batch: 1 },
    path.resolve(dataDir, 'cache', 'models'),
    `detector.inputShape ${shape.width}x${shape.height} of ${model.name}`,
  );
  if (derived.file === model.file) return { model };
  // The catalog's square size describes the shared file, not the derived one: the detector reads the new dims.
  return { model: { ...model, file: derived.file, inputSize: undefined }, derived };
}
