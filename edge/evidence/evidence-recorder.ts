// Mints evidence ids when an event starts and, once the ring holds the frames, captures snapshots and the clip.
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EvidenceRef, MatthanEvent } from '../../contract/index.ts';
import type { Logger } from '../../lib/log.ts';
import type { EvidenceItem, NewEvidence, OutboxStore } from '../outbox/outbox-store.ts';
import { type ClipMode, cutClip } from './clip-cutter.ts';
import { planClip, type TimedSegment } from './clip-plan.ts';
import { grabFrame, renderSnapshots } from './snapshot.ts';

/** What the recorder needs from a camera's segment ring (edge/ingest/segment-ring.ts implements it). */
export interface RingLike {
  covering(fromMs: number, toMs: number): TimedSegment[];
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
}

/** The capture job stored with each pending evidence row (JSON), so a restart knows what was wanted. */
interface CaptureJob {
  type: 'snapshots' | 'clip' | 'companion';
  atMs: number;
  fromMs: number;
  toMs: number;
  boxXyxyNorm: [number, number, number, number];
  label: string;
  rule: string;
  zone?: string;
  line?: string;
  cleanId?: string;
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
  failed: number;
  partialClips: number;
}

export class EvidenceRecorder {
  readonly counters: RecorderCounters = { snapshots: 0, clips: 0, failed: 0, partialClips: 0 };
  /** Evidence refs of events still open, so update and end messages carry them too. */
  private readonly open = new Map<string, EvidenceRef>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private stopping = false;
  private running: Promise<void> = Promise.resolve();
  private readonly timeFormat: Intl.DateTimeFormat;

  constructor(
    private readonly sink: EvidenceSink,
    private readonly cameras: ReadonlyMap<string, RecorderCamera>,
    private readonly o: RecorderOptions,
    private readonly log: Logger,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.timeFormat = new Intl.DateTimeFormat('sv-SE', {
      timeZone: o.timezone,
      dateStyle: 'short',
      timeStyle: 'medium',
    });
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
    const add = (id: string, kind: NewEvidence['kind'], contentType: string, job: CaptureJob) =>
      this.sink.addEvidence({
        id,
        eventId: event.id,
        camera: event.camera,
        kind,
        contentType,
        job: JSON.stringify(job),
      });
    if (this.o.snapshot) {
      add(ids.snapshot, 'snapshot', 'image/jpeg', { ...base, type: 'snapshots', cleanId: ids.snapshotClean });
      add(ids.snapshotClean, 'snapshotClean', 'image/jpeg', { ...base, type: 'companion' });
      refs.snapshot = ids.snapshot;
      refs.snapshotClean = ids.snapshotClean;
    }
    if (this.o.clip) {
      add(ids.clip, 'clip', 'video/mp4', { ...base, type: 'clip' });
      refs.clip = ids.clip;
    }
    this.open.set(event.id, refs);
    return { ...event, evidence: refs };
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
    const job: CaptureJob = {
      type: 'snapshots',
      atMs: best.ts,
      fromMs: best.ts,
      toMs: best.ts,
      boxXyxyNorm: best.boxXyxyNorm,
      label: `${event.label} ${best.confidence.toFixed(2)} (best)`,
      rule: event.rule,
      ...(event.zone ? { zone: event.zone } : {}),
      ...(event.line ? { line: event.line } : {}),
    };
    this.sink.addEvidence({
      id,
      eventId: event.id,
      camera: event.camera,
      kind: 'snapshot',
      contentType: 'image/jpeg',
      job: JSON.stringify(job),
    });
    return { ...refs, best: id };
  }

  start(pollMs = 500): void {
    this.timer = setInterval(() => void this.tick(), pollMs);
    this.timer.unref();
  }

  /**
   * Stops capturing and waits for the capture in progress: the edge closes the outbox database after this, and a
   * capture still running then failed with "The database connection is not open". Items not reached stay pending
   * in the outbox and are captured after the next start.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Captures every pending item whose frames are in the ring (or gives up on those past their deadline). */
  async tick(): Promise<void> {
    if (this.busy || this.stopping) return;
    this.busy = true;
    const run = this.captureAll();
    this.running = run;
    await run;
  }

