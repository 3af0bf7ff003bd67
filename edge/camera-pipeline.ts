// One camera's pipeline: ffmpeg frames -> latest-frame slot -> shared detector -> tracker -> rules -> events.
import type { MatthanEvent, SignalState } from '../contract/index.ts';
import type { Logger } from '../lib/log.ts';
import type { CameraConfig } from './config/schema.ts';
import type { DetectorPool } from './detect/detector-pool.ts';
import { buildEvent } from './events/event-builder.ts';
import { FfmpegSource } from './ingest/ffmpeg-source.ts';
import type { Frame } from './ingest/frame.ts';
import type { ResolvedSource } from './ingest/source-url.ts';
import { createRules } from './rules/create-rules.ts';
import { RulesEngine } from './rules/engine.ts';
import { IouTracker } from './track/iou-tracker.ts';
import type { Tracker } from './track/track.ts';

export interface CameraStats {
  framesIn: number;
  framesProcessed: number;
  framesDropped: number;
  detections: number;
  events: number;
}

export interface CameraPipelineDeps {
  site: string;
  camera: CameraConfig;
  source: ResolvedSource;
  pool: DetectorPool;
  timezone: string;
  log: Logger;
  emitEvent: (event: MatthanEvent) => void;
  emitStatus: (state: 'online' | 'offline', reason?: string) => void;
  signal?: () => SignalState;
}

export class CameraPipeline {
  readonly stats: CameraStats = {
    framesIn: 0,
    framesProcessed: 0,
    framesDropped: 0,
    detections: 0,
    events: 0,
  };
  private readonly source: FfmpegSource;
  private readonly tracker: Tracker = new IouTracker();
  private readonly engine: RulesEngine;
  /** Latest frame waiting for the detector; a newer one replaces it and counts a drop. */
  private pending: Frame | undefined;
  private busy = false;
  private stopped = false;
  private endResolve!: () => void;
  /** Resolves when a non-looping file source has been read to the end and every frame processed. */
  readonly ended = new Promise<void>((r) => {
    this.endResolve = r;
  }).then(() => this.idle());

  constructor(private readonly d: CameraPipelineDeps) {
    this.engine = new RulesEngine(createRules(d.camera), { timezone: d.timezone });
    this.source = new FfmpegSource({
      cameraId: d.camera.id,
      source: d.source,
      transport: d.camera.source.transport,
      realtime: d.camera.source.realtime,
      loop: d.camera.source.loop,
      fps: d.camera.fps,
      stallTimeoutS: d.camera.source.stallTimeoutS,
      spec: d.pool.detector.frameSpec,
      log: d.log,
      onFrame: (f) => this.onFrame(f),
      onStatus: d.emitStatus,
      onEnd: () => this.endResolve(),
    });
  }

  start(): void {
    this.source.start();
  }

  private onFrame(frame: Frame): void {
    this.stats.framesIn++;
    if (this.pending) this.stats.framesDropped++;
    this.pending = frame;
    if (!this.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.pending && !this.stopped) {
      const frame = this.pending;
      this.pending = undefined;
      try {
        await this.process(frame);
      } catch (err) {
        this.d.log.error({ err: (err as Error).message }, 'frame processing failed');
      }
    }
    this.busy = false;
  }

  private async process(frame: Frame): Promise<void> {
    const { detections } = await this.d.pool.run(frame);
    this.stats.framesProcessed++;
    this.stats.detections += detections.length;
    const tracks = this.tracker.update(detections, frame.tsMs);
    const transitions = this.engine.step(tracks, frame.tsMs, this.d.signal?.() ?? 'unknown');
    for (const t of transitions) {
      this.stats.events++;
      this.d.emitEvent(buildEvent(this.d.site, this.d.camera.id, t));
    }
  }

  private async idle(): Promise<void> {
    while (this.busy || this.pending) await new Promise((r) => setTimeout(r, 10));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.source.stop();
    // Let the frame in flight finish before the caller closes the shared detector session.
    while (this.busy) await new Promise((r) => setTimeout(r, 10));
    this.pending = undefined;
    for (const t of this.engine.flush(Date.now()))
      this.d.emitEvent(buildEvent(this.d.site, this.d.camera.id, t));
  }
}
