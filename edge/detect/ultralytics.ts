// Ultralytics YOLOv8/YOLO11 detector: RGB /255 centred letterbox (pad 114); output [1,4+C,N] or [1,N,4+C]
// (cx, cy, w, h in input pixels, then C class scores, no objectness); per-class NMS.
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

export class UltralyticsDetector extends OnnxDetector {
  readonly family = 'ultralytics' as const;
  private readonly input: PlanarInput;
  private readonly feeds: ort.InferenceSession.FeedsType;
  private candidates: Candidates;
  /** Best class score and class id per anchor, for the channel-major pass over class rows. */
  private bestScore: Float32Array = new Float32Array(0);
  private bestClass: Int32Array = new Int32Array(0);

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
      pixelFormat: 'rgb24',
      fit: 'letterbox-center',
      padValue: 114,
    });
    this.input = new PlanarInput(this.frameSpec, 1 / 255);
    this.feeds = { [inputName]: new ort.Tensor('float32', this.input.data, [1, 3, height, width]) };
    this.candidates = new Candidates(1024);
  }

  static async load(model: ResolvedModel, cfg: DetectorConfig): Promise<UltralyticsDetector> {
    return loadOnnxDetector(model.file, cfg, (session, { inputs, outputs }) => {
      const numClasses = model.labels.length;
      const fail = (why: string) =>
        familyMismatch('ultralytics', model.file, why, inputs, outputs, numClasses);
      if (inputs.length !== 1) throw fail(`expected one image input, found ${inputs.length}`);
      const { width, height } = imageInputSize(
        inputs[0]!,
        { configSize: cfg.inputSize, catalogSize: model.inputSize },
        fail,
      );
      // Segmentation/pose exports add outputs or columns; only plain detection heads are accepted.
      if (outputs.length !== 1 || outputs[0]!.shape.length !== 3)
        throw fail(`expected one [1, 4+C, N] or [1, N, 4+C] output, found ${outputs.length}`);
      const [, a, b] = outputs[0]!.shape;
      const want = 4 + numClasses;
      const fixed = typeof a === 'number' && typeof b === 'number';
      if (fixed && a !== want && b !== want) {
        throw fail(
          `expected 4 + ${numClasses} rows (cx, cy, w, h, one score per label) in [1, ${want}, N] or [1, N, ${want}]`,
        );
      }
      return new UltralyticsDetector(
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

  protected preprocess(frame: Frame): ort.InferenceSession.FeedsType {
    this.input.fill(frame);
    return this.feeds;
  }

  protected decode(outputs: ort.InferenceSession.ReturnType, frame: Frame): Detection[] {
    const tensor = outputs[this.outputName]!;
    const out = tensor.data as Float32Array;
    const numClasses = this.labels.length;
    const want = 4 + numClasses;
    const [, a, b] = tensor.dims as readonly number[];
    const cand = this.candidates;
    cand.reset();
    // The layout is read from the real dims every run (cheap): exports with dynamic axes only reveal it here.
    if (a === want) this.decodeChannelMajor(out, b!, numClasses);
    else if (b === want) this.decodeAnchorMajor(out, a!, numClasses);
    else {
      throw new Error(
        `${this.modelName}: output is [${tensor.dims.join(',')}], expected [1,${want},N] or [1,N,${want}]`,
      );
    }
    return cand.toDetections(cand.suppress(this.nmsIou), frame.content, this.labels);
  }

  /** [1, 4+C, N]: walk each class row sequentially (cache-friendly), keeping the best class per anchor. */
  private decodeChannelMajor(out: Float32Array, n: number, numClasses: number): void {
    if (this.bestScore.length !== n) {
      this.bestScore = new Float32Array(n);
      this.bestClass = new Int32Array(n);
    }
    const best = this.bestScore;
    const bestC = this.bestClass;
    best.fill(0);
    bestC.fill(0);
    for (let c = 0; c < numClasses; c++) {
      const row = (4 + c) * n;
      for (let j = 0; j < n; j++) {
        const v = out[row + j]!;
        if (v > best[j]!) {
          best[j] = v;
          bestC[j] = c;
        }
      }
    }
    const thr = this.thresholds.byClass;
    for (let j = 0; j < n; j++) {
      const score = best[j]!;
      const c = bestC[j]!;
      if (score < thr[c]!) continue;
      const cx = out[j]!;
      const cy = out[n + j]!;
      const hw = out[2 * n + j]! / 2;
      const hh = out[3 * n + j]! / 2;
      this.candidates.push(cx - hw, cy - hh, cx + hw, cy + hh, score, c);
    }
  }

  /** [1, N, 4+C]: one contiguous row per anchor. */
  private decodeAnchorMajor(out: Float32Array, n: number, numClasses: number): void {
    const cols = 4 + numClasses;
    const thr = this.thresholds.byClass;
    const minThr = this.thresholds.min;
    for (let j = 0; j < n; j++) {
      const o = j * cols;
      let score = 0;
      let c = 0;
      for (let k = 0; k < numClasses; k++) {
        const v = out[o + 4 + k]!;
        if (v > score) {
          score = v;
          c = k;
        }
      }
      if (score < minThr || score < thr[c]!) continue;
      const cx = out[o]!;
      const cy = out[o + 1]!;
      const hw = out[o + 2]! / 2;
      const hh = out[o + 3]! / 2;
      this.candidates.push(cx - hw, cy - hh, cx + hw, cy + hh, score, c);
    }
  }
}
