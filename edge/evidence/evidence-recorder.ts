// Mints evidence ids when an event starts and, once the ring holds the frames, captures snapshots and the clip:
// a queue of pending captures (persisted in the outbox, resumed after a restart), oldest footage first, worked by
// a bounded number of parallel ffmpeg jobs; the ring holds the segments the queue still needs.
import path from 'node:path';
import type { EvidenceRef, MatthanEvent } from '../../contract/index.ts';
import type { Logger } from '../../lib/log.ts';
import type { NewEvidence, OutboxStore } from '../outbox/outbox-store.ts';
import {
  type CaptureJob,
  type RingLike as DecisionRing,
  decideCapture,
  LOST_REASONS,
  type LostReason,
} from './capture-decision.ts';
import { CaptureQueue, type Pending } from './capture-queue.ts';
import { type ClipMode, cutClip } from './clip-cutter.ts';
import type { ClipPlan, TimedSegment } from './clip-plan.ts';
import { grabFrames, type RgbFrame } from './snapshot.ts';
import { writeSnapshotFiles } from './snapshot-files.ts';

/** What the recorder needs from a camera's segment ring (edge/ingest/segment-ring.ts implements it). */
export interface RingLike extends DecisionRing {
  /** The ring asks at each retention pass which footage pending captures still need (optional: a fixed ring). */
  setHold?(oldestNeededMs: () => number | undefined): void;
}

export interface RecorderCamera {
  ring: RingLike | undefined;
  name?: string;
  zones: readonly { id: string; polygon: readonly (readonly [number, number])[] }[];
  lines: readonly { id: string; points: readonly (readonly [number, number])[] }[];
}

/** Where captured files go (EdgeDelivery implements it). */
export interface EvidenceSink {
  readonly store: OutboxStore;
  readonly evidenceDir: string;
  addEvidence(item: NewEvidence): void;
  evidenceReady(id: string, file: string, bytes: number): void;
  evidenceFailed(id: string, reason: string): void;
}

export interface RecorderOptions {
  preRollS: number;
  postRollS: number;
  snapshot: boolean;
  clip: boolean;
  jpegQuality: number;
  clipMode: ClipMode;
  captureTimeoutS: number;
  timezone: string;
  /** Capture jobs (ffmpeg processes) run at once; default 2. */
  workers?: number;
  /** Stream-copy H.265 clips (hvc1) instead of transcoding them. */
  copyHevc?: boolean;
}

export const evidenceIds = (eventId: string) => ({
  snapshot: `${eventId}_s`,
  snapshotClean: `${eventId}_sc`,
  clip: `${eventId}_v`,
});

/** The best-frame snapshot, minted only when the event ends (see attachBest). */
export const bestEvidenceId = (eventId: string) => `${eventId}_b`;

export interface RecorderCounters {
  snapshots: number;
  clips: number;
  /** Captures given up, all reasons (lost[reason] per reason). */
  failed: number;
  partialClips: number;
  /** ffmpeg runs that captured snapshots (one run can serve several events in one segment). */
  snapshotRuns: number;
  lost: Record<LostReason, number>;
}

export interface RecorderMetrics {
  /** Capture jobs waiting or running. */
  backlog: number;
  /** Age of the oldest pending capture's event time (s; 0 when none). */
  oldestPendingAgeS: number;
  counters: RecorderCounters;
}

/** After an ffmpeg failure a job waits this long before its next try. */
const RETRY_DELAY_MS = 1000;
/** Failures tolerated past the deadline before the capture is given up (a segment may rotate away mid-cut). */
const MAX_LATE_ATTEMPTS = 3;

export class EvidenceRecorder {
  readonly counters: RecorderCounters = {
    snapshots: 0,
    clips: 0,
    failed: 0,
    partialClips: 0,
    snapshotRuns: 0,
    lost: Object.fromEntries(LOST_REASONS.map((r) => [r, 0])) as Record<LostReason, number>,
  };
  /** Evidence refs of events still open, so update and end messages carry them too. */
  private readonly open = new Map<string, EvidenceRef>();
  /** Pending capture jobs by evidence id, in arrival order. */
  private readonly queue = new CaptureQueue();
  private readonly inflight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly workers: number;
  private timer: NodeJS.Timeout | undefined;
  private loaded = false;
  private stopping = false;
  private readonly timeFormat: Intl.DateTimeFormat;

  constructor(
    private readonly sink: EvidenceSink,
    private readonly cameras: ReadonlyMap<string, RecorderCamera>,
    private readonly o: RecorderOptions,
    private readonly log: Logger,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.workers = Math.max(1, o.workers ?? 2);
    this.timeFormat = new Intl.DateTimeFormat('sv-SE', {
      timeZone: o.timezone,
      dateStyle: 'short',
      timeStyle: 'medium',
    });
    for (const [id, cam] of cameras) cam.ring?.setHold?.(() => this.queue.oldestNeededMs(id));
  }

