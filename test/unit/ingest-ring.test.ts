// Table tests: segment list lines, ring retention (never more than the configured seconds), backoff, ring config.
import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../edge/ingest/backoff.ts';
import { ringRetention } from '../../edge/ingest/ring-retention.ts';
import { checkRing } from '../../edge/ingest/ring-schema.ts';
import { parseSegmentListLine } from '../../edge/ingest/segment-list-line.ts';

describe('parseSegmentListLine', () => {
  it.each([
    [
      '1700000000000-1-000003.ts,6.600000,8.433333',
      { file: '1700000000000-1-000003.ts', startS: 6.6, endS: 8.433333 },
    ],
    ['"a,b ""c"".ts",0.000000,2.000000', { file: 'a,b "c".ts', startS: 0, endS: 2 }],
    ['  x.ts,1,1  ', { file: 'x.ts', startS: 1, endS: 1 }],
  ])('%s', (line, expected) => {
    expect(parseSegmentListLine(line)).toEqual(expected);
  });

  it.each([
    [''],
    ['x.ts'],
    ['x.ts,a,b'],
    ['x.ts,2,1'],
    ['x.ts,1,2,3'],
    [',1,2'],
    ['"x.ts,1,2'],
  ])('rejects %j', (line) => {
    expect(parseSegmentListLine(line)).toBeUndefined();
  });
});

const seg = (startS: number, endS: number) => ({ startMs: startS * 1000, endMs: endS * 1000 });
const total = (s: { startMs: number; endMs: number }[]) =>
  s.reduce((n, x) => n + x.endMs - x.startMs, 0) / 1000;

describe('ringRetention', () => {
  it.each<[string, { startMs: number; endMs: number }[], number, number]>([
    ['empty', [], 10, 0],
    ['all fit', [seg(0, 2), seg(2, 4)], 10, 2],
    ['exactly fits', [seg(0, 2), seg(2, 4), seg(4, 6)], 6, 3],
    ['oldest dropped', [seg(0, 2), seg(2, 4), seg(4, 6), seg(6, 8)], 6, 3],
    ['uneven segments', [seg(0, 2.2), seg(2.2, 4.0), seg(4.0, 6.1), seg(6.1, 8.3)], 6, 2],
    ['one segment longer than the ring', [seg(0, 12)], 10, 0],
    ['long old segment, short new ones', [seg(0, 9), seg(9, 10), seg(10, 11)], 10, 2],
  ])('%s', (_name, segments, seconds, kept) => {
    const { keep, drop } = ringRetention(segments, seconds);
    expect(keep).toHaveLength(kept);
    expect(keep.length + drop.length).toBe(segments.length);
    expect(total(keep)).toBeLessThanOrEqual(seconds);
    expect([...drop, ...keep]).toEqual(segments); // oldest dropped, order kept
  });

  // A pending capture holds the segments ending after its start, up to hold.maxSeconds beyond the ring's own.
  const ten = Array.from({ length: 10 }, (_, i) => seg(2 * i, 2 * i + 2)); // 0..20 s in 2 s segments
  it.each<[string, { fromMs: number; maxSeconds: number } | undefined, number]>([
    ['no hold: the newest 6 s', undefined, 3],
    ['hold inside the ring changes nothing', { fromMs: 15_000, maxSeconds: 60 }, 3],
    ['hold from 7 s keeps the segment holding 7 s', { fromMs: 7_000, maxSeconds: 60 }, 7],
    ['hold on a segment boundary keeps from it', { fromMs: 8_000, maxSeconds: 60 }, 6],
    ['hold older than the ring: all', { fromMs: -1, maxSeconds: 60 }, 10],
    ['cap: at most 6 + 4 s', { fromMs: 0, maxSeconds: 4 }, 5],
    ['cap 0: as without hold', { fromMs: 0, maxSeconds: 0 }, 3],
  ])('%s', (_name, hold, kept) => {
    const { keep, drop } = ringRetention(ten, 6, hold);
    expect(keep).toHaveLength(kept);
    expect([...drop, ...keep]).toEqual(ten);
    expect(total(keep)).toBeLessThanOrEqual(6 + (hold?.maxSeconds ?? 0));
  });
});

describe('backoffDelayMs', () => {
  const o = { minMs: 1000, maxMs: 30_000 };
  it.each([
    [0, 0, 500],
    [0, 0.999, 1000],
    [1, 0, 1000],
    [3, 0.5, 6000],
    [10, 0, 15_000],
    [10, 1, 30_000],
    [1000, 0.5, 22_500],
  ])('attempt %i, random %d -> %i ms', (attempt, random, ms) => {
    expect(backoffDelayMs(attempt, o, random)).toBe(ms);
  });
});

describe('checkRing', () => {
  it.each([
    [{ enabled: true, seconds: 30, segmentS: 2 }, 0],
    [{ enabled: true, seconds: 4, segmentS: 2 }, 0],
    [{ enabled: true, seconds: 3, segmentS: 2 }, 1],
    [{ enabled: false, seconds: 3, segmentS: 2 }, 0],
  ])('%j -> %i issues', (ring, n) => {
    const issues = checkRing({ ...ring, heldMaxS: 300 }, 'cameras[0].ring');
    expect(issues).toHaveLength(n);
    if (n) expect(issues[0]!.path).toBe('cameras[0].ring.seconds');
  });
});
