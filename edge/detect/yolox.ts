// YOLOX raw-head detector: BGR 0..255 letterboxed top-left (pad 114), grid decode over strides 8/16/32, score = obj*cls, NMS.
import * as ort from 'onnxruntime-node';
import type { ResolvedModel } from '../../models/resolve.ts';
import type { Frame } from '../ingest/frame.ts';
import { Candidates } from './candidates.ts';
import { type ClassThresholds, classThresholds } from './class-thresholds.ts';
import type { Detection } from './detection.ts';
import type { DetectorConfig } from './detector-schema.ts';
import { familyMismatch } from './family-mismatch.ts';
import { imageInputSize } from './image-input.ts';
import { loadOnnxDetector, OnnxDetector } from './onnx-detector.ts';
import { PlanarInput } from './planar-input.ts';

const STRIDES = [8, 16, 32] as const;

export class YoloxDetector extends OnnxDetector {
  readonly family = 'yolox' as const;
  private readonly input: PlanarInput;
  private readonly feeds: ort.InferenceSession.FeedsType;
  /** Precomputed grid x, y and stride per anchor row. */
  private readonly grid: Float32Array;
  private readonly candidates: Candidates;

  private constructor(
    session: ort.InferenceSession,
    model: ResolvedModel,
    width: number,
    height: number,
    inputName: string,
    private readonly outputName: string,
    private readonly thresholds: ClassThresholds,
    private readonly nmsIou: number,
  ) {
    super(session, model.name, model.labels, {
      width,
      height,
      pixelFormat: 'bgr24',
      fit: 'letterbox-topleft',
      padValue: 114,
    });
    this.input = new PlanarInput(this.frameSpec, 1);
    this.feeds = { [inputName]: new ort.Tensor('float32', this.input.data, [1, 3, height, width]) };
    const rows = anchorCount(width, height);
    this.grid = new Float32Array(rows * 3);
    let r = 0;
    for (const s of STRIDES) {
      for (let y = 0; y < height / s; y++) {
        for (let x = 0; x < width / s; x++, r++) {
          this.grid[r * 3] = x;
          this.grid[r * 3 + 1] = y;
          this.grid[r * 3 + 2] = s;
        }
      }
    }
    this.candidates = new Candidates(rows);
  }

  static async load(model: ResolvedModel, cfg: DetectorConfig): Promise<YoloxDetector> {
    return loadOnnxDetector(model.file, cfg, (session, { inputs, outputs }) => {
      const fail = (why: string) =>
        familyMismatch('yolox', model.file, why, inputs, outputs, model.labels.length);
      if (inputs.length !== 1) throw fail(`expected one image input, found ${inputs.length}`);
      const { width, height } = imageInputSize(
        inputs[0]!,
        { configSize: cfg.inputSize, catalogSize: model.inputSize },
        fail,
      );
      if (width % 32 !== 0 || height % 32 !== 0)
        throw fail(`input ${width}x${height} is not a multiple of 32`);
      const rows = anchorCount(width, height);
      if (outputs.length !== 1 || outputs[0]!.shape.length !== 3)
        throw fail(`expected one [1, ${rows}, 5+C] output`);
      const [, n, cols] = outputs[0]!.shape;
      if (typeof n === 'number' && n !== rows)
        throw fail(`expected ${rows} anchor rows (strides 8/16/32 over ${width}x${height}), found ${n}`);
      if (typeof cols === 'number' && cols !== 5 + model.labels.length) {
        throw fail(
          `expected 5 + ${model.labels.length} columns (x, y, w, h, obj, one score per label), found ${cols}`,
        );
      }
      return new YoloxDetector(
        session,
        model,
        width,
        height,
        inputs[0]!.name,
        outputs[0]!.name,
        classThresholds(cfg, model.labels),
        cfg.nmsIou,
      );
    });
  }

  /** Packed BGR HWC bytes -> planar float CHW, raw 0..255 as YOLOX expects. */
  protected preprocess(frame: Frame): ort.InferenceSession.FeedsType {
    this.input.fill(frame);
    return this.feeds;
  }

  protected decode(outputs: ort.InferenceSession.ReturnType, frame: Frame): Detection[] {
    const tensor = outputs[this.outputName]!;
    const out = tensor.data as Float32Array;
    const numClasses = this.labels.length;
    const cols = 5 + numClasses;
    const rows = this.grid.length / 3;
    if (tensor.dims[1] !== rows || tensor.dims[2] !== cols) {
      throw new Error(
        `${this.modelName}: output is [${tensor.dims.join(',')}], expected [1,${rows},${cols}]`,
      );
    }
    const thr = this.thresholds.byClass;
    const minThr = this.thresholds.min;
    const cand = this.candidates;
    cand.reset();
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const obj = out[o + 4]!;
      if (obj < minThr) continue; // score = obj*cls <= obj
      let best = 0;
      let bestC = 0;
      for (let c = 0; c < numClasses; c++) {
        const v = out[o + 5 + c]!;
        if (v > best) {
          best = v;
          bestC = c;
        }
      }
      const score = obj * best;
      if (score < thr[bestC]!) continue;
      const gx = this.grid[r * 3]!;
      const gy = this.grid[r * 3 + 1]!;
      const s = this.grid[r * 3 + 2]!;
      const cx = (out[o]! + gx) * s;
      const cy = (out[o + 1]! + gy) * s;
      const w = Math.exp(out[o + 2]!) * s;
      const h = Math.exp(out[o + 3]!) * s;
      cand.push(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, score, bestC);
    }
    return cand.toDetections(cand.suppress(this.nmsIou), frame.content, this.labels);
  }
}

function anchorCount(width: number, height: number): number {
  return STRIDES.reduce((n, s) => n + (width / s) * (height / s), 0);
}
