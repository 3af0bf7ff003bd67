import { describe, expect, it } from 'vitest';
import type { SignalState } from '../../contract/index.ts';
import { RulesEngine, type Transition } from '../../edge/rules/engine.ts';
import type { Point } from '../../edge/rules/geometry.ts';
import {
  checkRedLight,
  headingOf,
  RedLightRule,
  type RedLightRuleConfig,
  sideOfPolyline,
} from '../../edge/rules/red-light.ts';
import { waitsBehindLine } from '../../edge/rules/waits-behind-line.ts';
import type { Track } from '../../edge/track/track.ts';

const T0 = Date.parse('2026-11-23T03:00:00Z'); // 10:00 in Ho Chi Minh City
// Stop line across the road at y = 0.6; vehicles wait below it (y > 0.6) and cross moving up the frame.
const stopLine = {
  id: 'stop',
  points: [
    [0, 0.6],
    [1, 0.6],
  ] as [number, number][],
};
const freeTurn = {
  id: 'free-right',
  polygon: [
    [0.8, 0.3],
    [1, 0.3],
    [1, 1],
    [0.8, 1],
  ] as [number, number][],
};

function rule(over: Partial<RedLightRuleConfig> = {}): RedLightRuleConfig {
  return {
    type: 'red_light',
    id: 'red',
    line: 'stop',
    approachPoint: [0.5, 0.9],
    debounceFrames: 2,
    waitBehindBoxHeights: 0.5,
    exemptZones: [],
    graceS: 0,
    cooldownS: 30,
    minConfidence: 0.3,
    minBoxArea: 0,
    ...over,
  };
}

/** One frame of a track: its anchor, its box height (default 0.15), whether confirmed, its id. */
interface Pos {
  id?: number;
  x?: number;
  y: number;
  h?: number;
  confirmed?: boolean;
}

/** Runs frames at 5 fps with one signal state per frame (a single state applies to all). Paths accumulate. */
function run(
  cfg: RedLightRuleConfig,
  frames: Pos[][],
  signal: SignalState | SignalState[],
  line = stopLine,
): Transition[] {
  let n = 0;
  const engine = new RulesEngine(
    [{ rule: new RedLightRule(cfg, line, cfg.exemptZones.length ? [freeTurn] : []), cfg }],
    { newId: () => `evt-${++n}-xxxxxxxx` },
  );
  const paths = new Map<number, Track['path']>();
  return frames.flatMap((positions, i) => {
    const tsMs = T0 + i * 200;
    const tracks: Track[] = positions.map(({ id = 1, x = 0.5, y, h = 0.15, confirmed = true }) => {
      const path = paths.get(id) ?? [];
      path.push({ tsMs, x, y });
      paths.set(id, path);
      return {
        id,
        classId: 2,
        label: 'car',
        score: 0.8,
        boxXyxyNorm: [x - 0.05, y - h, x + 0.05, y],
        confirmed,
        hits: i + 1,
        firstSeenTs: T0,
        lastSeenTs: tsMs,
        path: [...path],
      };
    });
    return engine.step(tracks, tsMs, Array.isArray(signal) ? (signal[i] ?? 'unknown') : signal);
  });
}
const ys = (...y: number[]): Pos[][] => y.map((v) => [{ y: v }]);
const at = (x: number, ...y: number[]): Pos[][] => y.map((v) => [{ x, y: v }]);
const repeat = <T>(n: number, v: T): T[] => Array.from({ length: n }, () => v);
const phases = (ts: Transition[]) => ts.map((t) => `${t.phase}:${t.hit.trackId}`);
/** Approach, cross, and keep going (frames 0-3 behind, 4.. past the line). */
const CROSSING = ys(0.85, 0.8, 0.75, 0.68, 0.58, 0.52, 0.46, 0.4, 0.35, 0.3);

