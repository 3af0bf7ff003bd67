// Sends each camera's current view (one JPEG from its newest ring segment) to central on a slow timer.
import type { Logger } from '../../lib/log.ts';
import { viewFrameJpeg } from '../evidence/view-frame.ts';
import type { Segment } from '../ingest/segment-ring.ts';

export interface ViewCamera {
  id: string;
  ring: { segments(): Segment[] } | undefined;
}

export interface CameraViewReporterOptions {
  cameras: readonly ViewCamera[];
  /** Between two views of one camera. */
  intervalMs: number;
  /** Until the first view, the ring is looked at this often (a camera's first segment takes a few seconds). */
  firstPollMs?: number;
  send: (camera: string, jpeg: Buffer, frameTsMs: number) => void;
  grab?: (segmentFile: string) => Promise<Buffer>;
  log: Logger;
}

/** Best effort: a failed grab is logged and tried again at the next tick; it never touches event delivery. */
export class CameraViewReporter {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly o: CameraViewReporterOptions) {}

  start(): void {
    for (const cam of this.o.cameras) if (cam.ring) this.schedule(cam, this.o.firstPollMs ?? 2000, false);
  }

  private schedule(cam: ViewCamera, delayMs: number, sent: boolean): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      const p = this.report(cam).then((ok) =>
        this.schedule(cam, ok || sent ? this.o.intervalMs : (this.o.firstPollMs ?? 2000), ok || sent),
      );
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }, delayMs);
    t.unref();
    this.timers.add(t);
  }

  /** Grabs and sends one view; false when the ring has no segment yet or the grab failed. */
  private async report(cam: ViewCamera): Promise<boolean> {
    const newest = cam.ring?.segments().at(-1);
    if (!newest) return false;
    try {
      const jpeg = await (this.o.grab ?? viewFrameJpeg)(newest.file);
      if (this.stopped) return false;
      this.o.send(cam.id, jpeg, newest.endMs);
      return true;
    } catch (err) {
      // The segment may have been rotated out between listing and reading; the next tick takes a newer one.
      this.o.log.debug({ camera: cam.id, err: (err as Error).message }, 'view snapshot not taken');
      return false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }
}
