// The recorder's pending captures: which footage they hold in the ring, and which one runs next (the one needing
// the oldest footage first, so the queue works against the ring's expiry; snapshots in one segment batched).
import type { Backlog, CaptureDecision, CaptureJob, RingLike } from './capture-decision.ts';
import type { ClipPlan, TimedSegment } from './clip-plan.ts';

export interface Pending {
  id: string;
  camera: string;
  job: CaptureJob;
  busy: boolean;
  attempts: number;
  notBeforeMs: number;
}

export type Work =
  | { kind: 'clip'; pending: Pending; plan: ClipPlan }
  /** atMs[i]: the time to grab for batch[i] (the nearest recorded one when its own fell in a gap). */
  | { kind: 'snapshots'; batch: Pending[]; atMs: number[]; segment: TimedSegment };

/** Snapshots of one segment decoded in one ffmpeg run, at most. */
export const SNAPSHOT_BATCH_MAX = 6;

/** The footage a job needs from its start: the oldest ms that must stay in the ring. */
export const neededFromMs = (job: CaptureJob) => (job.type === 'clip' ? job.fromMs : job.atMs);

type Decide = (p: Pending, ring: RingLike | undefined, backlog: Backlog) => CaptureDecision;

export class CaptureQueue {
  private readonly items = new Map<string, Pending>();

  get size(): number {
    return this.items.size;
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  /** Queues a capture; a companion (the clean snapshot) is made ready by its snapshot job and not queued. */
  add(id: string, camera: string, job: CaptureJob): void {
    if (job.type === 'companion' || this.items.has(id)) return;
    this.items.set(id, { id, camera, job, busy: false, attempts: 0, notBeforeMs: 0 });
  }

  delete(id: string): void {
    this.items.delete(id);
  }

  /** The oldest footage a pending capture of this camera needs (the ring holds segments ending after it). */
  oldestNeededMs(camera: string): number | undefined {
    let min: number | undefined;
    for (const p of this.items.values())
      if (p.camera === camera) min = Math.min(min ?? Number.POSITIVE_INFINITY, neededFromMs(p.job));
    return min;
  }

  /** Count and the age of the oldest pending event time (s; 0 when empty). */
  backlog(nowMs: number): Backlog {
    let oldest = Number.POSITIVE_INFINITY;
    for (const p of this.items.values()) oldest = Math.min(oldest, p.job.atMs);
    const oldestAgeS = Number.isFinite(oldest) ? Math.max(0, (nowMs - oldest) / 1000) : 0;
    return { count: this.items.size, oldestAgeS };
  }

  /**
   * The next work: decides idle jobs, oldest footage first, reporting the lost ones (and forgetting them) until
   * one can run; marks what it hands out busy.
   */
  take(
    nowMs: number,
    ringOf: (camera: string) => RingLike | undefined,
    decide: Decide,
    onLost: (p: Pending, d: Extract<CaptureDecision, { kind: 'lost' }>) => void,
  ): Work | undefined {
    const backlog = this.backlog(nowMs);
    const idle = [...this.items.values()]
      .filter((p) => !p.busy && p.notBeforeMs <= nowMs)
      .sort((a, b) => neededFromMs(a.job) - neededFromMs(b.job));
    for (const p of idle) {
      if (!this.items.has(p.id) || p.busy) continue;
      const ring = ringOf(p.camera);
      const d = decide(p, ring, backlog);
      if (d.kind === 'wait') continue;
      if (d.kind === 'lost') {
        this.items.delete(p.id);
        onLost(p, d);
        continue;
      }
      p.busy = true;
      if (d.kind === 'clip') return { kind: 'clip', pending: p, plan: d.plan };
      const batch = [p];
      const atMs = [d.atMs];
      for (const q of idle) {
        if (batch.length >= SNAPSHOT_BATCH_MAX) break;
        if (q.busy || q.camera !== p.camera || q.job.type !== 'snapshots' || !this.items.has(q.id)) continue;
        const dq = decide(q, ring, backlog);
        if (dq.kind === 'snapshot' && dq.segment.file === d.segment.file) {
          q.busy = true;
          batch.push(q);
          atMs.push(dq.atMs);
        }
      }
      return { kind: 'snapshots', batch, atMs, segment: d.segment };
    }
    return undefined;
  }
}
