// forbidden_turn through the real RulesEngine at 5 fps: entry zone then exit zone, in order, within maxTransitS.
import { describe, expect, it } from 'vitest';
import { ForbiddenTurnRule, type ForbiddenTurnRuleConfig } from '../../edge/rules/forbidden-turn.ts';
import type { ZoneConfig } from '../../edge/rules/rule-schema.ts';
import type { Track } from '../../edge/track/track.ts';
import { FRAME_MS, type Pos, phases, runEngine, scene, still, T0 } from '../helpers/scene.ts';

/** Approach lanes at the bottom left, the forbidden cross street on the right. */
const ENTRY: ZoneConfig = {
  id: 'approach',
  polygon: [
    [0.1, 0.6],
    [0.4, 0.6],
    [0.4, 0.95],
    [0.1, 0.95],
  ],
};
const EXIT: ZoneConfig = {
  id: 'cross-street',
  polygon: [
    [0.7, 0.2],
    [0.95, 0.2],
    [0.95, 0.5],
    [0.7, 0.5],
  ],
};
const E: [number, number] = [0.25, 0.8];
const MID: [number, number] = [0.5, 0.5];
const X: [number, number] = [0.8, 0.35];

function cfg(over: Partial<ForbiddenTurnRuleConfig> = {}): ForbiddenTurnRuleConfig {
  return {
    type: 'forbidden_turn',
    id: 'ft',
    entryZone: 'approach',
    exitZone: 'cross-street',
    maxTransitS: 20,
    debounceFrames: 2,
    cooldownS: 30,
    minConfidence: 0.3,
    minBoxArea: 0,
    ...over,
  };
}
const run = (frames: Track[][], over: Partial<ForbiddenTurnRuleConfig> = {}, entry = ENTRY, exit = EXIT) => {
  const c = cfg(over);
  return runEngine(new ForbiddenTurnRule(c, entry, exit), c, frames);
};
const turn = (transitFrames: number): Pos[] => [...still(5, E), ...still(transitFrames, MID), ...still(5, X)];

describe('forbidden_turn through the rules engine', () => {
  it.each([
    ['empty frames fire nothing', scene({}), [], {}],
    [
      'entry then exit within maxTransitS: one instant event',
      scene({ 1: turn(10) }),
      ['start:t1', 'end:t1'],
      {},
    ],
    [
      'exit then entry (the reverse order) fires nothing',
      scene({ 1: [...still(5, X), ...still(10, MID), ...still(5, E)] }),
      [],
      {},
    ],
    ['a transit slower than maxTransitS fires nothing', scene({ 1: turn(110) }), [], {}],
    [
      'only the entry (going straight on) fires nothing',
      scene({ 1: [...still(5, E), ...still(20, MID)] }),
      [],
      {},
    ],
    ['only the exit fires nothing', scene({ 1: still(30, X) }), [], {}],
    ['unconfirmed tracks never fire', scene({ 1: turn(10) }, { 1: { confirmed: false } }), [], {}],
    [
      'a one-frame flicker into the exit zone is not a turn',
      scene({ 1: [...still(5, E), ...still(5, MID), X, ...still(10, MID)] }),
      [],
      {},
    ],
    [
      'exactly one event per track even turning twice with no cooldown',
      scene({ 1: [...turn(5), ...turn(5)] }),
      ['start:t1', 'end:t1'],
      { cooldownS: 0 },
    ],
    [
      'two tracks turning give two events',
      scene({ 1: turn(10), 2: [...still(3, E), ...turn(10)] }),
      ['start:t1', 'end:t1', 'start:t2', 'end:t2'],
      {},
    ],
  ] as [
    string,
    Track[][],
    string[],
    Partial<ForbiddenTurnRuleConfig>,
  ][])('%s', (_n, frames, expected, over) => {
    expect(phases(run(frames, over))).toEqual(expected);
  });

  it('fires at the exit (confirmed on the second frame in it), carrying the exit zone; the event carries the path', () => {
    const out = run(scene({ 1: turn(10) }));
    expect(out[0]!.tsMs - T0).toBe(16 * FRAME_MS); // exit frames 15, 16
    expect(out[0]!.hit.zone).toBe('cross-street');
    expect(out[0]!.track!.path.length).toBe(17);
  });

  it('transit is measured from the last frame in the entry zone: a long wait there still counts', () => {
    const waitThenTurn = scene({ 1: [...still(200, E), ...still(10, MID), ...still(5, X)] });
    expect(phases(run(waitThenTurn))).toEqual(['start:t1', 'end:t1']);
  });

  it.each([
    [
      '3-point polygons (triangles) are valid zones',
      [
        [0.1, 0.6],
        [0.4, 0.95],
        [0.1, 0.95],
      ],
      1,
    ],
    [
      'a zero-area entry contains nothing',
      [
        [0.1, 0.6],
        [0.25, 0.8],
        [0.4, 1],
      ],
      0,
    ],
  ] as [string, [number, number][], number][])('%s', (_n, polygon, starts) => {
    const frames = scene({ 1: [...still(5, [0.15, 0.9]), ...still(5, MID), ...still(5, X)] });
    const out = run(frames, {}, { id: 'approach', polygon });
    expect(out.filter((t) => t.phase === 'start')).toHaveLength(starts);
  });
});
