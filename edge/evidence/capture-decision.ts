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
  /** atMs: the time to grab (the job's, or the nearest recorded one when it fell in a gap between segments). */
  | { kind: 'snapshot'; segment: TimedSegment; atMs: number }
  | { kind: 'clip'; plan: ClipPlan }
  | { kind: 'lost'; reason: LostReason; detail: string };

/**
 * A frame time in a gap between segments shorter than this takes the nearest recorded frame. Within one ffmpeg
 * run the ring chains segment times by their stream durations and re-anchors them on the frame clock when they
 * drift apart; a live camera delivered slower than real time (a loaded box: 1.1-1.3 s gaps between 2 s segments
 * in the H.265 RTSP test) leaves gaps although the footage is continuous. An ffmpeg restart leaves a longer gap.
 */
export const SNAPSHOT_NEAREST_MS = 2000;

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
    const at = job.atMs;
    const segment = ring.covering(at, at).find((s) => s.startMs <= at && at < s.endMs);
    if (segment) return { kind: 'snapshot', segment, atMs: at };
    const near = ring.covering(at - SNAPSHOT_NEAREST_MS, at + SNAPSHOT_NEAREST_MS);
    const after = near.find((s) => s.startMs > at && s.startMs - at <= SNAPSHOT_NEAREST_MS);
    const before = near.findLast((s) => s.endMs <= at && at - s.endMs < SNAPSHOT_NEAREST_MS);
    if (after && (!before || after.startMs - at <= at - before.endMs))
      return { kind: 'snapshot', segment: after, atMs: after.startMs };
    // The last frame before the gap only when the ring has moved on past it (else the segment holding the time
    // may still be being written).
    if (before && after) return { kind: 'snapshot', segment: before, atMs: before.endMs - 1 };
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
