// What to do with one pending capture now: wait for footage, capture from these segments, or give it up with the
// true reason. Pure: ring segments, the ring's expiry mark, the clock and the backlog in, a decision out.
import { type ClipPlan, planClip, type TimedSegment } from './clip-plan.ts';

/** The capture job stored with each pending evidence row (JSON), so a restart knows what was wanted. */
export interface CaptureJob {
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

/** Why a capture was given up (a bounded label set for /metrics). */
export const LOST_REASONS = [
  // Retention deleted the footage first: the backlog outlived the ring plus its held seconds.
  'segment_expired',
  // The ring has footage after the event time but none of it: ffmpeg was restarting or the camera offline.
  'not_recorded',
  // No footage of the event time arrived within captureTimeoutS (the ring output is stalled or off).
  'ring_stalled',
  // ffmpeg failed on footage the ring holds, past the deadline and after retries.
  'capture_failed',
  // The camera has no ring (disabled, or the camera is gone from the config after a restart).
  'no_ring',
] as const;
export type LostReason = (typeof LOST_REASONS)[number];

/** What the decision needs from a camera's ring (edge/ingest/segment-ring.ts). */
export interface RingLike {
  covering(fromMs: number, toMs: number): TimedSegment[];
  /** End of the newest segment retention deleted (footage before it is gone); absent: never deleted. */
  readonly droppedThroughMs?: number;
}

export interface Backlog {
  count: number;
  oldestAgeS: number;
}

export type CaptureDecision =
  | { kind: 'wait' }
  | { kind: 'snapshot'; segment: TimedSegment }
  | { kind: 'clip'; plan: ClipPlan }
  | { kind: 'lost'; reason: LostReason; detail: string };

const lost = (reason: LostReason, detail: string): CaptureDecision => ({ kind: 'lost', reason, detail });

/** The message for footage that retention took, with the backlog that made the capture late. */
const expired = (backlog: Backlog) =>
  lost(
    'segment_expired',
    `segment expired before capture: backlog ${backlog.count}, oldest ${Math.round(backlog.oldestAgeS)} s`,
  );

export function decideCapture(
  job: CaptureJob,
  ring: RingLike | undefined,
  nowMs: number,
  captureTimeoutS: number,
  backlog: Backlog,
): CaptureDecision {
  if (!ring) return lost('no_ring', 'the camera has no ring buffer');
  const deadlineMs = job.toMs + captureTimeoutS * 1000;
  const droppedThroughMs = ring.droppedThroughMs ?? Number.NEGATIVE_INFINITY;
  if (job.type === 'snapshots') {
    const segment = ring
      .covering(job.atMs, job.atMs)
      .find((s) => s.startMs <= job.atMs && job.atMs < s.endMs);
    if (segment) return { kind: 'snapshot', segment };
    if (job.atMs < droppedThroughMs) return expired(backlog);
    if (ring.covering(job.atMs, Number.POSITIVE_INFINITY).some((s) => s.startMs > job.atMs))
      return lost(
        'not_recorded',
        'the ring holds footage after the event time but not of it (ffmpeg restarting)',
      );
    if (nowMs > deadlineMs)
      return lost('ring_stalled', `no ring segment reached the event time within ${captureTimeoutS} s`);
    return { kind: 'wait' };
  }
  // Wait for the post-roll to be recorded (the ring has footage up to the window's end or past it), unless the
  // deadline passed; then cut what exists.
  const recorded = ring.covering(job.fromMs, Number.POSITIVE_INFINITY);
  const recordedToMs = Math.max(Number.NEGATIVE_INFINITY, ...recorded.map((s) => s.endMs));
  if (recordedToMs < job.toMs && nowMs <= deadlineMs) return { kind: 'wait' };
  const plan = planClip(ring.covering(job.fromMs, job.toMs), job.fromMs, job.toMs);
  if (plan && plan.durationS > 0) return { kind: 'clip', plan };
  if (job.toMs < droppedThroughMs) return expired(backlog);
  if (ring.covering(job.toMs, Number.POSITIVE_INFINITY).some((s) => s.startMs > job.toMs))
    return lost(
      'not_recorded',
      'the ring holds footage after the clip window but not of it (ffmpeg restarting)',
    );
  return lost('ring_stalled', `no ring segment of the clip window within ${captureTimeoutS} s`);
}
