// wrong_way through the real RulesEngine at 5 fps: heading against the allowed direction for T s, jitter, one event per track.
import { describe, expect, it } from 'vitest';
import type { ConfigError } from '../../config/errors.ts';
import { parseConfig } from '../../config/load.ts';
import { checkEdgeConfig, EdgeConfigSchema } from '../../edge/config/schema.ts';
import type { ZoneConfig } from '../../edge/rules/rule-schema.ts';
import { WrongWayRule, type WrongWayRuleConfig } from '../../edge/rules/wrong-way.ts';
import type { Track } from '../../edge/track/track.ts';
import { gap, move, type Pos, phases, runEngine, scene, still, T0 } from '../helpers/scene.ts';

const ROAD: ZoneConfig = {
  id: 'road',
  polygon: [
    [0.1, 0.1],
    [0.9, 0.1],
    [0.9, 0.9],
    [0.1, 0.9],
  ],
};

function cfg(over: Partial<WrongWayRuleConfig> = {}): WrongWayRuleConfig {
  return {
    type: 'wrong_way',
    id: 'ww',
    zone: 'road',
    allowedDirection: [0, -1], // traffic drives up the frame
    maxAngleDeg: 135,
    minDisplacement: 0.03,
    headingWindowS: 1.5,
    minDurationS: 1,
    cooldownS: 30,
    minConfidence: 0.3,
    minBoxArea: 0,
    ...over,
  };
}
const run = (frames: Track[][], over: Partial<WrongWayRuleConfig> = {}, zone = ROAD) => {
  const c = cfg(over);
  return runEngine(new WrongWayRule(c, zone), c, frames);
};

/** Deterministic jitter of +-amp around a point (a parked bike's box breathing). */
const jitter = (n: number, at: readonly [number, number], amp: number): Pos[] =>
  Array.from(
    { length: n },
    (_, i) => [at[0] + amp * Math.sin(i * 2.1), at[1] + amp * Math.cos(i * 1.7)] as const,
  );

describe('wrong_way through the rules engine', () => {
  it.each([
    ['empty frames fire nothing', scene({}), []],
    ['with the flow (up the frame) fires nothing', scene({ 1: move(30, [0.5, 0.85], [0, -0.1]) }), []],
    [
      'against the flow (down the frame) fires once, ends after the grace',
      scene({ 1: [...move(25, [0.5, 0.15], [0, 0.1]), ...gap(15)] }),
      ['start:t1', 'end:t1'],
    ],
    [
      'diagonal down-left (150 deg from the flow) fires',
      scene({ 1: [...move(25, [0.8, 0.15], [-0.05, 0.087]), ...gap(15)] }),
      ['start:t1', 'end:t1'],
    ],
    ['crossing the road sideways (90 deg) fires nothing', scene({ 1: move(30, [0.15, 0.5], [0.1, 0]) }), []],
    [
      'a stationary jittering object never reads as a heading',
      scene({ 1: jitter(300, [0.5, 0.5], 0.008) }),
      [],
    ],
    [
      'crawling against the flow below minDisplacement fires nothing',
      scene({ 1: move(40, [0.5, 0.3], [0, 0.01]) }),
      [],
    ],
    [
      'against the flow for only 0.6 s fires nothing',
      scene({ 1: [...still(5, [0.5, 0.3]), ...move(4, [0.5, 0.3], [0, 0.2]), ...still(20, [0.5, 0.44])] }),
      [],
    ],
    ['against the flow outside the zone fires nothing', scene({ 1: move(30, [0.95, 0.1], [0, 0.1]) }), []],
    [
      'unconfirmed tracks never fire',
      scene({ 1: move(25, [0.5, 0.15], [0, 0.1]) }, { 1: { confirmed: false } }),
      [],
    ],
    [
      'only the track against the flow fires',
      scene({ 1: [...move(25, [0.3, 0.15], [0, 0.1]), ...gap(15)], 2: move(40, [0.7, 0.85], [0, -0.1]) }),
      ['start:t1', 'end:t1'],
    ],
    [
      'a one-frame dropout keeps one event',
      scene({
        1: [...move(12, [0.5, 0.15], [0, 0.1]), undefined, ...move(10, [0.5, 0.41], [0, 0.1]), ...gap(15)],
      }),
      ['start:t1', 'end:t1'],
    ],
  ] as [string, Track[][], string[]][])('%s', (_n, frames, expected) => {
    expect(phases(run(frames))).toEqual(expected);
  });

  it.each([
    0.1, 0.2, 0.3,
  ])('a tracker id swap onto a rider %f further down the frame (both with the flow) fires nothing', (jump) => {
    const before = move(15, [0.5, 0.6], [0, -0.1]);
    const after = move(25, [0.5, 0.6 - 0.3 + jump], [0, -0.1]);
    expect(run(scene({ 1: [...before, ...after] }))).toEqual([]);
  });

  it('exactly one event per track: stop and go against the flow again, even with no cooldown', () => {
    const frames = scene({
      1: [
        ...move(15, [0.5, 0.15], [0, 0.1]),
        ...still(25, [0.5, 0.45]),
        ...move(15, [0.5, 0.45], [0, 0.1]),
        ...gap(15),
      ],
    });
    expect(phases(run(frames, { cooldownS: 0 }))).toEqual(['start:t1', 'end:t1']);
  });

  it('starts after minDurationS against the flow and reports the heading (90 = down the frame) and zone', () => {
    const out = run(scene({ 1: move(25, [0.5, 0.15], [0, 0.1]) }));
    const start = out.find((t) => t.phase === 'start')!;
    expect(start.hit.details!.headingDeg).toBeCloseTo(90, 0);
    expect(start.hit.zone).toBe('road');
    // The first heading exists on frame 1 (two points 0.02 apart is below minDisplacement); 0.03 is reached on
    // frame 2 (0.4 s), then 1 s against the flow: the event starts at 1.4 s.
    expect(start.tsMs - T0).toBe(1400);
  });

  it.each([
    [
      'a 3-point polygon (triangle) is a valid zone',
      [
        [0.1, 0.1],
        [0.9, 0.1],
        [0.5, 0.95],
      ],
      1,
    ],
    [
      'a zero-area polygon (collinear points) contains nothing',
      [
        [0.1, 0.1],
        [0.5, 0.5],
        [0.9, 0.9],
      ],
      0,
    ],
  ] as [string, [number, number][], number][])('%s', (_n, polygon, starts) => {
    const out = run(scene({ 1: move(25, [0.5, 0.15], [0, 0.1]) }), {}, { id: 'road', polygon });
    expect(out.filter((t) => t.phase === 'start')).toHaveLength(starts);
  });

  it('refuses an allowedDirection of [0, 0]', () => {
    expect(() => new WrongWayRule(cfg({ allowedDirection: [0, 0] }), ROAD)).toThrow(/allowedDirection/);
  });
});