describe('red_light through the rules engine', () => {
  it.each([
    ['empty frames fire nothing', repeat(30, [] as Pos[]), 'red', []],
    ['crossing while red fires once', CROSSING, 'red', ['start:1', 'end:1']],
    [
      'crossing while red, then lingering past the line for 30 s, still fires once',
      [...CROSSING, ...repeat(150, [{ y: 0.3 }])],
      'red',
      ['start:1', 'end:1'],
    ],
    [
      'stops behind the line with its box over the paint: never fires',
      [...ys(0.85, 0.75, 0.66, 0.62), ...repeat(40, [{ y: 0.605 }])],
      'red',
      [],
    ],
    [
      'anchor exactly on the line counts as not crossed',
      [...ys(0.85, 0.75, 0.66), ...repeat(40, [{ y: 0.6 }])],
      'red',
      [],
    ],
    [
      'one-frame flicker across the line is not a crossing',
      [...ys(0.8, 0.75, 0.7, 0.65, 0.59), ...repeat(20, [{ y: 0.62 }])],
      'red',
      [],
    ],
    [
      'flicker across and back, then a real crossing: one event at the real one',
      [...ys(0.8, 0.75, 0.59, 0.62, 0.62, 0.55, 0.5)],
      'red',
      ['start:1', 'end:1'],
    ],
    [
      'only one frame past the line before the track ends is unconfirmed',
      [...ys(0.8, 0.75, 0.7, 0.58), ...repeat(20, [] as Pos[])],
      'red',
      [],
    ],
    ['crossing while green does not fire', CROSSING, 'green', []],
    ['crossing while amber does not fire', CROSSING, 'amber', []],
    ['signal unknown never fires', CROSSING, 'unknown', []],
    [
      'crossed while green, the light turns red after: no',
      CROSSING,
      ['green', 'green', 'green', 'green', 'green', 'green', 'red', 'red', 'red', 'red'],
      [],
    ],
    [
      'the light turns red exactly at the crossing frame: yes',
      CROSSING,
      ['green', 'green', 'green', 'amber', 'red', 'red', 'red', 'red', 'red', 'red'],
      ['start:1', 'end:1'],
    ],
    [
      'red at the crossing frame but unknown at the confirming frame: the crossing frame decides',
      CROSSING,
      ['red', 'red', 'red', 'red', 'red', 'unknown', 'unknown', 'unknown', 'unknown', 'unknown'],
      ['start:1', 'end:1'],
    ],
    [
      'wrong direction (coming out of the junction towards the camera) never fires',
      ys(0.3, 0.35, 0.4, 0.46, 0.52, 0.58, 0.68, 0.75, 0.8, 0.85),
      'red',
      [],
    ],
    [
      'unconfirmed track never fires',
      CROSSING.map((f) => f.map((p) => ({ ...p, confirmed: false }))),
      'red',
      [],
    ],
    ['a track born past the line never fires', ys(0.55, 0.5, 0.45, 0.4, 0.35, 0.3), 'red', []],
    [
      'seen on the approach side for fewer than debounceFrames frames: no',
      ys(0.65, 0.55, 0.5, 0.45, 0.4),
      'red',
      [],
    ],
    [
      'a track that appears past the line, dips behind it and leaves again is not a crossing',
      ys(0.55, 0.61, 0.55, 0.5, 0.45),
      'red',
      [],
    ],
    [
      'two vehicles crossing give two events',
      CROSSING.map((f, i) => [...f, { id: 2, x: 0.3, y: CROSSING[Math.max(0, i - 1)]![0]!.y }]),
      'red',
      ['start:1', 'end:1', 'start:2', 'end:2'],
    ],
    [
      'a missed detection mid-crossing still confirms once',
      [...ys(0.85, 0.8, 0.75, 0.58), [], [], ...ys(0.5, 0.45)],
      'red',
      ['start:1', 'end:1'],
    ],
  ] as [string, Pos[][], SignalState | SignalState[], string[]][])('%s', (_n, frames, signal, expected) => {
    expect(phases(run(rule(), frames, signal))).toEqual(expected);
  });
});

