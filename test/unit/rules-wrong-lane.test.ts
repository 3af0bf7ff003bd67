// wrong_lane through the real RulesEngine at 5 fps: a class not allowed in a lane polygon for dwellS.
import { describe, expect, it } from 'vitest';
import type { ZoneConfig } from '../../edge/rules/rule-schema.ts';
import { WrongLaneRule, type WrongLaneRuleConfig } from '../../edge/rules/wrong-lane.ts';
import type { Track } from '../../edge/track/track.ts';
import { phases, runEngine, scene, still, T0 } from '../helpers/scene.ts';

/** A bus lane on the right of the picture. */
const LANE: ZoneConfig = {
  id: 'bus-lane',
  polygon: [
    [0.6, 0.2],
    [0.9, 0.2],
    [0.9, 0.95],
    [0.6, 0.95],
  ],
};
const IN: [number, number] = [0.75, 0.6];
const OUT: [number, number] = [0.3, 0.6];

function cfg(over: Partial<WrongLaneRuleConfig> = {}): WrongLaneRuleConfig {
  return {
    type: 'wrong_lane',
    id: 'wl',
    zone: 'bus-lane',
    allowedClasses: ['bus'],
    dwellS: 2,
    cooldownS: 30,
    minConfidence: 0.3,
    minBoxArea: 0,
    ...over,
  };
}
const run = (frames: Track[][], over: Partial<WrongLaneRuleConfig> = {}, zone = LANE) => {
  const c = cfg(over);
  return runEngine(new WrongLaneRule(c, zone), c, frames);
};
const car = { label: 'car', classId: 2 };
const bus = { label: 'bus', classId: 5 };

describe('wrong_lane through the rules engine', () => {
  it.each([
    ['empty frames fire nothing', scene({}), [], {}],
    [
      'a car in the bus lane for 3 s fires, ends after it leaves',
      scene({ 1: [...still(15, IN), ...still(15, OUT)] }, { 1: car }),
      ['start:t1', 'end:t1'],
      {},
    ],
    ['a bus in the bus lane never fires', scene({ 1: still(100, IN) }, { 1: bus }), [], {}],
    [
      'a car for 1.6 s (below dwellS) fires nothing',
      scene({ 1: [...still(8, IN), ...still(20, OUT)] }, { 1: car }),
      [],
      {},
    ],
    ['a car outside the lane fires nothing', scene({ 1: still(50, OUT) }, { 1: car }), [], {}],
    [
      'unconfirmed tracks never fire',
      scene({ 1: still(50, IN) }, { 1: { ...car, confirmed: false } }),
      [],
      {},
    ],
    [
      'a one-frame jitter out of the lane keeps the dwell',
      scene({ 1: [...still(6, IN), OUT, ...still(6, IN), ...still(15, OUT)] }, { 1: car }),
      ['start:t1', 'end:t1'],
      {},
    ],
    [
      'motorbike lane: a car fires, a motorcycle does not',
      scene({ 1: [...still(15, IN), ...still(15, OUT)], 2: still(30, [0.7, 0.4]) }, { 1: car }),
      ['start:t1', 'end:t1'],
      { allowedClasses: ['motorcycle', 'bicycle'] },
    ],
  ] as [string, Track[][], string[], Partial<WrongLaneRuleConfig>][])('%s', (_n, frames, expected, over) => {
    expect(phases(run(frames, over))).toEqual(expected);
  });

  it('a car staying a minute fires once and carries the zone and its dwell seconds', () => {
    const out = run(scene({ 1: still(300, IN) }, { 1: car }));
    expect(out.filter((t) => t.phase === 'start')).toHaveLength(1);
    expect(out[0]!.tsMs - T0).toBe(2000);
    expect(out[0]!.hit.zone).toBe('bus-lane');
    expect(out[0]!.hit.details!.dwellS).toBe(2);
  });

  it.each([
    [
      'a 3-point polygon (triangle) is a valid lane',
      [
        [0.6, 0.2],
        [0.95, 0.95],
        [0.6, 0.95],
      ],
      1,
    ],
    [
      'a zero-area polygon contains nothing',
      [
        [0.6, 0.2],
        [0.75, 0.6],
        [0.9, 1],
      ],
      0,
    ],
  ] as [string, [number, number][], number][])('%s', (_n, polygon, starts) => {
    const out = run(scene({ 1: still(20, IN) }, { 1: car }), {}, { id: 'bus-lane', polygon });
    expect(out.filter((t) => t.phase === 'start')).toHaveLength(starts);
  });
});
