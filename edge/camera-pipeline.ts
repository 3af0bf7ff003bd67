// One camera's pipeline: ffmpeg frames -> latest-frame slot -> shared detector -> tracker -> rules -> events.
import type { MatthanEvent, SignalState, ViewStatus } from '../contract/index.ts';
import type { Logger } from '../lib/log.ts';
import type { AttributeClassifier } from './classify/attribute-classifier.ts';
import { AttributeStage } from './classify/attribute-stage.ts';
import type { CameraConfig } from './config/schema.ts';
import { type CropMotion, cameraCrops, detectFrame } from './detect/crop-detector.ts';
import {
  compileDetectionFilter,
  type DetectionFilter,
  filterDetections,
  filterIsActive,
} from './detect/detection-filter.ts';
import type { DetectorPool } from './detect/detector-pool.ts';
import { detectorConfig } from './detect/detector-schema.ts';
import { MotionGate } from './detect/motion-gate.ts';
import { buildEvent, type EventContext } from './events/event-builder.ts';
import { FfmpegSource } from './ingest/ffmpeg-source.ts';
import type { Frame } from './ingest/frame.ts';
import { SegmentRing } from './ingest/segment-ring.ts';
import type { ResolvedSource } from './ingest/source-url.ts';
import { createRules } from './rules/create-rules.ts';
import { RulesEngine, type Transition } from './rules/engine.ts';
import { signalProvenance } from './signal/signal-provenance.ts';
import { SignalTimeline } from './signal/signal-timeline.ts';
import { ByteTrack } from './track/byte-track.ts';
import type { Track, Tracker } from './track/track.ts';
import { ViewGuardStage } from './view/view-guard-stage.ts';

export interface CameraStats {
  framesIn: number;
  framesProcessed: number;
  framesDropped: number;
  detections: number;
  events: number;
}

/** Where one frame's time went, in ms (the per-stage breakdown behind metrics and `npm run bench`). */
export interface FrameTimings {
  /** The pipeline sat idle waiting for ffmpeg to deliver this frame (0 when a frame was already waiting). */
  decodeWaitMs: number;
  /** From delivery to the detector starting on it: the latest-frame slot plus the shared detector's queue. */
  queueWaitMs: number;
  preprocessMs: number;
  inferenceMs: number;
  postprocessMs: number;
  trackMs: number;
  /** The view guard: grayscale image, view measurement (every few frames) and mapping detections. */
  viewMs: number;
  rulesMs: number;
  publishMs: number;
}

export interface CameraPipelineDeps {
  site: string;
  camera: CameraConfig;
  source: ResolvedSource;
  /** camera.source.analysisUrl resolved: the stream the detector decodes, when not `source`. */
  analysisSource?: ResolvedSource;
  pool: DetectorPool;
  timezone: string;
  log: Logger;
  emitEvent: (event: MatthanEvent) => void;
  emitStatus: (state: 'online' | 'offline', reason?: string) => void;
  signal?: () => SignalState;
  /** Fed every processed frame before the rules step (a lamp-colour signal source reads its region). */
  signalFrame?: (frame: Frame) => void;
  /** Called after every processed frame with its stage timings. */
  onTimings?: (t: FrameTimings) => void;
  /** The camera's second-stage classifier (loaded from camera.classifier); no_helmet rules need it. */
  attributeClassifier?: AttributeClassifier;
  /** {dataDir}/ring/{camera}; without it (a pipeline built by hand in a tool or test) the ring is off. */
  ringDir?: string;
  /** camera.viewGuard.referenceImage resolved against the config's directory. */
  viewReferenceFile?: string;
  /** Called when the view guard's state changes (the status message's `view`). */
  onViewChange?: (view: ViewStatus) => void;
  /** Every processed frame's tracks (the plate reader keeps the vehicles' boxes to crop them later). */
  onTracks?: (tsMs: number, tracks: readonly Track[]) => void;
  /** detector.nmsIou: merges the boxes of overlapping detection crops (default: the detector default). */
  nmsIou?: number;
}

