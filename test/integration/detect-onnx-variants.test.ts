// Export variants made from the real shared models by a few lines of protobuf surgery (no onnx tooling):
// - the transposed Ultralytics output [1, N, 4+C] (a Transpose node appended to yolov8n's graph) must give
//   exactly the detections of the original channel-major [1, 4+C, N] file;
// - a YOLOX export with a dynamic input size (symbolic H and W) needs detector.inputSize, and then works.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector } from '../../edge/detect/create-detector.ts';
import type { Detector } from '../../edge/detect/detector.ts';
import { detectorConfig } from '../../edge/detect/detector-schema.ts';
import { stillFrame } from '../../edge/detect/still-frame.ts';
import { resolveModel } from '../../models/resolve.ts';
import { MODELS_DIR, media, tempDir } from '../helpers/fixtures.ts';

// --- minimal protobuf (onnx.proto field numbers) ---
function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}
const tag = (field: number, wire: number) => varint(field * 8 + wire);
const bytesField = (field: number, payload: Buffer) =>
  Buffer.concat([tag(field, 2), varint(payload.length), payload]);
const stringField = (field: number, s: string) => bytesField(field, Buffer.from(s, 'utf8'));
const intField = (field: number, n: number) => Buffer.concat([tag(field, 0), varint(n)]);

interface Field {
  field: number;
  raw: Buffer;
  payload?: Buffer;
}
function readVarint(buf: Buffer, pos: number): [number, number] {
  let value = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++]!;
    value += (b & 0x7f) * mul;
    if (b < 0x80) return [value, pos];
    mul *= 0x80;
  }
}
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [key, p1] = readVarint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    pos = p1;
    let payload: Buffer | undefined;
    if (wire === 0) pos = readVarint(buf, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      payload = buf.subarray(p2, p2 + len);
      pos = p2 + len;
    } else throw new Error(`unsupported wire type ${wire}`);
    out.push({ field, raw: buf.subarray(start, pos), payload });
  }
  return out;
}

/** Appends Transpose(perm 0,2,1) after the graph's only output and makes its result the new output. */
function transposeOutput(model: Buffer, output: string, dims: number[]): Buffer {
  const top = fields(model);
  const graphField = top.find((f) => f.field === 7)!; // ModelProto.graph
  const graph = fields(graphField.payload!);
  const node = Buffer.concat([
    stringField(1, output), // NodeProto.input
    stringField(2, `${output}_t`), // NodeProto.output
    stringField(3, 'matthan_test_transpose'), // NodeProto.name
    stringField(4, 'Transpose'), // NodeProto.op_type
    bytesField(
      5,
      Buffer.concat([
        stringField(1, 'perm'),
        intField(8, 0),
        intField(8, 2),
        intField(8, 1),
        intField(20, 7),
      ]),
    ),
  ]);
  const shape = Buffer.concat(dims.map((d) => bytesField(1, intField(1, d)))); // TensorShapeProto.dim.dim_value
  const valueInfo = Buffer.concat([
    stringField(1, `${output}_t`),
    bytesField(2, bytesField(1, Buffer.concat([intField(1, 1 /* FLOAT */), bytesField(2, shape)]))),
  ]);
  const newGraph = Buffer.concat([
    ...graph.filter((f) => f.field !== 12).map((f) => f.raw), // drop GraphProto.output
    bytesField(1, node),
    bytesField(12, valueInfo),
  ]);
  return Buffer.concat(top.map((f) => (f.field === 7 ? bytesField(7, newGraph) : f.raw)));
}

