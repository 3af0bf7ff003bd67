// The disk-quota policy: evidence trimmed oldest-first until the outbox fits; events never counted as trimmable.
import { describe, expect, it } from 'vitest';
import { planQuotaTrim, type QuotaCandidate } from '../../edge/outbox/quota-policy.ts';

const ev = (id: string, bytes: number, createdMs: number): QuotaCandidate => ({ id, bytes, createdMs });

describe('planQuotaTrim', () => {
  it.each<[string, QuotaCandidate[], number, number, string[]]>([
    ['empty outbox', [], 0, 100, []],
    ['no quota (0) never trims', [ev('a', 1000, 1)], 5000, 0, []],
    ['under quota', [ev('a', 40, 1), ev('b', 40, 2)], 10, 100, []],
    ['exactly at quota', [ev('a', 45, 1), ev('b', 45, 2)], 10, 100, []],
    ['one over: oldest goes', [ev('a', 45, 1), ev('b', 46, 2)], 10, 100, ['a']],
    [
      'oldest first regardless of input order',
      [ev('new', 50, 3), ev('old', 50, 1), ev('mid', 50, 2)],
      0,
      100,
      ['old'],
    ],
    [
      'several until it fits',
      [ev('a', 30, 1), ev('b', 30, 2), ev('c', 30, 3), ev('d', 30, 4)],
      20,
      60,
      ['a', 'b', 'c'],
    ],
    [
      'events alone over quota: all evidence goes, events stay',
      [ev('a', 10, 1), ev('b', 10, 2)],
      500,
      100,
      ['a', 'b'],
    ],
    ['ties on time broken by id', [ev('b', 60, 1), ev('a', 60, 1)], 0, 100, ['a']],
    ['zero-byte items are trimmed only when reached', [ev('z', 0, 0), ev('a', 200, 1)], 0, 100, ['z', 'a']],
  ])('%s', (_name, evidence, messageBytes, maxBytes, expected) => {
    expect(planQuotaTrim(evidence, messageBytes, maxBytes)).toEqual(expected);
  });
});