export class CameraPipeline {
  readonly stats: CameraStats = {
    framesIn: 0,
    framesProcessed: 0,
    framesDropped: 0,
    detections: 0,
    events: 0,
  };
  readonly source: FfmpegSource;
  /** The last seconds of encoded video on disk (evidence clips); undefined when the camera's ring is disabled. */
  readonly ring: SegmentRing | undefined;
  /** Measures the view against the reference; undefined when camera.viewGuard is disabled. */
  readonly view: ViewGuardStage | undefined;
  private readonly tracker: Tracker;
  private readonly nmsIou: number;
  /** Motion gating of the detection crops (camera.regions.motionGate), when enabled. */
  readonly motion: CropMotion | undefined;
  /** What every event of this camera carries besides the hit (the signal source of red_light events). */
  private readonly eventContext: EventContext;
  private readonly engine: RulesEngine;
  /** Signal states seen on analysed frames, so events say what the light was at each moment. */
  private readonly signalSeen = new SignalTimeline();
  /** Crop classification and per-track votes, when the camera has a classifier. */
  private readonly attributes: AttributeStage | undefined;
  /** This camera's detection filters, compiled against the model's labels; undefined when they keep everything. */
  private readonly filter: DetectionFilter | undefined;
  /** Latest frame waiting for the detector; a newer one replaces it and counts a drop. */
  private pending: Frame | undefined;
  /** performance.now() when the pending frame arrived, and when the last frame finished processing. */
  private pendingAt = 0;
  private idleSince = 0;
  /** Frame time of the last processed frame: shutdown ends are stamped no earlier than it. */
  private lastFrameTs = 0;
  private busy = false;
  private stopped = false;
  private endResolve!: () => void;
  /** Resolves when a non-looping file source has been read to the end and every frame processed. */
  readonly ended = new Promise<void>((r) => {
    this.endResolve = r;
  }).then(() => this.idle());

  constructor(private readonly d: CameraPipelineDeps) {
    this.eventContext = { signalSource: signalProvenance(d.camera.signal), signalSeen: this.signalSeen };
    this.tracker = new ByteTrack(d.camera.tracker);
    this.nmsIou = d.nmsIou ?? detectorConfig().nmsIou;
    const mg = d.camera.regions.motionGate;
    this.motion = mg.enabled
      ? {
          gate: new MotionGate({
            pixelThreshold: mg.pixelThreshold,
            minChangedPixels: mg.minChangedPixels,
            refreshMs: mg.refreshS * 1000,
          }),
          last: new Map(),
        }
      : undefined;
    this.attributes =
      d.camera.classifier && d.attributeClassifier
        ? new AttributeStage(d.camera.classifier, d.attributeClassifier)
        : undefined;
    this.engine = new RulesEngine(createRules(d.camera, { attributes: this.attributes?.voter }), {
      timezone: d.timezone,
    });
    const filter = compileDetectionFilter(
      d.camera.detections ?? {},
      d.pool.detector.labels,
      `cameras.${d.camera.id}.detections`,
    );
    this.filter = filterIsActive(filter) ? filter : undefined;
    this.view = d.camera.viewGuard.enabled
      ? new ViewGuardStage(d.camera.viewGuard, {
          cameraId: d.camera.id,
          log: d.log,
          // Resolved by edge/main.ts against the config's directory; as written (cwd) in a hand-built pipeline.
          referenceFile: d.viewReferenceFile ?? d.camera.viewGuard.referenceImage,
          onChange: d.onViewChange,
        })
      : undefined;
    const ring = d.camera.ring;
    this.ring =
      ring.enabled && d.ringDir
        ? new SegmentRing({
            dir: d.ringDir,
            seconds: ring.seconds,
            segmentS: ring.segmentS,
            heldMaxS: ring.heldMaxS,
            log: d.log,
          })
        : undefined;
    this.source = new FfmpegSource({
      cameraId: d.camera.id,
      source: d.source,
      transport: d.camera.source.transport,
      realtime: d.camera.source.realtime,
      skipLoopFilter: d.camera.source.skipLoopFilter,
      decodeNice: d.camera.source.decodeNice,
      skipFrames: d.camera.source.skipFrames,
      analysisSource: d.analysisSource,
      loop: d.camera.source.loop,
      fps: d.camera.fps,
      stallTimeoutS: d.camera.source.stallTimeoutS,
      spec: d.pool.detector.frameSpec,
      log: d.log,
      onFrame: (f) => this.onFrame(f),
      onStatus: d.emitStatus,
      onEnd: () => this.endResolve(),
      ring: this.ring,
      planCrops: (w, h) => {
        const crops = cameraCrops(d.camera, d.pool.detector.frameSpec, w, h);
        d.log.info({ crops: crops.length, sourceWidth: w, sourceHeight: h }, 'detection crops planned');
        return crops;
      },
    });
  }

