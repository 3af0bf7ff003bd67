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
    exemptZones: [],
    graceS: 0,
    cooldownS: 30,
    minConfidence: 0.3,
    minBoxArea: 0,
    ...over,
  };
}

/** One frame of a track: its anchor, whether confirmed, its id. */
interface Pos {
  id?: number;
  x?: number;
  y: number;
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
    const tracks: Track[] = positions.map(({ id = 1, x = 0.5, y, confirmed = true }) => {
      const path = paths.get(id) ?? [];
      path.push({ tsMs, x, y });
      paths.set(id, path);
      return {
        id,
        classId: 2,
        label: 'car',
        score: 0.8,
        boxXyxyNorm: [x - 0.05, y - 0.15, x + 0.05, y],
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
