// forbidden_turn through the real RulesEngine at 5 fps: entry zone then exit zone, in order, within maxTransitS.
import { describe, expect, it } from 'vitest';
import { RulesEngine, type Transition } from '../../edge/rules/engine.ts';
import { ForbiddenTurnRule, type ForbiddenTurnRuleConfig } from '../../edge/rules/forbidden-turn.ts';
import type { Rule } from '../../edge/rules/rule.ts';
import type { RuleConfig, ZoneConfig } from '../../edge/rules/rule-schema.ts';
import type { Track } from '../../edge/track/track.ts';

const T0 = Date.parse('2026-11-23T03:00:00Z'); // 10:00 in Ho Chi Minh City
const FRAME_MS = 200; // 5 fps
type Pos = readonly [number, number] | undefined;

/** Builds the frames of a scene: tracks[id][i] is the track's anchor in frame i (undefined: not seen). */
function scene(tracks: Record<number, Pos[]>, over: Record<number, Partial<Track>> = {}): Track[][] {
  const n = Math.max(0, ...Object.values(tracks).map((p) => p.length));
  const paths = new Map<number, Track['path']>();
  return Array.from({ length: n }, (_, i) => {
    const out: Track[] = [];
    for (const [key, positions] of Object.entries(tracks)) {
      const id = Number(key);
      const p = positions[i];
      if (!p) continue;
      const path = paths.get(id) ?? [];
      path.push({ tsMs: T0 + i * FRAME_MS, x: p[0], y: p[1] });
      if (path.length > 64) path.shift();
      paths.set(id, path);
      out.push({
        id,
        classId: 3,
        label: 'motorcycle',
        score: 0.8,
        boxXyxyNorm: [p[0] - 0.02, p[1] - 0.06, p[0] + 0.02, p[1]],
        confirmed: true,
        hits: 10,
        firstSeenTs: T0,
        lastSeenTs: T0 + i * FRAME_MS,
        path: path.map((q) => ({ ...q })),
        ...over[id],
      });
    }
    return out;
  });
}

const still = (n: number, at: readonly [number, number]): Pos[] => Array.from({ length: n }, () => at);

function runEngine(rule: Rule, cfg: RuleConfig, frames: Track[][]): Transition[] {
  let n = 0;
  const engine = new RulesEngine([{ rule, cfg }], { newId: () => `evt-${++n}-xxxxxxxx` });
  return frames.flatMap((tracks, i) => engine.step(tracks, T0 + i * FRAME_MS));
}
const phases = (ts: Transition[]) => ts.map((t) => `${t.phase}:t${t.hit.trackId}`);

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
