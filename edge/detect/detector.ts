// The Detector plug point: one implementation per model family, all returning the same Detection[].
import type { Frame, FrameSpec } from '../ingest/frame.ts';
import type { Detection } from './detection.ts';
import type { DetectorFamily } from './detector-schema.ts';

export interface DetectorTimings {
  preprocessMs: number;
  inferenceMs: number;
  postprocessMs: number;
}

export interface Detector {
  readonly family: DetectorFamily;
  readonly modelName: string;
  readonly labels: readonly string[];
  /** The frame geometry and pixel format ingest must deliver (ffmpeg does the scaling and padding). */
  readonly frameSpec: FrameSpec;
  /** Timings of the last detect() call. */
  readonly lastTimings: DetectorTimings;
  /**
   * Detections of one frame, best score first, boxes normalised to the source picture (padding removed, clamped
   * to 0..1), after the detector-wide thresholds, class allow-list and NMS (or DETR dedupe). Rejects a frame
   * whose size or pixel format is not `frameSpec`. One call at a time: the input buffers are reused.
   */
  detect(frame: Frame): Promise<Detection[]>;
  close(): Promise<void>;
}
