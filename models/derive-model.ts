// Rewrites an ONNX detector's declared input shape (a camera-shaped input, a batch dimension) without touching
// its weights or operators; only valid for size-agnostic graphs, which derived-model.ts checks by running it.
import onnxProto from 'onnx-proto';
import { ModelError } from './resolve.ts';

const { onnx } = onnxProto;

export interface InputShape {
  width: number;
  height: number;
  /** A fixed batch size, or 'dynamic' for a symbolic batch dimension (onnxruntime takes any batch per run). */
  batch: number | 'dynamic';
}

/** The name of the symbolic batch dimension of a derived model. */
export const BATCH_DIM = 'batch';

export interface DerivedGraph {
  bytes: Uint8Array;
  /** The image input's name and its shape in the source model ([N, C, H, W]). */
  inputName: string;
  sourceShape: (number | string)[];
  /** Reshape shape tensors whose leading 1 (the exported batch) became 0 (copy the input's batch), by name. */
  batchReshapes: string[];
  /** The source already has exactly this input shape: nothing to derive. */
  unchanged: boolean;
}

type Dim = onnxProto.onnx.TensorShapeProto.IDimension;
/** protobufjs decodes int64 as Long objects (or numbers without the long package): read either. */
const toNumber = (v: unknown): number => Number(String(v ?? 0));
const dimValue = (d: Dim): number | string => (d.dimParam ? d.dimParam : toNumber(d.dimValue));

/** int64 values of a TensorProto (raw little-endian bytes or int64_data). */
function int64s(t: onnxProto.onnx.ITensorProto): bigint[] {
  if (t.rawData && t.rawData.length > 0) {
    const raw = t.rawData;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Array.from({ length: raw.byteLength / 8 }, (_, i) => view.getBigInt64(i * 8, true));
  }
  return (t.int64Data ?? []).map((v) => BigInt(String(v)));
}

function setInt64s(t: onnxProto.onnx.ITensorProto, values: bigint[]): void {
  if (t.rawData && t.rawData.length > 0) {
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    for (const [i, v] of values.entries()) view.setBigInt64(i * 8, v, true);
    t.rawData = raw;
  } else {
    t.int64Data = values.map((v) => Number(v));
  }
}

const fixed = (value: number) => onnx.TensorShapeProto.Dimension.create({ dimValue: value });
const symbolic = (name: string) => onnx.TensorShapeProto.Dimension.create({ dimParam: name });

/**
 * Returns the model with its one image input declared as [batch, C, height, width], every output's dimensions
 * symbolic (`out{i}_{axis}`, to be pinned by derived-model.ts after a real run), the stale intermediate shapes
 * (value_info) dropped so onnxruntime infers them again, and, when the batch changes, each Reshape whose shape
 * constant starts with the exported batch 1 rewritten to start with 0 (ONNX Reshape: 0 copies that dimension
 * from the input, unless allowzero is set).
 */
export function rewriteInputShape(bytes: Uint8Array, shape: InputShape, label: string): DerivedGraph {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new ModelError(`${label}: not an ONNX model (${(err as Error).message})`);
  }
  const graph = model.graph;
  if (!graph) throw new ModelError(`${label}: ONNX model has no graph`);
  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((i) => !initializerNames.has(i.name ?? ''));
  if (inputs.length !== 1) {
    throw new ModelError(
      `${label}: a derived input shape needs a model with one image input, found ${inputs.length} ` +
        `(${inputs.map((i) => i.name).join(', ')})`,
    );
  }
  const input = inputs[0]!;
  const dims = input.type?.tensorType?.shape?.dim ?? [];
  if (dims.length !== 4) throw new ModelError(`${label}: image input ${input.name} is not 4-D NCHW`);
  const sourceShape = dims.map(dimValue);
  const [n, c, h, w] = sourceShape;
  const unchanged = n === shape.batch && h === shape.height && w === shape.width;
  input.type!.tensorType!.shape!.dim = [
    shape.batch === 'dynamic' ? symbolic(BATCH_DIM) : fixed(shape.batch),
    fixed(typeof c === 'number' ? c : 3),
    fixed(shape.height),
    fixed(shape.width),
  ];
  (graph.output ?? []).forEach((o, i) => {
    const outDims = o.type?.tensorType?.shape?.dim;
    if (outDims) o.type!.tensorType!.shape!.dim = outDims.map((_, axis) => symbolic(`out${i}_${axis}`));
  });
  graph.valueInfo = [];

  const batchReshapes: string[] = [];
  if (shape.batch !== n) {
    if (n !== 1) {
      throw new ModelError(
        `${label}: the batch of image input ${input.name} is ${n}; only batch-1 exports can be rebatched`,
      );
    }
    const byName = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
    for (const node of graph.node ?? []) {
      if (node.opType === 'Constant') {
        for (const a of node.attribute ?? []) if (a.t) byName.set(node.output?.[0] ?? '', a.t);
      }
    }
    for (const node of graph.node ?? []) {
      if (node.opType !== 'Reshape') continue;
      if ((node.attribute ?? []).some((a) => a.name === 'allowzero' && toNumber(a.i) === 1)) continue;
      const name = node.input?.[1] ?? '';
      const t = byName.get(name);
      if (!t) continue; // computed at run time from Shape ops: follows the real batch already
      const values = int64s(t);
      if (values.length >= 2 && values[0] === 1n && !batchReshapes.includes(name)) {
        setInt64s(t, [0n, ...values.slice(1)]);
        batchReshapes.push(name);
      }
    }
  }
  return {
    bytes: onnx.ModelProto.encode(model).finish(),
    inputName: input.name ?? '',
    sourceShape,
    batchReshapes,
    unchanged,
  };
}

/** Pins the outputs' dimensions to what a real run produced; the batch axis (0) stays symbolic when dynamic. */
export function pinOutputShapes(
  bytes: Uint8Array,
  outputDims: Record<string, readonly number[]>,
  dynamicBatch: boolean,
): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  for (const o of model.graph?.output ?? []) {
    const dims = outputDims[o.name ?? ''];
    const shape = o.type?.tensorType?.shape;
    if (!dims || !shape) continue;
    shape.dim = dims.map((d, axis) => (axis === 0 && dynamicBatch ? symbolic(BATCH_DIM) : fixed(d)));
  }
  return onnx.ModelProto.encode(model).finish();
}
