// Loads an ONNX session with the configured threads and checks its inputs/outputs against what the family needs.
import * as ort from 'onnxruntime-node';
import { ModelError } from '../../models/resolve.ts';

export interface SessionOptions {
  intraOpThreads: number;
  interOpThreads: number;
}

export async function loadSession(file: string, opts: SessionOptions): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(file, {
      executionProviders: ['cpu'],
      intraOpNumThreads: opts.intraOpThreads,
      interOpNumThreads: opts.interOpThreads,
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    throw new ModelError(`cannot load ONNX model ${file}: ${(err as Error).message}`);
  }
}

export interface TensorInfo {
  name: string;
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