describe('config checks of the direction and turn rules', () => {
  const camera = (rules: string) => `
site: x
cameras:
  - id: c
    source: { url: media:hcmc_street_wrongway.mp4 }
    zones: [{ id: a, polygon: [[0, 0], [1, 0], [1, 1]] }, { id: b, polygon: [[0, 0], [0, 1], [1, 1]] }]
    lines: [{ id: l, points: [[0, 0.5], [1, 0.5]] }]
    rules: [${rules}]
`;
  const issues = (rules: string): string[] => {
    try {
      parseConfig(camera(rules), 'x.yaml', EdgeConfigSchema, { check: checkEdgeConfig, env: {} });
      return [];
    } catch (err) {
      return (err as ConfigError).issues.map((i) => `${i.path}: ${i.reason}`);
    }
  };
  it.each([
    ['a valid wrong_way', '{ id: w, type: wrong_way, zone: a, allowedDirection: [0, -1] }', []],
    [
      'allowedDirection [0, 0]',
      '{ id: w, type: wrong_way, zone: a, allowedDirection: [0, 0] }',
      ['cameras[0].rules[0].allowedDirection: has no direction'],
    ],
    [
      'maxAngleDeg below 90',
      '{ id: w, type: wrong_way, zone: a, allowedDirection: [0, -1], maxAngleDeg: 45 }',
      ['cameras[0].rules[0].maxAngleDeg: must be >= 90'],
    ],
    [
      'wrong_way on an unknown zone',
      '{ id: w, type: wrong_way, zone: nope, allowedDirection: [0, -1] }',
      ['cameras[0].rules[0].zone: no zone with this id'],
    ],
    [
      'solid_line on an unknown line',
      '{ id: s, type: solid_line, line: nope }',
      ['cameras[0].rules[0].line: no line with this id'],
    ],
    [
      'wrong_lane needs allowedClasses',
      '{ id: v, type: wrong_lane, zone: a }',
      ['cameras[0].rules[0].allowedClasses'],
    ],
    [
      'forbidden_turn with entry = exit',
      '{ id: t, type: forbidden_turn, entryZone: a, exitZone: a }',
      ['cameras[0].rules[0].exitZone: is also the entry zone'],
    ],
    ['a valid forbidden_turn', '{ id: t, type: forbidden_turn, entryZone: a, exitZone: b }', []],
  ] as [string, string, string[]][])('%s', (_n, rules, expected) => {
    const got = issues(rules);
    expect(got).toHaveLength(expected.length);
    for (const [i, e] of expected.entries()) expect(got[i]).toContain(e);
  });
});
