// solid_line through the real RulesEngine at 5 fps: debounced crossings of a lane-marking polyline, flicker, direction.
import { describe, expect, it } from 'vitest';
import type { LineConfig } from '../../edge/rules/rule-schema.ts';
import { SolidLineRule, type SolidLineRuleConfig } from '../../edge/rules/solid-line.ts';
import type { Track } from '../../edge/track/track.ts';
import { FRAME_MS, phases, runEngine, scene, still, T0 } from '../helpers/scene.ts';

/** A solid line down the middle of the picture, drawn from the bottom (first point) to the top. */
const LINE: LineConfig = {
  id: 'solid',
  points: [
    [0.5, 0.8],
    [0.5, 0.2],
  ],
};

function cfg(over: Partial<SolidLineRuleConfig> = {}): SolidLineRuleConfig {
  return {
    type: 'solid_line',
    id: 'sl',
    line: 'solid',
    debounceFrames: 2,
    direction: 'both',
    cooldownS: 30,
    minConfidence: 0.3,
    minBoxArea: 0,
    ...over,
  };
}
const run = (frames: Track[][], over: Partial<SolidLineRuleConfig> = {}, line = LINE) => {
  const c = cfg(over);
  return runEngine(new SolidLineRule(c, line), c, frames);
};
const L: [number, number] = [0.45, 0.5];
const R: [number, number] = [0.55, 0.5];

describe('solid_line through the rules engine', () => {
  it.each([
    ['empty frames fire nothing', scene({}), [], {}],
    ['staying on one side fires nothing', scene({ 1: still(30, L) }), [], {}],
    [
      'left to right and staying: one instant event',
      scene({ 1: [...still(5, L), ...still(5, R)] }),
      ['start:t1', 'end:t1'],
      {},
    ],
    [
      'right to left fires too with direction both',
      scene({ 1: [...still(5, R), ...still(5, L)] }),
      ['start:t1', 'end:t1'],
      {},
    ],
    [
      'a one-frame flicker across the line is not a crossing',
      scene({ 1: [...still(5, L), R, ...still(5, L)] }),
      [],
      {},
    ],
    ['one frame on the far side then lost is not a crossing', scene({ 1: [...still(5, L), R] }), [], {}],
    ['a track born on the far side (never armed) fires nothing', scene({ 1: [L, ...still(10, R)] }), [], {}],
    [
      'passing beyond the end of the line is not a crossing',
      scene({ 1: [...still(5, [0.45, 0.9]), ...still(5, [0.55, 0.9])] }),
      [],
      {},
    ],
    [
      'unconfirmed tracks never fire',
      scene({ 1: [...still(5, L), ...still(5, R)] }, { 1: { confirmed: false } }),
      [],
      {},
    ],
    [
      'back and forth: exactly one event per track (cooldown)',
      scene({ 1: [...still(5, L), ...still(5, R), ...still(5, L), ...still(5, R)] }),
      ['start:t1', 'end:t1'],
      {},
    ],
    [
      'two tracks crossing give two events',
      scene({ 1: [...still(5, L), ...still(5, R)], 2: [...still(3, [0.6, 0.3]), ...still(7, [0.4, 0.3])] }),
      ['start:t2', 'end:t2', 'start:t1', 'end:t1'],
      {},
    ],
    [
      'direction one: left to right of a bottom-to-top line fires',
      scene({ 1: [...still(5, L), ...still(5, R)] }),
      ['start:t1', 'end:t1'],
      { direction: 'one' },
    ],
    [
      'direction one: right to left does not',
      scene({ 1: [...still(5, R), ...still(5, L)] }),
      [],
      { direction: 'one' },
    ],
    [
      'debounceFrames 3: two frames across then back is not a crossing',
      scene({ 1: [...still(5, L), R, R, ...still(5, L)] }),
      [],
      { debounceFrames: 3 },
    ],
  ] as [string, Track[][], string[], Partial<SolidLineRuleConfig>][])('%s', (_n, frames, expected, over) => {
    expect(phases(run(frames, over))).toEqual(expected);
  });

  it('fires on the frame that confirms the crossing, carrying the line', () => {
    const out = run(scene({ 1: [...still(5, L), ...still(5, R)] }));
    expect(out[0]!.tsMs - T0).toBe(6 * FRAME_MS); // first far frame is 5, confirmed on 6 (debounceFrames 2)
    expect(out[0]!.hit.line).toBe('solid');
    expect(out[0]!.hit.instant).toBe(true);
  });

  it('a polyline: crossing its second segment fires, crossing the gap past its last point does not', () => {
    const bent: LineConfig = {
      id: 'solid',
      points: [
        [0.5, 0.9],
        [0.5, 0.5],
        [0.7, 0.2],
      ],
    };
    const across2nd = scene({ 1: [...still(5, [0.55, 0.3]), ...still(5, [0.7, 0.35])] });
    expect(phases(run(across2nd, {}, bent))).toEqual(['start:t1', 'end:t1']);
    const pastEnd = scene({ 1: [...still(5, [0.65, 0.1]), ...still(5, [0.8, 0.1])] });
    expect(phases(run(pastEnd, {}, bent))).toEqual([]);
  });

  it('a zero-length line never fires', () => {
    const dot: LineConfig = {
      id: 'solid',
      points: [
        [0.5, 0.5],
        [0.5, 0.5],
      ],
    };
    expect(run(scene({ 1: [...still(5, L), ...still(5, R)] }), {}, dot)).toEqual([]);
  });
});
