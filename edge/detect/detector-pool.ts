// Shares one detector between cameras: one inference at a time (it already uses every core), cameras served in turn.
import type { Frame } from '../ingest/frame.ts';
import type { Detection } from './detection.ts';
import type { Detector, DetectorTimings } from './detector.ts';

export class DetectorPool {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly detector: Detector) {}

  /** Queues a frame; resolves with its detections and the timings of that run. */
  run(frame: Frame): Promise<{ detections: Detection[]; timings: DetectorTimings }> {
    const job = this.tail.then(async () => {
      const detections = await this.detector.detect(frame);
      return { detections, timings: this.detector.lastTimings };
    });
    this.tail = job.catch(() => undefined);
    return job;
  }
}