  private async captureAll(): Promise<void> {
    try {
      for (const item of this.sink.store.pendingEvidence(100)) {
        if (this.stopping) break;
        const job = item.job ? (JSON.parse(item.job) as CaptureJob) : undefined;
        if (!job || job.type === 'companion') continue; // made ready by its snapshot job
        await this.process(item, job);
      }
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'evidence capture loop failed; retrying next tick');
    } finally {
      this.busy = false;
    }
  }

  private async process(item: EvidenceItem, job: CaptureJob): Promise<void> {
    const ring = this.cameras.get(item.camera)?.ring;
    const now = this.nowMs();
    const deadline = job.toMs + this.o.captureTimeoutS * 1000;
    const fail = (reason: string) => {
      this.counters.failed++;
      this.sink.evidenceFailed(item.id, reason);
      if (job.cleanId) this.sink.evidenceFailed(job.cleanId, reason);
    };
    if (!ring) return fail(`camera ${item.camera} has no ring buffer`);
    try {
      if (job.type === 'snapshots') {
        const segs = ring
          .covering(job.atMs, job.atMs)
          .filter((s) => s.startMs <= job.atMs && job.atMs < s.endMs);
        if (segs.length === 0) {
          if (now > deadline) fail('the ring never held the event frame');
          return;
        }
        await this.captureSnapshots(item, job, segs);
        return;
      }
      const segs = ring.covering(job.fromMs, job.toMs);
      const recordedToMs = Math.max(0, ...segs.map((s) => s.endMs));
      // Wait for the post-roll to be recorded, unless the deadline passed (then keep what exists).
      if (recordedToMs < job.toMs && now <= deadline) return;
      const plan = planClip(segs, job.fromMs, job.toMs);
      if (!plan || plan.durationS <= 0) return fail('no ring segments for the clip window');
      const file = path.join(this.sink.evidenceDir, `${item.id}.mp4`);
      const res = await cutClip(plan, file, { mode: this.o.clipMode });
      if (plan.missingStartMs > 0 || plan.missingEndMs > 0) {
        this.counters.partialClips++;
        this.log.warn(
          { evidence: item.id, ...plan, files: plan.files.length },
          'clip shorter than pre+post roll',
        );
      }
      this.counters.clips++;
      this.sink.evidenceReady(item.id, file, res.bytes);
    } catch (err) {
      // An ffmpeg failure on a segment that rotated away mid-cut: retry until the deadline, then give up.
      this.log.warn({ evidence: item.id, err: (err as Error).message }, 'evidence capture failed');
      if (now > deadline) fail((err as Error).message);
    }
  }

  private async captureSnapshots(item: EvidenceItem, job: CaptureJob, segs: TimedSegment[]): Promise<void> {
    const cam = this.cameras.get(item.camera)!;
    const frame = await grabFrame(segs, job.atMs);
    const zone = job.zone ? cam.zones.find((z) => z.id === job.zone)?.polygon : undefined;
    const line = job.line ? cam.lines.find((l) => l.id === job.line)?.points : undefined;
    const pair = await renderSnapshots(
      frame,
      {
        boxXyxyNorm: job.boxXyxyNorm,
        ...(zone ? { zoneNorm: zone } : {}),
        ...(line ? { lineNorm: line } : {}),
        label: job.label,
        caption: [
          `${job.rule}${job.zone ? ` · ${job.zone}` : ''}${job.line ? ` · ${job.line}` : ''}`,
          `${this.timeFormat.format(new Date(job.atMs))} ${this.o.timezone}`,
          `${cam.name ?? item.camera} (${item.camera})`,
        ],
      },
      this.o.jpegQuality,
    );
    const annotatedFile = path.join(this.sink.evidenceDir, `${item.id}.jpg`);
    writeFileSync(annotatedFile, pair.annotated);
    if (job.cleanId) {
      const cleanFile = path.join(this.sink.evidenceDir, `${job.cleanId}.jpg`);
      writeFileSync(cleanFile, pair.clean);
      this.sink.evidenceReady(job.cleanId, cleanFile, statSync(cleanFile).size);
    }
    this.counters.snapshots++;
    this.sink.evidenceReady(item.id, annotatedFile, statSync(annotatedFile).size);
  }
}
