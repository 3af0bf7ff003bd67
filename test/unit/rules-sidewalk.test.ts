import { describe, expect, it } from 'vitest';
import { SidewalkRule, type SidewalkRuleConfig } from '../../edge/rules/sidewalk.ts';
import { repeatFrames, runRule, type SimFrame, starts } from '../helpers/rule-sim.ts';

const zone = {
  id: 'walk',
  polygon: [
    [0, 0.8],
    [1, 0.8],
    [1, 1],
    [0, 1],
  ] as [number, number][],
};
function cfg(over: Partial<SidewalkRuleConfig> = {}): SidewalkRuleConfig {
  return {
    type: 'sidewalk',
    id: 'sidewalk',
    zone: 'walk',
    dwellS: 10,
    graceS: 2,
    classes: ['motorcycle', 'car'],
    cooldownS: 30,
    minConfidence: 0.3,
    minBoxArea: 0,
    ...over,
  };
}
const run = (frames: Iterable<SimFrame>, over: Partial<SidewalkRuleConfig> = {}) => {
  const c = cfg(over);
  return runRule(new SidewalkRule(c, zone), c, frames);
};
const S = (s: number) => s * 5;
const moto = (id: number, x: number, inside = true) => ({
  id,
  x,
  y: inside ? 0.9 : 0.5,
  label: 'motorcycle',
});

describe('sidewalk occupancy (per-track mode)', () => {
  it.each<[string, Iterable<SimFrame>, string[]]>([
    ['empty frames', repeatFrames(S(60), () => ({ objs: [] })), []],
    ['a motorbike parked 9 s', repeatFrames(S(9), () => ({ objs: [moto(1, 0.3)] })), []],
    ['a motorbike parked 20 s: one event', repeatFrames(S(20), () => ({ objs: [moto(1, 0.3)] })), ['start']],
    [
      'a person is not in classes',
      repeatFrames(S(20), () => ({ objs: [{ ...moto(1, 0.3), label: 'person' }] })),
      [],
    ],
    [
      'unconfirmed never fires',
      repeatFrames(S(20), () => ({ objs: [{ ...moto(1, 0.3), confirmed: false }] })),
      [],
    ],
    ['on the road, not the sidewalk', repeatFrames(S(20), () => ({ objs: [moto(1, 0.3, false)] })), []],
    [
      'anchor flicker out of the polygon for 1 frame every 2 s keeps the dwell',
      repeatFrames(S(20), (i) => ({ objs: [moto(1, 0.3, i % 10 !== 5)] })),
      ['start'],
    ],
    [
      'two motorbikes: two events',
      repeatFrames(S(20), () => ({ objs: [moto(1, 0.3), moto(2, 0.6)] })),
      ['start', 'start'],
    ],
  ])('%s', (_name, frames, expected) => {
    expect(run(frames).map((t) => t.phase)).toEqual(expected);
  });

  it('per-track hits carry the track, zone and dwell', () => {
    const s = starts(run(repeatFrames(S(20), () => ({ objs: [moto(7, 0.3)] }))));
    expect(s[0]!.hit.key).toBe('t7');
    expect(s[0]!.hit.zone).toBe('walk');
    expect(s[0]!.hit.details?.dwellS).toBeGreaterThanOrEqual(10);
  });
});

describe('sidewalk occupancy (zone mode: minCount)', () => {
  const frames = (n: number, secs: number) =>
    repeatFrames(S(secs), () => ({ objs: Array.from({ length: n }, (_, k) => moto(k + 1, 0.1 + k * 0.1)) }));
  it.each<[string, Iterable<SimFrame>, string[]]>([
    ['2 parked (< minCount 3): nothing', frames(2, 30), []],
    ['3 parked 20 s: ONE zone event, not three', frames(3, 30), ['start']],
    ['3 parked only 8 s each: below dwell', frames(3, 8), []],
  ])('%s', (_name, f, expected) => {
    expect(run(f, { minCount: 3 }).map((t) => t.phase)).toEqual(expected);
  });

  it('the zone hit is keyed by zone and counts the objects', () => {
    const s = starts(run(frames(4, 20), { minCount: 3 }));
    expect(s[0]!.hit.key).toBe('zwalk');
    expect(s[0]!.hit.details?.count).toBe(4);
    expect(s[0]!.hit.trackId).toBeUndefined();
  });
});