// With the default waitBehindBoxHeights 0.5 and the fixture's box height 0.15, a vehicle waits behind the stop line
// (y = 0.6) when its anchor is at y >= 0.675; between 0.6 and 0.675 it stands on the line (front over the paint).
describe('red_light: a crossing counts only after the vehicle was seen waiting behind the line', () => {
  const hold = (n: number, y: number, h?: number) => repeat(n, [{ y, h }]);
  it.each([
    ['straddling the line at first sight, standing: nothing', hold(30, 0.64), 'red', []],
    [
      'straddling the line at first sight, then driving off across it: nothing',
      [...hold(10, 0.64), ...ys(0.62, 0.58, 0.52, 0.46, 0.4)],
      'red',
      [],
    ],
    [
      'straddling just inside the margin (0.49 box heights behind): nothing',
      [...hold(10, 0.6735), ...ys(0.62, 0.58, 0.52, 0.46)],
      'red',
      [],
    ],
    [
      'queued at exactly the margin (0.5 box heights behind), then crossing: fires',
      [...hold(10, 0.675), ...ys(0.62, 0.58, 0.52, 0.46)],
      'red',
      ['start:1', 'end:1'],
    ],
    [
      'queued well behind the line, then crossing: fires',
      [...hold(10, 0.8), ...ys(0.72, 0.64, 0.58, 0.52)],
      'red',
      ['start:1', 'end:1'],
    ],
    [
      'queued behind, creeps onto the line while red, waits there, then goes while still red: fires',
      [...hold(5, 0.8), ...hold(15, 0.63), ...ys(0.58, 0.52)],
      'red',
      ['start:1', 'end:1'],
    ],
    [
      'seen waiting for only one frame before reaching the line: nothing',
      [...hold(1, 0.8), ...ys(0.66, 0.63, 0.58, 0.52)],
      'red',
      [],
    ],
    [
      'jitter across the margin, never two waiting frames in a row: nothing',
      [...repeat(6, [[{ y: 0.68 }], [{ y: 0.67 }]]).flat(), ...ys(0.62, 0.58, 0.52)],
      'red',
      [],
    ],
    [
      'two waiting frames in a row, then jitter across the margin before going: fires',
      [...hold(2, 0.68), ...repeat(6, [[{ y: 0.67 }], [{ y: 0.68 }]]).flat(), ...ys(0.62, 0.58, 0.52)],
      'red',
      ['start:1', 'end:1'],
    ],
    [
      'a degenerate box (zero height) far behind the line never counts as waiting',
      [...hold(10, 0.85, 0), ...ys(0.58, 0.52)].map((f) => f.map((p) => ({ ...p, h: 0 }))),
      'red',
      [],
    ],
    [
      'an inverted box (negative height) never counts as waiting',
      [...hold(10, 0.85, -0.15), ...ys(0.58, 0.52)].map((f) => f.map((p) => ({ ...p, h: -0.15 }))),
      'red',
      [],
    ],
    [
      'a NaN box never counts as waiting',
      [...hold(10, 0.85), ...ys(0.58, 0.52)].map((f) => f.map((p) => ({ ...p, h: Number.NaN }))),
      'red',
      [],
    ],
    [
      'confirmed late, near the line: its unconfirmed frames waiting behind it count (path): fires',
      [...[0.85, 0.8, 0.75].map((y) => [{ y, confirmed: false }]), ...ys(0.64, 0.58, 0.52)],
      'red',
      ['start:1', 'end:1'],
    ],
    [
      'confirmed only after it crossed: nothing (a crossing before the rule saw the track is not judged)',
      [...[0.85, 0.8, 0.58].map((y) => [{ y, confirmed: false }]), ...ys(0.52, 0.46, 0.4)],
      'red',
      [],
    ],
    [
      'left its place behind the line on amber, anchor crossed on red: nothing (committed on amber)',
      ys(0.8, 0.8, 0.66, 0.64, 0.62, 0.58, 0.52),
      ['green', 'green', 'amber', 'amber', 'amber', 'red', 'red'],
      [],
    ],
    [
      'left its place on red, waited on the line until green, then crossed: nothing (not a red-light run)',
      [...hold(3, 0.8), ...hold(5, 0.63), ...ys(0.58, 0.52)],
      ['red', 'red', 'red', 'red', 'red', 'red', 'red', 'green', 'green', 'green'],
      [],
    ],
    [
      'waited behind on green, left on red: fires',
      ys(0.8, 0.8, 0.8, 0.66, 0.62, 0.58, 0.52),
      ['green', 'green', 'amber', 'red', 'red', 'red', 'red'],
      ['start:1', 'end:1'],
    ],
  ] as [string, Pos[][], SignalState | SignalState[], string[]][])('%s', (_n, frames, signal, expected) => {
    expect(phases(run(rule(), frames, signal))).toEqual(expected);
  });

  it('a short vehicle and a long one with their anchors equally far behind: only the short one waits', () => {
    // Both anchors 0.05 behind the line: a motorbike's box (0.08 high) is wholly behind it, a bus's (0.3) is not.
    const frames = [
      ...repeat(5, [
        { id: 1, x: 0.3, y: 0.65, h: 0.08 },
        { id: 2, x: 0.7, y: 0.65, h: 0.3 },
      ]),
      ...[0.58, 0.52, 0.46].map((y) => [
        { id: 1, x: 0.3, y, h: 0.08 },
        { id: 2, x: 0.7, y, h: 0.3 },
      ]),
    ];
    expect(phases(run(rule(), frames, 'red'))).toEqual(['start:1', 'end:1']);
  });

  it.each([
    // The bus above, anchor 0.05 behind: waits when the share of its height taken as its length is small.
    [0, ['start:1', 'end:1']],
    [0.16, ['start:1', 'end:1']],
    [0.17, []],
    [0.5, []],
  ] as [number, string[]][])('waitBehindBoxHeights %s for a bus 0.05 behind the line', (w, expected) => {
    const frames = [
      ...repeat(5, [{ y: 0.65, h: 0.3 }]),
      ...ys(0.58, 0.52, 0.46).map((f) => [{ ...f[0]!, h: 0.3 }]),
    ];
    expect(phases(run(rule({ waitBehindBoxHeights: w }), frames, 'red'))).toEqual(expected);
  });

  it.each([
    ['debounce 3: three waiting frames arm', 3, 3, ['start:1', 'end:1']],
    ['debounce 3: two waiting frames do not', 3, 2, []],
  ] as [string, number, number, string[]][])('%s', (_n, debounceFrames, waiting, expected) => {
    const frames = [...hold(waiting, 0.8), ...ys(0.64, 0.58, 0.52, 0.46)];
    expect(phases(run(rule({ debounceFrames }), frames, 'red'))).toEqual(expected);
  });

  it.each([
    ['in the free-turn lane: exempt', 0.9, []],
    ['in the straight lanes beside it: fires', 0.5, ['start:1', 'end:1']],
  ] as [string, number, string[]][])('exempt zones: %s', (_n, x, expected) => {
    const frames = at(x, 0.85, 0.8, 0.75, 0.68, 0.58, 0.52, 0.46);
    expect(phases(run(rule({ exemptZones: ['free-right'] }), frames, 'red'))).toEqual(expected);
  });

  it.each([
    // Red from frame 5 (t = 1.0 s); the anchor crosses on frame `cross`; graceS = 1.
    ['crossing 0.4 s into red is inside the grace', 7, []],
    ['crossing 1.0 s into red is at the grace boundary and fires', 10, ['start:1', 'end:1']],
    ['crossing 2 s into red fires', 15, ['start:1', 'end:1']],
  ] as [string, number, string[]][])('graceS: %s', (_n, cross, expected) => {
    const frames = [...repeat(cross, [{ y: 0.8 }]), ...ys(0.55, 0.5, 0.45)];
    const signal = frames.map((_, i) => (i < 5 ? 'amber' : 'red') as SignalState);
    expect(phases(run(rule({ graceS: 1 }), frames, signal))).toEqual(expected);
  });

  it.each([
    ['debounce 1: a single far frame confirms', 1, ['start:1', 'end:1']],
    ['debounce 3: two far frames then lost is not enough', 3, []],
  ] as [string, number, string[]][])('debounceFrames: %s', (_n, debounceFrames, expected) => {
    const frames = [...ys(0.85, 0.8, 0.75, 0.7, 0.55, 0.5), ...repeat(20, [] as Pos[])];
    expect(phases(run(rule({ debounceFrames }), frames, 'red'))).toEqual(expected);
  });

  it('passing beyond the end of a short stop line is not a crossing of it', () => {
    const half = {
      id: 'stop',
      points: [
        [0, 0.6],
        [0.5, 0.6],
      ] as [number, number][],
    };
    expect(
      run(rule({ approachPoint: [0.25, 0.9] }), at(0.8, 0.85, 0.8, 0.7, 0.55, 0.5), 'red', half),
    ).toEqual([]);
    expect(
      phases(run(rule({ approachPoint: [0.25, 0.9] }), at(0.3, 0.85, 0.8, 0.7, 0.55, 0.5), 'red', half)),
    ).toEqual(['start:1', 'end:1']);
  });

  it('the hit carries the line, the red signal, the heading and the path', () => {
    const out = run(rule(), CROSSING, 'red');
    const start = out[0]!;
    expect(start.hit.line).toBe('stop');
    expect(start.hit.instant).toBe(true);
    expect(start.hit.details?.signal).toBe('red');
    expect(start.hit.details?.headingDeg).toBeCloseTo(-90, 5); // straight up the frame
    expect(start.track?.path[0]?.y).toBeGreaterThan(0.6);
    expect(start.track?.path.at(-1)?.y).toBeLessThan(0.6);
    expect(start.tsMs).toBe(T0 + 5 * 200); // confirmed on the second frame past the line
  });

  it('a sloping line with the approach side above it (traffic coming down the frame) works the same way', () => {
    const sloped = {
      id: 'stop',
      points: [
        [0.1, 0.3],
        [0.9, 0.4],
      ] as [number, number][],
    };
    const down = ys(0.1, 0.15, 0.2, 0.3, 0.42, 0.5, 0.6);
    expect(phases(run(rule({ approachPoint: [0.5, 0.1] }), down, 'red', sloped))).toEqual([
      'start:1',
      'end:1',
    ]);
    expect(run(rule({ approachPoint: [0.5, 0.9] }), down, 'red', sloped)).toEqual([]);
  });
});

