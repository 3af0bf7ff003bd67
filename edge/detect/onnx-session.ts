// Loads an ONNX session with the configured threads, graph optimisation and execution provider; describes its tensors.
import * as ort from 'onnxruntime-node';
import { ModelError } from '../../models/resolve.ts';
import type { GraphOptimizationLevel } from './detector-schema.ts';

export interface SessionOptions {
  intraOpThreads: number;
  interOpThreads: number;
  graphOptimizationLevel: GraphOptimizationLevel;
  /** An onnxruntime execution provider name: cpu (default), or one listed by availableExecutionProviders(). */
  executionProvider: string;
  /** Let idle intra-op threads spin-wait for the next parallel section (see DetectorSchema.threadSpinning). */
  threadSpinning?: boolean;
}

export const DEFAULT_SESSION_OPTIONS: SessionOptions = {
  intraOpThreads: 2,
  interOpThreads: 1,
  graphOptimizationLevel: 'all',
  executionProvider: 'cpu',
};

/** Execution providers this onnxruntime-node build offers; `bundled: false` ones need extra native libraries. */
export function availableExecutionProviders(): { name: string; bundled: boolean }[] {
  return ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
}

export async function loadSession(file: string, opts: SessionOptions): Promise<ort.InferenceSession> {
  const offered = availableExecutionProviders();
  const ep = offered.find((b) => b.name === opts.executionProvider);
  if (!ep) {
    throw new ModelError(
      `detector.executionProvider '${opts.executionProvider}' is not offered by this onnxruntime-node ` +
        `(offered: ${offered.map((b) => b.name + (b.bundled ? '' : ' (needs extra libraries)')).join(', ')})`,
    );
  }
  try {
    return await ort.InferenceSession.create(file, {
      // CPU stays as the fallback for operators another provider cannot run.
      executionProviders: ep.name === 'cpu' ? ['cpu'] : [ep.name, 'cpu'],
      intraOpNumThreads: opts.intraOpThreads,
      interOpNumThreads: opts.interOpThreads,
      graphOptimizationLevel: opts.graphOptimizationLevel,
      // onnxruntime_session_options_config_keys.h: session.intra_op.allow_spinning / inter_op.allow_spinning.
      extra: {
        session: {
          intra_op: { allow_spinning: opts.threadSpinning ? '1' : '0' },
          inter_op: { allow_spinning: opts.threadSpinning ? '1' : '0' },
        },
      },
    });
  } catch (err) {
    throw new ModelError(
      `cannot load ONNX model ${file} with execution provider ${ep.name}: ${(err as Error).message}`,
    );
  }
}

export interface TensorInfo {
  name: string;
  /** Fixed dimensions are numbers; dynamic ones are their symbolic names. */
  shape: readonly (number | string)[];
  type: string;
}

export function tensorInfos(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorInfo[] {
  return meta.map((m) => ({
    name: m.name,
    shape: m.isTensor ? m.shape : [],
    type: m.isTensor ? m.type : 'non-tensor',
  }));
}

export function describe(infos: TensorInfo[]): string {
  return infos.map((i) => `${i.name} ${i.type}[${i.shape.join(',')}]`).join(', ');
}
