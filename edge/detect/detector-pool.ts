// Shares one detector between cameras: one inference at a time (it already uses every core), cameras served in turn.
import type { Frame } from '../ingest/frame.ts';
import type { Detection } from './detection.ts';
import type { Detector, DetectorTimings } from './detector.ts';

export class DetectorPool {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(readonly detector: Detector) {}

  /** Frames queued behind the one being detected (each camera has at most one: latest frame wins). */
  get depth(): number {
    return this.waiting;
  }

  /** Queues a frame; resolves with its detections and the timings of that run. */
  run(frame: Frame): Promise<{ detections: Detection[]; timings: DetectorTimings }> {
    this.waiting++;
    const job = this.tail.then(async () => {
      this.waiting--;
      const detections = await this.detector.detect(frame);
      return { detections, timings: this.detector.lastTimings };
    });
    this.tail = job.catch(() => undefined);
    return job;
  }
}