describe('red_light geometry helpers', () => {
  const poly: Point[] = [
    [0, 0.6],
    [0.5, 0.6],
    [1, 0.7],
  ];
  it.each([
    ['below the first segment', [0.2, 0.8], 1],
    ['above the first segment', [0.2, 0.4], -1],
    ['on the line', [0.25, 0.6], 0],
    ['below the sloped second segment', [0.9, 0.75], 1],
    ['above the sloped second segment (below the first one extended)', [0.9, 0.65], -1],
  ] as [string, Point, number][])('sideOfPolyline: %s', (_n, p, expected) => {
    // y is down: "below" in the picture is the positive cross-product side of a left-to-right line.
    expect(sideOfPolyline(poly, p)).toBe(expected);
  });

  // A line across the picture at y = 0.6 (traffic up or down the frame) and one down it at x = 0.5 (sideways).
  const across: Point[] = [
    [0, 0.6],
    [1, 0.6],
  ];
  const down: Point[] = [
    [0.5, 0],
    [0.5, 1],
  ];
  it.each([
    [
      'leaving up the frame: anchor 0.1 behind, box 0.15 high, half of it taken as length',
      across,
      [0.5, 0.9],
      [0.5, 0.7],
      0.1,
      0.15,
      0.5,
      true,
    ],
    [
      'leaving up the frame: anchor 0.06 behind is on the line for that box',
      across,
      [0.5, 0.9],
      [0.5, 0.66],
      0.1,
      0.15,
      0.5,
      false,
    ],
    [
      'leaving up the frame: the same anchor waits for a box half as high',
      across,
      [0.5, 0.9],
      [0.5, 0.66],
      0.1,
      0.075,
      0.5,
      true,
    ],
    [
      'leaving up the frame, share 0: any anchor behind the line waits',
      across,
      [0.5, 0.9],
      [0.5, 0.601],
      0.1,
      0.15,
      0,
      true,
    ],
    ['anchor exactly on the line never waits', across, [0.5, 0.9], [0.5, 0.6], 0.1, 0.15, 0, false],
    ['anchor past the line never waits', across, [0.5, 0.9], [0.5, 0.5], 0.1, 0.15, 0.5, false],
    [
      'coming down the frame: the anchor is the front, just behind the line waits',
      across,
      [0.5, 0.1],
      [0.5, 0.59],
      0.1,
      0.3,
      0.5,
      true,
    ],
    ['coming down the frame: past the line does not', across, [0.5, 0.1], [0.5, 0.61], 0.1, 0.3, 0.5, false],
    [
      'sideways: half the box width must be behind (0.1 < 0.15)',
      down,
      [0.1, 0.5],
      [0.4, 0.5],
      0.3,
      0.2,
      0.5,
      false,
    ],
    [
      'sideways: half the box width behind (0.2 >= 0.15) waits',
      down,
      [0.1, 0.5],
      [0.3, 0.5],
      0.3,
      0.2,
      0.5,
      true,
    ],
    ['zero-height box', across, [0.5, 0.9], [0.5, 0.9], 0.1, 0, 0.5, false],
    ['zero-width box', across, [0.5, 0.9], [0.5, 0.9], 0, 0.15, 0.5, false],
    ['NaN box height', across, [0.5, 0.9], [0.5, 0.9], 0.1, Number.NaN, 0.5, false],
    ['infinite box height', across, [0.5, 0.9], [0.5, 0.9], 0.1, Number.POSITIVE_INFINITY, 0.5, false],
    ['a line of one point', [[0, 0.6]] as Point[], [0.5, 0.9], [0.5, 0.9], 0.1, 0.15, 0.5, false],
    [
      'a line whose only segment has no length',
      [
        [0.5, 0.6],
        [0.5, 0.6],
      ] as Point[],
      [0.5, 0.9],
      [0.5, 0.9],
      0.1,
      0.15,
      0.5,
      false,
    ],
  ] as [
    string,
    Point[],
    Point,
    Point,
    number,
    number,
    number,
    boolean,
  ][])('waitsBehindLine: %s', (_n, line, approach, anchor, w, h, share, expected) => {
    const sign = sideOfPolyline(line, approach) || 1;
    expect(waitsBehindLine(line, sign, anchor, w, h, share)).toBe(expected);
  });

  it.each([
    ['a 16:9 frame squeezed to 4:3 (x * 0.75)', 0.75, 1],
    ['a frame twice as tall (y * 0.5)', 1, 0.5],
  ] as [
    string,
    number,
    number,
  ][])('waitsBehindLine is the same after %s (normalised coordinates)', (_n, sx, sy) => {
    const sloped: Point[] = [
      [0.1, 0.55],
      [0.9, 0.7],
    ];
    const scale = (p: Point): Point => [p[0] * sx, p[1] * sy];
    const sign = sideOfPolyline(sloped, [0.5, 0.95]);
    const answers = new Set<boolean>();
    for (let i = 0; i <= 40; i++) {
      const anchor: Point = [0.2 + i * 0.015, 0.6 + i * 0.004];
      for (const h of [0.05, 0.1, 0.2, 0.4]) {
        const a = waitsBehindLine(sloped, sign, anchor, 0.1, h, 0.5);
        const b = waitsBehindLine(sloped.map(scale), sign, scale(anchor), 0.1 * sx, h * sy, 0.5);
        expect(b).toBe(a);
        answers.add(a);
      }
    }
    expect([...answers].sort()).toEqual([false, true]); // the sweep covers both answers
  });

  it.each([
    ['one point', [{ x: 0.5, y: 0.5 }], undefined],
    [
      'not moving',
      [
        { x: 0.5, y: 0.5 },
        { x: 0.5, y: 0.5 },
      ],
      undefined,
    ],
    [
      'moving right',
      [
        { x: 0.4, y: 0.5 },
        { x: 0.5, y: 0.5 },
      ],
      0,
    ],
    [
      'moving down',
      [
        { x: 0.5, y: 0.4 },
        { x: 0.5, y: 0.5 },
      ],
      90,
    ],
    [
      'moving up-left',
      [
        { x: 0.5, y: 0.5 },
        { x: 0.4, y: 0.4 },
      ],
      -135,
    ],
  ] as [string, { x: number; y: number }[], number | undefined][])('headingOf: %s', (_n, pts, expected) => {
    const path = pts.map((p, i) => ({ tsMs: i * 200, ...p }));
    const t = { path } as unknown as Track;
    expect(headingOf(t)).toBe(expected);
  });

  it.each([
    ['approach point off the line is fine', [0.5, 0.9], 0],
    ['approach point on the line is refused', [0.5, 0.6], 1],
  ] as [string, [number, number], number][])('checkRedLight: %s', (_n, approachPoint, issues) => {
    const out = checkRedLight(rule({ approachPoint }), [stopLine]);
    expect(out).toHaveLength(issues);
    if (issues) expect(out[0]!.field).toBe('approachPoint');
  });
});
