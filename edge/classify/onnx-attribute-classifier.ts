// AttributeClassifier over an ONNX image classifier (onnxruntime-node): crop, resize, one inference, softmax, argmax.
import * as ort from 'onnxruntime-node';
import type { Frame } from '../ingest/frame.ts';
import type { AttributeClassifier, AttributeResult } from './attribute-classifier.ts';
import type { ClassifierConfig } from './classifier-schema.ts';
import { cropResizeChw } from './crop-resize.ts';

export class OnnxAttributeClassifier implements AttributeClassifier {
  /** Reused input buffer: one crop at a time (calls are awaited one by one by the pipeline). */
  private readonly input: Float32Array;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly cfg: ClassifierConfig,
  ) {
    this.input = new Float32Array(3 * cfg.inputSize * cfg.inputSize);
  }

  static async load(file: string, cfg: ClassifierConfig): Promise<OnnxAttributeClassifier> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    } catch (err) {
      throw new Error(`classifier.model ${file}: cannot load ONNX model: ${(err as Error).message}`);
    }
    return new OnnxAttributeClassifier(session, cfg);
  }

  async classify(
    frame: Frame,
    boxXyxyNorm: readonly [number, number, number, number],
  ): Promise<AttributeResult> {
    const s = this.cfg.inputSize;
    cropResizeChw(frame, boxXyxyNorm, s, this.cfg.normalization, this.input);
    const name = this.session.inputNames[0]!;
    const out = await this.session.run({ [name]: new ort.Tensor('float32', this.input, [1, 3, s, s]) });
    const scores = out[this.session.outputNames[0]!]!.data as Float32Array;
    if (scores.length !== this.cfg.labels.length) {
      throw new Error(
        `classifier output has ${scores.length} scores but classifier.labels lists ${this.cfg.labels.length}`,
      );
    }
    return softmaxArgmax(scores, this.cfg.labels);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/** Softmax over scores (logits or probabilities: softmax keeps the argmax) and the winning label. */
export function softmaxArgmax(scores: ArrayLike<number>, labels: readonly string[]): AttributeResult {
  let max = Number.NEGATIVE_INFINITY;
  let best = 0;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i]! > max) {
      max = scores[i]!;
      best = i;
    }
  }
  // Already probabilities (sum ~1, all in 0..1): keep them; otherwise treat as logits.
  let sum = 0;
  let probs = true;
  for (let i = 0; i < scores.length; i++) {
    sum += scores[i]!;
    if (scores[i]! < 0 || scores[i]! > 1) probs = false;
  }
  if (probs && Math.abs(sum - 1) < 1e-3) return { label: labels[best]!, score: scores[best]! };
  let z = 0;
  for (let i = 0; i < scores.length; i++) z += Math.exp(scores[i]! - max);
  return { label: labels[best]!, score: 1 / z };
}