/** Rewrites the graph's only input as float [1, 3, H, W] with symbolic H and W. */
function dynamicInput(model: Buffer, input: string): Buffer {
  const top = fields(model);
  const graph = fields(top.find((f) => f.field === 7)!.payload!);
  const dim = (d: number | string) =>
    bytesField(1, typeof d === 'number' ? intField(1, d) : stringField(2, d));
  const shape = Buffer.concat([1, 3, 'H', 'W'].map(dim));
  const valueInfo = Buffer.concat([
    stringField(1, input),
    bytesField(2, bytesField(1, Buffer.concat([intField(1, 1 /* FLOAT */), bytesField(2, shape)]))),
  ]);
  const newGraph = Buffer.concat(
    graph.map((f) =>
      f.field === 11 && fields(f.payload!)[0]?.payload?.toString() === input
        ? bytesField(11, valueInfo)
        : f.raw,
    ),
  );
  return Buffer.concat(top.map((f) => (f.field === 7 ? bytesField(7, newGraph) : f.raw)));
}

describe('Ultralytics [1, N, 4+C] (transposed) output', () => {
  const dir = tempDir('matthan-ultra-');
  const transposed = path.join(dir, 'yolov8n_transposed.onnx');
  let original: Detector;
  let flipped: Detector;

  beforeAll(async () => {
    writeFileSync(
      transposed,
      transposeOutput(
        readFileSync(path.join(MODELS_DIR, 'yolov8n_int8_dynamic.onnx')),
        'output0',
        [1, 8400, 84],
      ),
    );
    const a = detectorConfig({ model: 'yolov8n_int8_dynamic', intraOpThreads: 1 });
    original = await createDetector(resolveModel(a), a);
    const b = detectorConfig({ model: transposed, family: 'ultralytics', intraOpThreads: 1 });
    flipped = await createDetector(resolveModel(b), b);
  });
  afterAll(async () => {
    await original?.close();
    await flipped?.close();
  });

  it('the surgery produced the transposed layout', async () => {
    const s = await ort.InferenceSession.create(transposed);
    const out = s.outputMetadata[0]!;
    await s.release();
    expect(out.name).toBe('output0_t');
    expect(out.isTensor && out.shape).toEqual([1, 8400, 84]);
  });

  it.each([
    'street_nyc_crossing.jpg',
    'hcmc_intersection_frame.jpg',
  ])('%s: same detections', async (photo) => {
    const frame = await stillFrame(media(photo), original.frameSpec);
    const a = await original.detect(frame);
    const b = await flipped.detect(frame);
    expect(a.length).toBeGreaterThan(10);
    expect(b).toEqual(a);
  });
});

describe('YOLOX export with a dynamic input size', () => {
  const dir = tempDir('matthan-dyn-');
  const dynamic = path.join(dir, 'yolox_nano_dynamic.onnx');
  beforeAll(() => {
    writeFileSync(dynamic, dynamicInput(readFileSync(path.join(MODELS_DIR, 'yolox_nano.onnx')), 'images'));
  });

  it('the surgery produced symbolic H and W', async () => {
    const s = await ort.InferenceSession.create(dynamic);
    const input = s.inputMetadata[0]!;
    await s.release();
    expect(input.isTensor && input.shape).toEqual([1, 3, 'H', 'W']);
  });

  it('without detector.inputSize it fails at load saying so', async () => {
    const cfg = detectorConfig({ model: dynamic, family: 'yolox', intraOpThreads: 1 });
    await expect(createDetector(resolveModel(cfg), cfg)).rejects.toThrow(
      'input width is dynamic (W); set detector.inputSize',
    );
  });

  it('with inputSize 416 it detects exactly what the fixed-size file does', async () => {
    const fixedCfg = detectorConfig({ model: 'yolox_nano', intraOpThreads: 1 });
    const fixed = await createDetector(resolveModel(fixedCfg), fixedCfg);
    const dynCfg = detectorConfig({ model: dynamic, family: 'yolox', inputSize: 416, intraOpThreads: 1 });
    const dyn = await createDetector(resolveModel(dynCfg), dynCfg);
    try {
      expect(dyn.frameSpec).toEqual(fixed.frameSpec);
      const frame = await stillFrame(media('hcmc_intersection_frame.jpg'), fixed.frameSpec);
      const a = await fixed.detect(frame);
      expect(a.length).toBeGreaterThan(10);
      expect(await dyn.detect(frame)).toEqual(a);
    } finally {
      await fixed.close();
      await dyn.close();
    }
  });
});