  /**
   * Called for every event before it is written to the outbox. A start mints the ids and records pending
   * captures (so the start message already references them); later messages repeat the refs.
   */
  attach(event: MatthanEvent): MatthanEvent {
    if (event.phase !== 'start') {
      let refs = this.open.get(event.id);
      if (event.phase === 'end') {
        this.open.delete(event.id);
        if (refs) refs = this.attachBest(event, refs);
      }
      return refs ? { ...event, evidence: refs } : event;
    }
    const cam = this.cameras.get(event.camera);
    if (!cam?.ring || (!this.o.snapshot && !this.o.clip)) return event;
    const ids = evidenceIds(event.id);
    const base = {
      atMs: event.startTs,
      fromMs: event.startTs - this.o.preRollS * 1000,
      toMs: event.startTs + this.o.postRollS * 1000,
      boxXyxyNorm: event.boxXyxyNorm,
      label: `${event.label} ${event.confidence.toFixed(2)}`,
      rule: event.rule,
      ...(event.zone ? { zone: event.zone } : {}),
      ...(event.line ? { line: event.line } : {}),
    };
    const refs: EvidenceRef = {};
    if (this.o.snapshot) {
      this.add(event, ids.snapshot, 'snapshot', 'image/jpeg', {
        ...base,
        type: 'snapshots',
        cleanId: ids.snapshotClean,
      });
      this.add(event, ids.snapshotClean, 'snapshotClean', 'image/jpeg', { ...base, type: 'companion' });
      refs.snapshot = ids.snapshot;
      refs.snapshotClean = ids.snapshotClean;
    }
    if (this.o.clip) {
      this.add(event, ids.clip, 'clip', 'video/mp4', { ...base, type: 'clip' });
      refs.clip = ids.clip;
    }
    this.open.set(event.id, refs);
    this.pump();
    return { ...event, evidence: refs };
  }

  /** Records a pending item durably (outbox) and queues its capture. */
  private add(
    event: MatthanEvent,
    id: string,
    kind: NewEvidence['kind'],
    contentType: string,
    job: CaptureJob,
  ): void {
    this.sink.addEvidence({
      id,
      eventId: event.id,
      camera: event.camera,
      kind,
      contentType,
      job: JSON.stringify(job),
    });
    this.queue.add(id, event.camera, job);
  }

  /**
   * The best-frame snapshot: on end, where the object was seen most confidently, if that is not the start
   * frame (already captured) and the ring still holds it (a long event may have rotated it away).
   */
  private attachBest(event: MatthanEvent, refs: EvidenceRef): EvidenceRef {
    const best = event.best;
    const ring = this.cameras.get(event.camera)?.ring;
    if (!best || !ring || !this.o.snapshot) return refs;
    if (!ring.covering(best.ts, best.ts).some((seg) => seg.startMs <= best.ts && best.ts < seg.endMs))
      return refs;
    const id = bestEvidenceId(event.id);
    this.add(event, id, 'snapshot', 'image/jpeg', {
      type: 'snapshots',
      atMs: best.ts,
      fromMs: best.ts,
      toMs: best.ts,
      boxXyxyNorm: best.boxXyxyNorm,
      label: `${event.label} ${best.confidence.toFixed(2)} (best)`,
      rule: event.rule,
      ...(event.zone ? { zone: event.zone } : {}),
      ...(event.line ? { line: event.line } : {}),
    });
    this.pump();
    return { ...refs, best: id };
  }

  /** Resumes the captures a previous run left pending, then polls for footage arriving. */
  start(pollMs = 500): void {
    this.load();
    this.timer = setInterval(() => this.pump(), pollMs);
    this.timer.unref();
    this.pump();
  }

  /**
   * Stops capturing: no new job starts, running ffmpeg jobs are killed, and this resolves once they have
   * settled, so the edge closes the outbox only after the last write to it (a capture still running then failed
   * with "The database connection is not open"). Jobs not done stay pending in the outbox and run after the
   * next start.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
    await this.idle();
  }

  /** Starts every job that is ready now (up to the worker bound) and resolves when the recorder is idle. */
  async tick(): Promise<void> {
    this.load();
    this.pump();
    await this.idle();
  }

  metrics(): RecorderMetrics {
    const b = this.queue.backlog(this.nowMs());
    return { backlog: b.count, oldestPendingAgeS: b.oldestAgeS, counters: this.counters };
  }

