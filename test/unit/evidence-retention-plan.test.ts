// Central evidence retention: expired by age first, then oldest until the total fits maxBytes.
import { describe, expect, it } from 'vitest';
import { planEvidenceRetention, type RetentionItem } from '../../central/evidence/retention-plan.ts';

const DAY = 24 * 3600 * 1000;
const NOW = 100 * DAY;
const item = (id: string, bytes: number, ageDays: number, held = false): RetentionItem => ({
  id,
  bytes,
  createdAt: NOW - ageDays * DAY,
  ...(held ? { held } : {}),
});

describe('planEvidenceRetention', () => {
  it.each<[string, RetentionItem[], { retentionDays: number; maxBytes: number }, string[]]>([
    ['nothing stored', [], { retentionDays: 30, maxBytes: 100 }, []],
    [
      "over size: a confirmed incident's evidence is skipped, the next oldest goes",
      [item('held', 40, 3, true), item('a', 40, 2), item('b', 40, 1)],
      { retentionDays: 0, maxBytes: 80 },
      ['a'],
    ],
    [
      'held files alone over the limit stay (the disk is sized for them)',
      [item('h1', 60, 3, true), item('h2', 60, 2, true)],
      { retentionDays: 0, maxBytes: 80 },
      [],
    ],
    [
      'held until its own retention: expired held evidence goes',
      [item('h-old', 10, 31, true), item('h-new', 10, 29, true)],
      { retentionDays: 30, maxBytes: 0 },
      ['h-old'],
    ],
    ['keep forever, no size limit', [item('a', 1e9, 400)], { retentionDays: 0, maxBytes: 0 }, []],
    [
      'older than the retention goes',
      [item('old', 1, 31), item('new', 1, 29)],
      { retentionDays: 30, maxBytes: 0 },
      ['old'],
    ],
    ['exactly at the cutoff stays', [item('edge', 1, 30)], { retentionDays: 30, maxBytes: 0 }, []],
    [
      'size over limit: oldest until it fits',
      [item('c', 40, 1), item('a', 40, 3), item('b', 40, 2)],
      { retentionDays: 0, maxBytes: 80 },
      ['a'],
    ],
    [
      'size exactly at limit keeps all',
      [item('a', 40, 2), item('b', 40, 1)],
      { retentionDays: 0, maxBytes: 80 },
      [],
    ],
    [
      'age and size together',
      [item('x', 10, 50), item('y', 60, 5), item('z', 60, 1)],
      { retentionDays: 30, maxBytes: 100 },
      ['x', 'y'],
    ],
    [
      'one file bigger than the limit goes too',
      [item('huge', 500, 0)],
      { retentionDays: 0, maxBytes: 100 },
      ['huge'],
    ],
  ])('%s', (_name, items, policy, expected) => {
    expect(planEvidenceRetention(items, NOW, policy)).toEqual(expected);
  });
});
