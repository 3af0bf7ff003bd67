import { describe, expect, it } from 'vitest';
import { ObjectPresentRule, type ObjectPresentRuleConfig } from '../../edge/rules/object-present.ts';
import { repeatFrames, runRule, type SimFrame, starts } from '../helpers/rule-sim.ts';

const zone = {
  id: 'canal-bank',
  polygon: [
    [0.2, 0.2],
    [0.8, 0.2],
    [0.8, 0.9],
    [0.2, 0.9],
  ] as [number, number][],
};
function cfg(over: Partial<ObjectPresentRuleConfig> = {}): ObjectPresentRuleConfig {
  return {
    type: 'object_present',
    id: 'garbage',
    classes: ['garbage', 'fire'],
    zone: 'canal-bank',
    dwellS: 5,
    graceS: 2,
    cooldownS: 30,
    minConfidence: 0.3,
    minBoxArea: 0,
    ...over,
  };
}
const run = (frames: Iterable<SimFrame>, over: Partial<ObjectPresentRuleConfig> = {}) => {
  const c = cfg(over);
  return runRule(new ObjectPresentRule(c, zone), c, frames);
};
const S = (s: number) => s * 5;
const obj = (label: string, over = {}) => ({ id: 3, x: 0.5, y: 0.6, label, ...over });

describe('object_present (custom classes) through the rules engine', () => {
  it.each<[string, Iterable<SimFrame>, string[]]>([
    ['empty frames', repeatFrames(S(30), () => ({ objs: [] })), []],
    ['garbage 4 s (below dwell 5)', repeatFrames(S(4), () => ({ objs: [obj('garbage')] })), []],
    ['garbage 10 s: one event', repeatFrames(S(10), () => ({ objs: [obj('garbage')] })), ['start']],
    ['fire 10 s: one event', repeatFrames(S(10), () => ({ objs: [obj('fire')] })), ['start']],
    ['a car is not a configured class', repeatFrames(S(10), () => ({ objs: [obj('car')] })), []],
    ['outside the zone', repeatFrames(S(10), () => ({ objs: [obj('garbage', { y: 0.95 })] })), []],
    [
      'unconfirmed never fires',
      repeatFrames(S(10), () => ({ objs: [obj('garbage', { confirmed: false })] })),
      [],
    ],
    [
      'low confidence never fires',
      repeatFrames(S(10), () => ({ objs: [obj('garbage', { score: 0.2 })] })),
      [],
    ],
    [
      'missed by the detector for 1 s of every 3 s: the dwell continues (graceS 2)',
      repeatFrames(S(12), (i) => ({ objs: i % 15 < 5 ? [] : [obj('garbage')] })),
      ['start'],
    ],
    [
      'a detector flickering on a look-alike (1 frame in 3 s) never reaches dwell',
      repeatFrames(S(60), (i) => ({ objs: i % 15 === 0 ? [obj('fire', { id: 100 + i })] : [] })),
      [],
    ],
  ])('%s', (_name, frames, expected) => {
    expect(run(frames).map((t) => t.phase)).toEqual(expected);
  });

  it('the hit names the class, zone and dwell', () => {
    const s = starts(run(repeatFrames(S(10), () => ({ objs: [obj('fire')] }))));
    expect(s[0]!.hit.label).toBe('fire');
    expect(s[0]!.hit.zone).toBe('canal-bank');
    expect(s[0]!.hit.details?.dwellS).toBeGreaterThanOrEqual(5);
  });
});