  private async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.race(this.inflight);
  }

  /** Pending captures in the outbox from before this process (the ring index kept their footage). */
  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    let resumed = 0;
    for (const item of this.sink.store.pendingEvidence(1_000_000)) {
      if (!item.job || this.queue.has(item.id)) continue;
      try {
        const job = JSON.parse(item.job) as CaptureJob;
        if (job.type !== 'companion') resumed++;
        this.queue.add(item.id, item.camera, job);
      } catch (err) {
        this.lose(
          { id: item.id, camera: item.camera },
          'capture_failed',
          `unreadable job: ${(err as Error).message}`,
        );
      }
    }
    if (resumed > 0) this.log.info({ captures: resumed }, 'resuming evidence captures left pending');
  }

  /** Fills free workers with ready jobs, the one needing the oldest footage first. */
  private pump(): void {
    while (!this.stopping && this.inflight.size < this.workers) {
      const work = this.next();
      if (!work) return;
      const run = work().finally(() => {
        this.inflight.delete(run);
        this.pump();
      });
      this.inflight.add(run);
    }
  }

  /** The next unit of work, settling the captures found lost on the way. */
  private next(): (() => Promise<void>) | undefined {
    const now = this.nowMs();
    const work = this.queue.take(
      now,
      (camera) => this.cameras.get(camera)?.ring,
      (p, ring, backlog) => decideCapture(p.job, ring, now, this.o.captureTimeoutS, backlog),
      (p, d) => this.lose(p, d.reason, d.detail),
    );
    if (!work) return undefined;
    if (work.kind === 'clip') return () => this.runClip(work.pending, work.plan);
    return () => this.runSnapshots(work.batch, work.atMs, work.segment);
  }

  private lose(
    p: Pick<Pending, 'id' | 'camera'> & { job?: CaptureJob },
    reason: LostReason,
    detail: string,
  ): void {
    this.queue.delete(p.id);
    this.counters.failed++;
    this.counters.lost[reason]++;
    this.log.warn({ evidence: p.id, camera: p.camera, reason }, detail);
    this.sink.evidenceFailed(p.id, detail);
    if (p.job?.cleanId) this.sink.evidenceFailed(p.job.cleanId, detail);
  }

  /** A job failed in ffmpeg: retry shortly; past the deadline, a few more times, then give up. */
  private failed(p: Pending, err: Error): void {
    p.busy = false;
    if (this.stopping) return; // killed by stop(): stays pending in the outbox for the next start
    p.attempts++;
    const now = this.nowMs();
    const late = now > p.job.toMs + this.o.captureTimeoutS * 1000;
    this.log.warn(
      { evidence: p.id, attempts: p.attempts, err: err.message },
      'evidence capture failed; will retry',
    );
    if (late && p.attempts >= MAX_LATE_ATTEMPTS) {
      this.lose(p, 'capture_failed', err.message);
      return;
    }
    p.notBeforeMs = now + RETRY_DELAY_MS;
  }

  private async runClip(p: Pending, plan: ClipPlan): Promise<void> {
    try {
      const file = path.join(this.sink.evidenceDir, `${p.id}.mp4`);
      const res = await cutClip(plan, file, {
        mode: this.o.clipMode,
        copyHevc: this.o.copyHevc ?? false,
        signal: this.abort.signal,
      });
      if (plan.missingStartMs > 0 || plan.missingEndMs > 0) {
        this.counters.partialClips++;
        this.log.warn(
          { evidence: p.id, ...plan, files: plan.files.length },
          'clip shorter than pre+post roll',
        );
      }
      this.queue.delete(p.id);
      this.counters.clips++;
      this.sink.evidenceReady(p.id, file, res.bytes);
    } catch (err) {
      this.failed(p, err as Error);
    }
  }

  private async runSnapshots(batch: Pending[], atMs: number[], segment: TimedSegment): Promise<void> {
    let frames: RgbFrame[];
    try {
      this.counters.snapshotRuns++;
      frames = await grabFrames(segment, atMs, this.sink.evidenceDir, { signal: this.abort.signal });
    } catch (err) {
      for (const p of batch) this.failed(p, err as Error);
      return;
    }
    for (const [i, p] of batch.entries()) {
      try {
        await this.writeSnapshots(p, frames[i]!);
      } catch (err) {
        this.failed(p, err as Error);
      }
    }
  }

  private async writeSnapshots(p: Pending, frame: RgbFrame): Promise<void> {
    const cam = this.cameras.get(p.camera)!;
    const files = await writeSnapshotFiles(frame, p.id, p.job, {
      dir: this.sink.evidenceDir,
      jpegQuality: this.o.jpegQuality,
      timezone: this.o.timezone,
      timeFormat: this.timeFormat,
      camera: { id: p.camera, name: cam.name, zones: cam.zones, lines: cam.lines },
    });
    this.queue.delete(p.id);
    this.counters.snapshots++;
    if (files.clean && p.job.cleanId)
      this.sink.evidenceReady(p.job.cleanId, files.clean.file, files.clean.bytes);
    this.sink.evidenceReady(p.id, files.annotated.file, files.annotated.bytes);
  }
}