  start(): void {
    this.source.start();
  }

  private onFrame(frame: Frame): void {
    this.stats.framesIn++;
    if (this.pending) this.stats.framesDropped++;
    this.pending = frame;
    this.pendingAt = performance.now();
    if (!this.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.pending && !this.stopped) {
      const frame = this.pending;
      const arrivedAt = this.pendingAt;
      this.pending = undefined;
      try {
        await this.process(frame, arrivedAt);
      } catch (err) {
        this.d.log.error({ err: (err as Error).message }, 'frame processing failed');
      }
    }
    this.busy = false;
  }

  private async process(frame: Frame, arrivedAt: number): Promise<void> {
    const t0 = performance.now();
    const { detections: raw, timings } = await detectFrame(this.d.pool, frame, {
      nmsIou: this.nmsIou,
      wholeFrame: this.d.camera.regions.wholeFrame,
      motion: this.motion,
    });
    const detections = this.filter ? filterDetections(raw, this.filter) : raw;
    const t1 = performance.now();
    this.stats.framesProcessed++;
    this.stats.detections += detections.length;
    this.lastFrameTs = frame.tsMs;
    // Tracker and rules work in the reference view; nothing reaches them while the view has moved.
    const seen = this.view ? await this.view.step(frame, detections) : detections;
    const viewMs = this.view?.lastMs ?? 0;
    const tracks = this.tracker.update(seen, frame.tsMs);
    // The plate reader crops full-resolution frames of the camera as it is: boxes in the current view.
    this.d.onTracks?.(frame.tsMs, this.view ? this.inCurrentView(tracks) : tracks);
    if (this.attributes) await this.attributes.run(frame, this.view ? this.inCurrentView(tracks) : tracks);
    const t2 = performance.now();
    this.d.signalFrame?.(frame);
    const signal = this.d.signal?.() ?? 'unknown';
    this.signalSeen.record(frame.tsMs, signal); // events carry the state at each moment (review overlay)
    const transitions = this.engine.step(tracks, frame.tsMs, signal);
    const t3 = performance.now();
    for (const t of transitions) {
      this.stats.events++;
      this.d.emitEvent(this.toEvent(t));
    }
    const t4 = performance.now();
    if (this.d.onTimings) {
      const detectMs = timings.preprocessMs + timings.inferenceMs + timings.postprocessMs;
      this.d.onTimings({
        decodeWaitMs: this.idleSince > 0 && arrivedAt > this.idleSince ? arrivedAt - this.idleSince : 0,
        queueWaitMs: t0 - arrivedAt + Math.max(0, t1 - t0 - detectMs),
        preprocessMs: timings.preprocessMs,
        inferenceMs: timings.inferenceMs,
        postprocessMs: timings.postprocessMs,
        trackMs: t2 - t1 - viewMs,
        viewMs,
        rulesMs: t3 - t2,
        publishMs: t4 - t3,
      });
    }
    this.idleSince = t4;
  }

  /**
   * Analyses one frame now and in order, bypassing the latest-frame slot (tools and tests that feed recorded
   * frames, edge/ingest/record-clip.ts, so the result does not depend on how fast this machine is).
   */
  async analyse(frame: Frame): Promise<void> {
    this.stats.framesIn++;
    await this.process(frame, performance.now());
  }

  /** Events carry boxes and paths as the current picture shows them (snapshots are cut from it). */
  private toEvent(t: Transition): MatthanEvent {
    const event = buildEvent(this.d.site, this.d.camera.id, t, this.eventContext);
    return this.view ? this.view.toCurrentView(event) : event;
  }

  /** Tracks with their boxes back in the current picture, for crops of the current frame. */
  private inCurrentView(tracks: Track[]): Track[] {
    const view = this.view!;
    return tracks.map((t) => ({ ...t, boxXyxyNorm: view.toCurrentBox(t.boxXyxyNorm) }));
  }

  /** Adds a per-frame timings listener (metrics, benchmarks). */
  observeTimings(listener: (t: FrameTimings) => void): void {
    const previous = this.d.onTimings;
    this.d.onTimings = previous
      ? (t) => {
          previous(t);
          listener(t);
        }
      : listener;
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
    // A file read faster than real time runs ahead of the wall clock: never end an event before its last frame.
    for (const t of this.engine.flush(Math.max(Date.now(), this.lastFrameTs)))
      this.d.emitEvent(this.toEvent(t));
    this.view?.close();
  }
}
