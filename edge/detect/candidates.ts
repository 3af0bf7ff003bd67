// A reusable buffer of candidate boxes (input pixels) that decoders fill and NMS/dedupe reduce to Detections.
import type { ContentRect } from '../ingest/frame.ts';
import type { Detection } from './detection.ts';
import { nmsPerClass } from './nms.ts';

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

export class Candidates {
  boxes: Float32Array;
  scores: Float32Array;
  classes: Int32Array;
  count = 0;

  constructor(capacity: number) {
    this.boxes = new Float32Array(capacity * 4);
    this.scores = new Float32Array(capacity);
    this.classes = new Int32Array(capacity);
  }

  reset(): void {
    this.count = 0;
  }

  push(x1: number, y1: number, x2: number, y2: number, score: number, classId: number): void {
    if (this.count === this.scores.length) this.grow();
    const i = this.count++;
    const o = i * 4;
    this.boxes[o] = x1;
    this.boxes[o + 1] = y1;
    this.boxes[o + 2] = x2;
    this.boxes[o + 3] = y2;
    this.scores[i] = score;
    this.classes[i] = classId;
  }

  /** Per-class greedy suppression above iou; returns kept indices, best score first. iou >= 1 keeps all. */
  suppress(iou: number): number[] {
    const n = this.count;
    if (iou >= 1)
      return Array.from({ length: n }, (_, i) => i).sort((a, b) => this.scores[b]! - this.scores[a]!);
    return nmsPerClass(
      this.boxes.subarray(0, n * 4),
      this.scores.subarray(0, n),
      this.classes.subarray(0, n),
      iou,
    );
  }

  /**
   * Maps kept boxes from a pixel space to normalised frame coordinates: (v - offset) / extent, where the
   * rectangle is the picture's place in that space (the letterbox content rect, or the whole stretched input).
   */
  toDetections(kept: readonly number[], rect: ContentRect, labels: readonly string[]): Detection[] {
    const { x, y, width, height } = rect;
    return kept.map((i) => {
      const o = i * 4;
      const c = this.classes[i]!;
      return {
        classId: c,
        label: labels[c] ?? String(c),
        score: this.scores[i]!,
        boxXyxyNorm: [
          clamp01((this.boxes[o]! - x) / width),
          clamp01((this.boxes[o + 1]! - y) / height),
          clamp01((this.boxes[o + 2]! - x) / width),
          clamp01((this.boxes[o + 3]! - y) / height),
        ],
      };
    });
  }

  private grow(): void {
    const cap = Math.max(16, this.scores.length * 2);
    const boxes = new Float32Array(cap * 4);
    boxes.set(this.boxes);
    const scores = new Float32Array(cap);
    scores.set(this.scores);
    const classes = new Int32Array(cap);
    classes.set(this.classes);
    this.boxes = boxes;
    this.scores = scores;
    this.classes = classes;
  }
}
