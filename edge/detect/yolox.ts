// YOLOX raw-head detector: BGR 0..255 letterboxed top-left (pad 114), grid decode over strides 8/16/32, score = obj*cls, NMS.
import * as ort from 'onnxruntime-node';
import type { ResolvedModel } from '../../models/resolve.ts';
import { ModelError } from '../../models/resolve.ts';
import type { Frame, FrameSpec } from '../ingest/frame.ts';
import type { Detection } from './detection.ts';
import type { Detector, DetectorTimings } from './detector.ts';
import { nmsPerClass } from './nms.ts';
import { describe, loadSession, type SessionOptions, tensorInfos } from './onnx-session.ts';

const STRIDES = [8, 16, 32] as const;

export interface YoloxOptions extends SessionOptions {
  confidence: number;
  nmsIou: number;
}

export class YoloxDetector implements Detector {
  readonly family = 'yolox' as const;
  readonly frameSpec: FrameSpec;
  lastTimings: DetectorTimings = { preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 };
  private readonly input: Float32Array;
  private readonly tensor: ort.Tensor;
  /** Precomputed grid x, y and stride per anchor row. */
  private readonly grid: Float32Array;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly modelName: string,
    readonly labels: readonly string[],
    private readonly size: number,
    private readonly inputName: string,
    private readonly outputName: string,
    private readonly numClasses: number,
    private readonly opts: YoloxOptions,
  ) {
    this.frameSpec = {
      width: size,
      height: size,
      pixelFormat: 'bgr24',
      fit: 'letterbox-topleft',
      padValue: 114,
    };
    this.input = new Float32Array(3 * size * size);
    this.tensor = new ort.Tensor('float32', this.input, [1, 3, size, size]);
    const rows = STRIDES.reduce((n, s) => n + (size / s) ** 2, 0);
    this.grid = new Float32Array(rows * 3);
    let r = 0;
    for (const s of STRIDES) {
      const g = size / s;
      for (let y = 0; y < g; y++) {
        for (let x = 0; x < g; x++, r++) {
          this.grid[r * 3] = x;
          this.grid[r * 3 + 1] = y;
          this.grid[r * 3 + 2] = s;
        }
      }
    }
  }

  static async load(model: ResolvedModel, opts: YoloxOptions): Promise<YoloxDetector> {
    const session = await loadSession(model.file, opts);
    const inputs = tensorInfos(session.inputMetadata);
    const outputs = tensorInfos(session.outputMetadata);
    const input = inputs[0];
    const output = outputs[0];
    const fail = (why: string) =>
      new ModelError(
        `${model.file} does not look like a YOLOX raw-head model (family yolox): ${why}. ` +
          `Inputs: ${describe(inputs)}; outputs: ${describe(outputs)}. Check detector.family.`,
      );
    if (inputs.length !== 1 || !input || input.shape.length !== 4)
      throw fail('expected one NCHW image input');
    const [, c, h, w] = input.shape;
    if (c !== 3 || typeof h !== 'number' || h !== w)
      throw fail('expected a square 3-channel input of fixed size');
    if (model.inputSize && model.inputSize !== h)
      throw fail(`input is ${h}px but the catalog says ${model.inputSize}`);
    const rows = STRIDES.reduce((n, s) => n + (h / s) ** 2, 0);
    if (outputs.length !== 1 || !output || output.shape.length !== 3)
      throw fail('expected one [1, anchors, 5+C] output');
    const [, n, cols] = output.shape;
    if (n !== rows || typeof cols !== 'number' || cols < 6) throw fail(`expected [1, ${rows}, 5+C] output`);
    if (cols - 5 !== model.labels.length) {
      throw fail(`the model has ${cols - 5} classes but the label file has ${model.labels.length}`);
    }
    const det = new YoloxDetector(
      session,
      model.name,
      model.labels,
      h,
      input.name,
      output.name,
      cols - 5,
      opts,
    );
    return det;
  }

  async detect(frame: Frame): Promise<Detection[]> {
    const t0 = performance.now();
    this.preprocess(frame.data);
    const t1 = performance.now();
    const out = await this.session.run({ [this.inputName]: this.tensor });
    const t2 = performance.now();
    const dets = this.decode(out[this.outputName]!.data as Float32Array, frame);
    const t3 = performance.now();
    this.lastTimings = { preprocessMs: t1 - t0, inferenceMs: t2 - t1, postprocessMs: t3 - t2 };
    return dets;
  }

  /** Packed BGR HWC bytes -> planar float CHW, raw 0..255 as YOLOX expects; one pass, no allocation. */
  private preprocess(data: Buffer): void {
    const plane = this.size * this.size;
    const input = this.input;
    for (let p = 0, i = 0; p < plane; p++, i += 3) {
      input[p] = data[i]!;
      input[plane + p] = data[i + 1]!;
      input[2 * plane + p] = data[i + 2]!;
    }
  }

  private decode(out: Float32Array, frame: Frame): Detection[] {
    const cols = 5 + this.numClasses;
    const rows = out.length / cols;
    const boxes: number[] = [];
    const scores: number[] = [];
    const classes: number[] = [];
    const conf = this.opts.confidence;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const obj = out[o + 4]!;
      if (obj < conf) continue; // score = obj*cls <= obj
      let best = 0;
      let bestC = 0;
      for (let c = 0; c < this.numClasses; c++) {
        const v = out[o + 5 + c]!;
        if (v > best) {
          best = v;
          bestC = c;
        }
      }
      const score = obj * best;
      if (score < conf) continue;
      const gx = this.grid[r * 3]!;
      const gy = this.grid[r * 3 + 1]!;
      const s = this.grid[r * 3 + 2]!;
      const cx = (out[o]! + gx) * s;
      const cy = (out[o + 1]! + gy) * s;
      const w = Math.exp(out[o + 2]!) * s;
      const h = Math.exp(out[o + 3]!) * s;
      boxes.push(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
      scores.push(score);
      classes.push(bestC);
    }
    const kept = nmsPerClass(boxes, scores, classes, this.opts.nmsIou);
    const { x, y, width, height } = frame.content;
    const clamp = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
    return kept.map((i) => ({
      classId: classes[i]!,
      label: this.labels[classes[i]!] ?? String(classes[i]),
      score: scores[i]!,
      boxXyxyNorm: [
        clamp((boxes[i * 4]! - x) / width),
        clamp((boxes[i * 4 + 1]! - y) / height),
        clamp((boxes[i * 4 + 2]! - x) / width),
        clamp((boxes[i * 4 + 3]! - y) / height),
      ],
    }));
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
