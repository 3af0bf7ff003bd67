// Table tests: what the recorder does with a pending capture (wait, capture from which segments, or give it up
// with the true reason), and the order and batching of the capture queue.
import { describe, expect, it } from 'vitest';
import {
  type CaptureDecision,
  type CaptureJob,
  decideCapture,
  type RingLike,
} from '../../edge/evidence/capture-decision.ts';
import { CaptureQueue } from '../../edge/evidence/capture-queue.ts';
import type { TimedSegment } from '../../edge/evidence/clip-plan.ts';

const seg = (startS: number, endS: number): TimedSegment => ({
  file: `s${startS}.ts`,
  startMs: startS * 1000,
  endMs: endS * 1000,
});
const ring = (segments: TimedSegment[], droppedThroughS?: number): RingLike => ({
  covering: (from, to) => segments.filter((s) => s.endMs > from && s.startMs <= to),
  ...(droppedThroughS !== undefined ? { droppedThroughMs: droppedThroughS * 1000 } : {}),
});
const job = (type: CaptureJob['type'], atS: number, preS = 2, postS = 2): CaptureJob => ({
  type,
  atMs: atS * 1000,
  fromMs: (atS - preS) * 1000,
  toMs: (atS + postS) * 1000,
  boxXyxyNorm: [0, 0, 1, 1],
  label: 'car',
  rule: 'r',
});
const backlog = { count: 7, oldestAgeS: 42.4 };
/** 2 s segments from 10 s to 20 s. */
const live = [seg(10, 12), seg(12, 14), seg(14, 16), seg(16, 18), seg(18, 20)];

const summary = (d: CaptureDecision) =>
  d.kind === 'snapshot'
    ? `snapshot ${d.segment.file}${d.atMs === undefined ? '' : ` at ${d.atMs / 1000}`}`
    : d.kind === 'clip'
      ? `clip ${d.plan.files.join('+')}`
      : d.kind === 'lost'
        ? `lost ${d.reason}: ${d.detail}`
        : 'wait';

describe('decideCapture', () => {
  it.each<[string, CaptureJob, RingLike | undefined, number, string]>([
    ['snapshot in a complete segment', job('snapshots', 13), ring(live), 21, 'snapshot s12.ts at 13'],
    [
      'snapshot on a segment boundary takes the later one',
      job('snapshots', 14),
      ring(live),
      21,
      'snapshot s14.ts at 14',
    ],
    [
      'snapshot in a short gap within a run: the nearer frame after it',
      job('snapshots', 20.3),
      ring([...live, seg(20.4, 22)]),
      23,
      'snapshot s20.4.ts at 20.4',
    ],
    [
      'snapshot in a short gap: the nearer frame before it',
      job('snapshots', 20.1),
      ring([...live, seg(20.4, 22)]),
      23,
      'snapshot s18.ts at 19.999',
    ],
    [
      'snapshot just past the newest segment waits (its segment is being written)',
      job('snapshots', 20.1),
      ring(live),
      40,
      'wait',
    ],
    ['snapshot not yet recorded: wait', job('snapshots', 21), ring(live), 22, 'wait'],
    [
      'snapshot footage deleted by retention',
      job('snapshots', 5),
      ring(live, 10),
      21,
      'lost segment_expired: segment expired before capture: backlog 7, oldest 42 s',
    ],
    [
      'snapshot in a gap the ring never recorded',
      job('snapshots', 21),
      ring([...live, seg(25, 27)]),
      28,
      'lost not_recorded: the ring holds footage after the event time but not of it (ffmpeg restarting)',
    ],
    [
      'snapshot never arrives: the deadline (toMs + 30 s) passes',
      job('snapshots', 21),
      ring(live),
      21 + 2 + 31,
      'lost ring_stalled: no ring segment reached the event time within 30 s',
    ],
    ['no ring', job('snapshots', 13), undefined, 21, 'lost no_ring: the camera has no ring buffer'],
    ['clip waits for the post-roll', job('clip', 19), ring(live), 20, 'wait'],
    ['clip once the post-roll is in', job('clip', 15), ring(live), 21, 'clip s12.ts+s14.ts+s16.ts'],
    [
      'clip past the deadline keeps what exists',
      job('clip', 19),
      ring(live),
      19 + 2 + 31,
      'clip s16.ts+s18.ts',
    ],
    ['clip whose pre-roll expired keeps the rest', job('clip', 11), ring(live, 10), 21, 'clip s10.ts+s12.ts'],
    [
      'clip wholly expired',
      job('clip', 5),
      ring(live, 10),
      21,
      'lost segment_expired: segment expired before capture: backlog 7, oldest 42 s',
    ],
    [
      'clip window never recorded',
      job('clip', 23),
      ring([...live, seg(30, 32)]),
      33,
      'lost not_recorded: the ring holds footage after the clip window but not of it (ffmpeg restarting)',
    ],
    [
      'clip: nothing ever arrives',
      job('clip', 30),
      ring(live),
      30 + 2 + 31,
      'lost ring_stalled: no ring segment of the clip window within 30 s',
    ],
  ])('%s', (_name, j, r, nowS, expected) => {
    expect(summary(decideCapture(j, r, nowS * 1000, 30, backlog))).toBe(expected);
  });
});

describe('CaptureQueue', () => {
  const decide = (r: RingLike, nowS: number) => (p: { job: CaptureJob }) =>
    decideCapture(p.job, r, nowS * 1000, 30, backlog);

  it('hands out the job needing the oldest footage first (a clip needs its pre-roll), skipping what waits', () => {
    const q = new CaptureQueue();
    q.add('late_s', 'a', job('snapshots', 19));
    q.add('waits_v', 'a', job('clip', 19)); // post-roll not recorded at 20 s
    q.add('early_v', 'a', job('clip', 15));
    q.add('early_sc', 'a', job('companion', 15)); // never queued: its snapshot job makes it ready
    const r = ring(live);
    const taken: string[] = [];
    for (;;) {
      const w = q.take(
        20_000,
        () => r,
        decide(r, 20),
        (p) => taken.push(`lost ${p.id}`),
      );
      if (!w) break;
      taken.push(w.kind === 'clip' ? w.pending.id : w.batch.map((p) => p.id).join('+'));
    }
    expect(taken).toEqual(['early_v', 'late_s']);
    expect(q.size).toBe(3); // busy ones stay queued until the recorder deletes them
    expect(q.oldestNeededMs('a')).toBe(13_000);
    expect(q.oldestNeededMs('b')).toBeUndefined();
  });

  it('batches idle snapshots of one camera in one segment, reports and forgets lost ones', () => {
    const q = new CaptureQueue();
    for (const [id, cam, at] of [
      ['x1', 'a', 12.1],
      ['x2', 'a', 13.9],
      ['other-seg', 'a', 14.5],
      ['other-cam', 'b', 12.5],
      ['gone', 'a', 3],
    ] as const)
      q.add(id, cam, job('snapshots', at));
    const r = ring(live, 10);
    const lost: string[] = [];
    const w = q.take(
      21_000,
      () => r,
      decide(r, 21),
      (p, d) => lost.push(`${p.id} ${d.reason}`),
    );
    expect(lost).toEqual(['gone segment_expired']);
    expect(w?.kind === 'snapshots' && w.batch.map((p) => p.id)).toEqual(['x1', 'x2']);
    expect(w?.kind === 'snapshots' && w.segment.file).toBe('s12.ts');
    expect(q.has('gone')).toBe(false);
    expect(q.backlog(21_000)).toEqual({ count: 4, oldestAgeS: 21 - 12.1 });
  });
});
