// Reads the network input size from an NCHW float image input and checks it against the config and the catalog.
import type { TensorInfo } from './onnx-session.ts';

export interface InputSize {
  width: number;
  height: number;
}

/**
 * Fixed dimensions come from the model; dynamic ones (symbolic names) need detector.inputSize. A size given in
 * the config or the catalog must match a fixed one. `fail` builds the family-specific error.
 */
export function imageInputSize(
  input: TensorInfo,
  expected: { configSize?: number; catalogSize?: number },
  fail: (why: string) => Error,
): InputSize {
  if (input.type !== 'float32') throw fail(`image input ${input.name} is ${input.type}, expected float32`);
  if (input.shape.length !== 4) throw fail(`image input ${input.name} is not 4-D NCHW`);
  const [n, c, h, w] = input.shape;
  if (typeof n === 'number' && n !== 1) throw fail(`image input ${input.name} has batch ${n}, expected 1`);
  if (c !== 3) throw fail(`image input ${input.name} has ${c} channels, expected 3 (NCHW)`);
  const pick = (dim: number | string | undefined, axis: string): number => {
    if (typeof dim === 'number') {
      if (expected.configSize !== undefined && dim !== expected.configSize)
        throw fail(`input ${axis} is ${dim}px but detector.inputSize is ${expected.configSize}`);
      if (expected.catalogSize !== undefined && dim !== expected.catalogSize)
        throw fail(`input ${axis} is ${dim}px but the model catalog says ${expected.catalogSize}`);
      return dim;
    }
    const size = expected.configSize ?? expected.catalogSize;
    if (size === undefined) throw fail(`input ${axis} is dynamic (${dim}); set detector.inputSize`);
    return size;
  };
  return { width: pick(w, 'width'), height: pick(h, 'height') };
}
