// Central's ingest bounds and its acknowledgement messages, as tables over the pure functions.
import { describe, expect, it } from 'vitest';
import { buildAckMessages } from '../../central/ingest/ack-messages.ts';
import { messageDigest } from '../../central/ingest/inflight-markers.ts';
import { timestampProblem } from '../../central/ingest/timestamp-bounds.ts';
import { SCHEMA_VERSION } from '../../contract/index.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const LIMITS = { maxClockSkewMs: 300_000, maxEventAgeMs: 0 };

describe('timestampProblem', () => {
  it.each([
    ['now', NOW, LIMITS, undefined],
    ['at the skew limit', NOW + 300_000, LIMITS, undefined],
    [
      'just past the skew limit',
      NOW + 300_001,
      LIMITS,
      `/ts: ${NOW + 300_001} (2026-12-01T00:05:00.001Z) is 300 s ahead`,
    ],
    ['a day ahead', NOW + 86_400_000, LIMITS, 'more than ingest.maxClockSkewS (300 s)'],
    ['a year old, no age bound', NOW - 365 * 86_400_000, LIMITS, undefined],
    [
      'a year old, 30-day bound',
      NOW - 365 * 86_400_000,
      { ...LIMITS, maxEventAgeMs: 30 * 86_400_000 },
      'older than ingest.maxEventAgeDays',
    ],
    [
      '29 days old, 30-day bound',
      NOW - 29 * 86_400_000,
      { ...LIMITS, maxEventAgeMs: 30 * 86_400_000 },
      undefined,
    ],
  ])('%s', (_n, ts, limits, expected) => {
    const p = timestampProblem('/ts', ts, NOW, limits);
    if (expected === undefined) expect(p).toBeUndefined();
    else expect(p).toContain(expected);
  });
});

describe('buildAckMessages', () => {
  it.each([
    ['nothing', [], 1000, []],
    [
      'one site',
      [
        { site: 's1', id: 'evt_00000001', seq: 0 },
        { site: 's1', id: 'evt_00000001', seq: 1, refused: 'bad' },
      ],
      1000,
      [{ topic: 'matthan/v1/_central/s1/acks', stored: 1, refused: 1 }],
    ],
    [
      'two sites in order of appearance',
      [
        { site: 's2', id: 'evt_00000001', seq: 0 },
        { site: 's1', id: 'evt_00000002', seq: 0 },
        { site: 's2', id: 'evt_00000003', seq: 0 },
      ],
      1000,
      [
        { topic: 'matthan/v1/_central/s2/acks', stored: 2, refused: 0 },
        { topic: 'matthan/v1/_central/s1/acks', stored: 1, refused: 0 },
      ],
    ],
    [
      'split at the per-message cap',
      Array.from({ length: 5 }, (_, i) => ({ site: 's1', id: `evt_0000000${i}`, seq: 0 })),
      2,
      [
        { topic: 'matthan/v1/_central/s1/acks', stored: 2, refused: 0 },
        { topic: 'matthan/v1/_central/s1/acks', stored: 2, refused: 0 },
        { topic: 'matthan/v1/_central/s1/acks', stored: 1, refused: 0 },
      ],
    ],
  ])('%s', (_n, entries, max, expected) => {
    const out = buildAckMessages(entries, NOW, max);
    expect(
      out.map((p) => ({
        topic: p.topic,
        stored: p.message.stored.length,
        refused: p.message.refused?.length ?? 0,
      })),
    ).toEqual(expected);
    for (const p of out) expect(p.message).toMatchObject({ schemaVersion: SCHEMA_VERSION, ts: NOW });
  });

  it('clips a long refusal reason', () => {
    const [p] = buildAckMessages([{ site: 's', id: 'evt_00000001', seq: 0, refused: 'r'.repeat(5000) }], NOW);
    expect(p!.message.refused![0]!.reason).toHaveLength(256);
  });
});

describe('messageDigest', () => {
  it.each([
    ['same topic and payload', 't', Buffer.from('a'), 't', Buffer.from('a'), true],
    ['another topic', 't', Buffer.from('a'), 'u', Buffer.from('a'), false],
    ['another payload', 't', Buffer.from('a'), 't', Buffer.from('b'), false],
    ['topic/payload boundary moved', 'ta', Buffer.from('b'), 't', Buffer.from('ab'), false],
    [
      'big payloads differing in the middle (not hashed) but not in length',
      't',
      Buffer.alloc(300_000, 1),
      't',
      Buffer.concat([Buffer.alloc(150_000, 1), Buffer.alloc(1, 2), Buffer.alloc(149_999, 1)]),
      true,
    ],
    ['big payloads of different length', 't', Buffer.alloc(300_000, 1), 't', Buffer.alloc(300_001, 1), false],
  ])('%s', (_n, t1, p1, t2, p2, same) => {
    expect(messageDigest(t1, p1) === messageDigest(t2, p2)).toBe(same);
  });
});
