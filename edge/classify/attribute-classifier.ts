// The second-stage attribute classifier plug point: one crop of a tracked object in, one label with a score out.
import type { Frame } from '../ingest/frame.ts';

export interface AttributeResult {
  label: string;
  /** 0..1, the winning class's probability. */
  score: number;
}

export interface AttributeClassifier {
  /** Classifies the object in boxXyxyNorm (normalised to the source picture, as tracks carry it) of this frame. */
  classify(frame: Frame, boxXyxyNorm: readonly [number, number, number, number]): Promise<AttributeResult>;
  close(): Promise<void>;
}
