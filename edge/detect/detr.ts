// DETR-family detector (RT-DETR, D-FINE, DEIMv2): RGB /255 stretched to the input, plus orig_target_sizes = the
// source [W, H]; outputs labels, boxes (x1y1x2y2 in those pixels) and scores; no NMS, only a cheap duplicate check.
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
import type { TensorInfo } from './onnx-session.ts';
import { PlanarInput } from './planar-input.ts';

interface DetrTensors {
  images: string;
  sizes: string;
  labels: string;
  boxes: string;
  scores: string;
}

export class DetrDetector extends OnnxDetector {
  readonly family = 'detr' as const;
  private readonly input: PlanarInput;
  /** [[W, H]] of the source frame; rewritten per frame (two numbers), never reallocated. */
  private readonly sizes = new BigInt64Array(2);
  private readonly feeds: ort.InferenceSession.FeedsType;
  private readonly candidates = new Candidates(300);

  private constructor(
    session: ort.InferenceSession,
    model: ResolvedModel,
    width: number,
    height: number,
    private readonly names: DetrTensors,
    private readonly thresholds: ClassThresholds,
    private readonly dedupeIou: number,
  ) {
    super(session, model.name, model.labels, {
      width,
      height,
      pixelFormat: 'rgb24',
      fit: 'stretch',
      padValue: 0,
    });
    this.input = new PlanarInput(this.frameSpec, 1 / 255);
    this.feeds = {
      [names.images]: new ort.Tensor('float32', this.input.data, [1, 3, height, width]),
      [names.sizes]: new ort.Tensor('int64', this.sizes, [1, 2]),
    };
  }

  static async load(model: ResolvedModel, cfg: DetectorConfig): Promise<DetrDetector> {
    return loadOnnxDetector(model.file, cfg, (session, { inputs, outputs }) => {
      const fail = (why: string) =>
        familyMismatch('detr', model.file, why, inputs, outputs, model.labels.length);
      const names = detrTensors(inputs, outputs, fail);
      const { width, height } = imageInputSize(
        inputs.find((i) => i.name === names.images)!,
        { configSize: cfg.inputSize, catalogSize: model.inputSize },
        fail,
      );
      return new DetrDetector(
        session,
        model,
        width,
        height,
        names,
        classThresholds(cfg, model.labels),
        cfg.dedupeIou,
      );
    });
  }

  protected preprocess(frame: Frame): ort.InferenceSession.FeedsType {
    this.input.fill(frame);
    // The model multiplies its normalised boxes by these, so boxes come back in source pixels.
    this.sizes[0] = BigInt(frame.sourceWidth);
    this.sizes[1] = BigInt(frame.sourceHeight);
    return this.feeds;
  }

  protected decode(outputs: ort.InferenceSession.ReturnType, frame: Frame): Detection[] {
    const labels = outputs[this.names.labels]!;
    const boxes = outputs[this.names.boxes]!.data as Float32Array;
    const scores = outputs[this.names.scores]!.data as Float32Array;
    const n = scores.length;
    if (labels.data.length !== n || boxes.length !== n * 4) {
      throw new Error(
        `${this.modelName}: labels/boxes/scores disagree: ${labels.data.length} labels, ${boxes.length / 4} boxes, ${n} scores`,
      );
    }
    const thr = this.thresholds.byClass;
    const cand = this.candidates;
    cand.reset();
    const ids = labels.data as BigInt64Array | Int32Array;
    for (let i = 0; i < n; i++) {
      const score = scores[i]!;
      if (score < this.thresholds.min) continue;
      const c = Number(ids[i]!);
      if (score < (thr[c] ?? this.thresholds.unknownClass)) continue;
      const o = i * 4;
      cand.push(boxes[o]!, boxes[o + 1]!, boxes[o + 2]!, boxes[o + 3]!, score, c);
    }
    // Boxes are in the pixel space of orig_target_sizes = the whole source frame (the input is stretched).
    const rect = { x: 0, y: 0, width: frame.sourceWidth, height: frame.sourceHeight };
    return cand.toDetections(cand.suppress(this.dedupeIou), rect, this.labels);
  }
}

/** Finds the tensors by their export names, falling back to their types and shapes for renamed exports. */
function detrTensors(inputs: TensorInfo[], outputs: TensorInfo[], fail: (why: string) => Error): DetrTensors {
  const byName = (list: TensorInfo[], name: string, alt: (t: TensorInfo) => boolean) =>
    (list.find((t) => t.name === name) ?? list.find(alt))?.name;
  const images = byName(inputs, 'images', (t) => t.type === 'float32' && t.shape.length === 4);
  const sizes = byName(
    inputs,
    'orig_target_sizes',
    (t) => t.type === 'int64' && t.shape.length === 2 && t.shape[1] === 2,
  );
  if (inputs.length !== 2 || !images || !sizes) {
    throw fail('expected two inputs, images float32 [N,3,H,W] and orig_target_sizes int64 [N,2]');
  }
  const labels = byName(outputs, 'labels', (t) => t.type === 'int64' && t.shape.length === 2);
  const boxes = byName(
    outputs,
    'boxes',
    (t) => t.type === 'float32' && t.shape.length === 3 && t.shape[2] === 4,
  );
  const scores = byName(
    outputs,
    'scores',
    (t) => t.type === 'float32' && t.shape.length === 2 && t.name !== labels && t.name !== boxes,
  );
  if (outputs.length !== 3 || !labels || !boxes || !scores) {
    throw fail('expected three outputs, labels int64 [N,Q], boxes float32 [N,Q,4] and scores float32 [N,Q]');
  }
  return { images, sizes, labels, boxes, scores };
}
