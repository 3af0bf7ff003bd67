import { describe, expect, it } from 'vitest';
import { CrowdingRule, type CrowdingRuleConfig } from '../../edge/rules/crowding.ts';
import { repeatFrames, runRule, type SimFrame, type SimObject, starts } from '../helpers/rule-sim.ts';

const zone = {
  id: 'square',
  polygon: [
    [0, 0.5],
    [0.6, 0.5],
    [0.6, 1],
    [0, 1],
  ] as [number, number][],
};

function cfg(over: Partial<CrowdingRuleConfig> = {}): CrowdingRuleConfig {
  return {
    type: 'crowding',
    id: 'crowd',
    zone: 'square',
    minCount: 5,
    durationS: 10,
    graceS: 3,
    cooldownS: 30,
    minConfidence: 0.3,
    minBoxArea: 0,
    ...over,
  };
}
const run = (frames: Iterable<SimFrame>, over: Partial<CrowdingRuleConfig> = {}) => {
  const c = cfg(over);
  return runRule(new CrowdingRule(c, zone), c, frames);
};
/** n persons standing in the zone (ids 1..n), plus extra objects. */
const people = (n: number, extra: Partial<SimObject> = {}): SimObject[] =>
  Array.from({ length: n }, (_, k) => ({
    id: k + 1,
    x: 0.05 + k * 0.05,
    y: 0.8,
    w: 0.03,
    h: 0.1,
    label: 'person',
    ...extra,
  }));
const S = (s: number) => s * 5;

describe('crowding through the rules engine', () => {
  it.each<[string, Iterable<SimFrame>, string[]]>([
    ['empty frames', repeatFrames(S(60), () => ({ objs: [] })), []],
    ['4 persons (below minCount 5) for a minute', repeatFrames(S(60), () => ({ objs: people(4) })), []],
    ['5 persons for 9 s (below durationS 10)', repeatFrames(S(9), () => ({ objs: people(5) })), []],
    ['5 persons for 12 s: one zone event', repeatFrames(S(12), () => ({ objs: people(5) })), ['start']],
    [
      '5 cars are not a crowd (persons only by default)',
      repeatFrames(S(30), () => ({ objs: people(5, { label: 'car' }) })),
      [],
    ],
    [
      'unconfirmed persons are not counted',
      repeatFrames(S(30), () => ({ objs: people(5, { confirmed: false }) })),
      [],
    ],
    [
      'persons outside the zone are not counted',
      repeatFrames(S(30), () => ({ objs: people(5, { y: 0.3 }) })),
      [],
    ],
    [
      'flicker: the count drops to 4 for 2 s (< graceS) every 5 s: one event that never ends',
      repeatFrames(S(120), (i) => ({ objs: people(i % S(5) < S(2) ? 4 : 5) })),
      ['start'],
    ],
    [
      'a dip of 4 s (> graceS) before durationS restarts the duration: never 10 s continuous',
      repeatFrames(S(120), (i) => ({ objs: people(i % S(12) < S(4) ? 4 : 6) })),
      [],
    ],
    [
      'the crowd disperses: start then end',
      repeatFrames(S(30), (i) => ({ objs: people(i < S(15) ? 6 : 1) })),
      ['start', 'end'],
    ],
  ])('%s', (_name, frames, expected) => {
    // periodic updates of a lasting event are not lifecycle changes
    expect(
      run(frames)
        .map((t) => t.phase)
        .filter((p) => p !== 'update'),
    ).toEqual(expected);
  });

  it('keys by zone, reports the current count and the union box of the counted persons', () => {
    const ts = run(repeatFrames(S(80), (i) => ({ objs: people(i < S(40) ? 5 : 7) })));
    const s = starts(ts);
    expect(s.length).toBe(1);
    expect(s[0]!.hit.key).toBe('zsquare');
    expect(s[0]!.hit.trackId).toBeUndefined();
    expect(s[0]!.hit.details?.count).toBe(5);
    // persons 1..5: x from 0.05 to 0.25, boxes 0.03 wide, 0.1 tall standing at y 0.8
    const b = s[0]!.hit.boxXyxyNorm;
    expect(b[0]).toBeCloseTo(0.035, 9);
    expect(b[2]).toBeCloseTo(0.265, 9);
    expect(b[1]).toBeCloseTo(0.7, 9);
    expect(b[3]).toBeCloseTo(0.8, 9);
    const last = ts.filter((t) => t.phase === 'update').pop()!;
    expect(last.hit.details?.count).toBe(7);
    expect(new Set(ts.map((t) => t.eventId)).size).toBe(1);
  });
});
