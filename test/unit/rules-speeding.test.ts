import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.ts';
import { parseConfig } from '../../config/load.ts';
import { checkEdgeConfig, EdgeConfigSchema } from '../../edge/config/schema.ts';
import { applyHomography, type Point2, solveHomography } from '../../edge/rules/homography.ts';
import { SpeedingRule, type SpeedingRuleConfig } from '../../edge/rules/speeding.ts';
import { repeatFrames, runRule, type SimFrame, starts } from '../helpers/rule-sim.ts';

// Image rectangle x 0.2..0.8, y 0..1 maps to a 12 m x 200 m stretch of road: 0.01 of frame height = 2 m.
const IMG: Point2[] = [
  [0.2, 0],
  [0.8, 0],
  [0.8, 1],
  [0.2, 1],
];
const GROUND: Point2[] = [
  [0, 0],
  [12, 0],
  [12, 200],
  [0, 200],
];
const lines = {
  first: {
    id: 'l1',
    points: [
      [0, 0.5],
      [1, 0.5],
    ] as [number, number][],
  },
  second: {
    id: 'l2',
    points: [
      [0, 0.7],
      [1, 0.7],
    ] as [number, number][],
  },
};

function cfg(over: Partial<SpeedingRuleConfig> = {}): SpeedingRuleConfig {
  return {
    type: 'speeding',
    id: 'speed',
    limitKmh: 50,
    toleranceKmh: 5,
    minKmh: 0,
    maxKmh: 250,
    minTrackS: 1.5,
    stepS: 0.4,
    homography: { imagePointsNorm: IMG as [number, number][], groundPointsM: GROUND as [number, number][] },
    cooldownS: 30,
    minConfidence: 0.3,
    minBoxArea: 0,
    ...over,
  };
}

const run = (frames: Iterable<SimFrame>, over: Partial<SpeedingRuleConfig> = {}) => {
  const c = cfg(over);
  return runRule(new SpeedingRule(c, c.lines ? lines : undefined), c, frames);
};
/** Normalised y per 200 ms frame for a speed, with 1.0 of frame height = 200 m. */
const dyPerFrame = (kmh: number) => ((kmh / 3.6) * 0.2) / 200;
/** A vehicle driving down the frame at kmh from y0, for n frames. */
const drive = (kmh: number, n: number, y0 = 0.05, extra: Partial<SimFrame['objs'][0]> = {}) =>
  repeatFrames(n, (i) => ({ objs: [{ id: 1, x: 0.5, y: y0 + i * dyPerFrame(kmh), ...extra }] }));

describe('speeding (homography) through the rules engine', () => {
  it.each<[string, Iterable<SimFrame>, number | undefined]>([
    ['empty frames', repeatFrames(100, () => ({ objs: [] })), undefined],
    ['70 km/h over a 50 limit fires once with 70', drive(70, 40), 70],
    ['54 km/h is within limit + tolerance', drive(54, 40), undefined],
    ['90 km/h but only 1 s of track (minTrackS 1.5)', drive(90, 5), undefined],
    ['90 km/h for 2 s fires', drive(90, 11), 90],
    ['an unconfirmed track never fires', drive(90, 40, 0.05, { confirmed: false }), undefined],
    ['400 km/h is absurd (> maxKmh): discarded, not fired', drive(400, 12, 0.02), undefined],
    [
      // 45 km/h with one frame 60 m off (an id switch and back): the 2 steps touching it read ~585 km/h, so the
      // mean of the 38 steps would be ~59 km/h and fire; the median stays 45.
      '45 km/h with one absurd step does not fire: the median holds, the mean would not',
      repeatFrames(40, (i) => ({
        objs: [{ id: 1, x: 0.5, y: 0.05 + i * dyPerFrame(45) + (i === 20 ? 0.3 : 0) }],
      })),
      undefined,
    ],
  ])('%s', (_name, frames, kmh) => {
    const s = starts(run(frames));
    if (kmh === undefined) expect(s).toEqual([]);
    else {
      expect(s.length).toBe(1);
      expect(s[0]!.hit.details?.speedKmh).toBe(kmh);
      expect(s[0]!.hit.trackId).toBe(1);
    }
  });

  it('a speeder fires once per track however long it stays (instant: start then end)', () => {
    const ts = run(drive(80, 120, 0.01));
    expect(ts.map((t) => t.phase)).toEqual(['start', 'end']);
  });

  it('minKmh discards implausibly slow measurements (a limit of 0 with minKmh 5)', () => {
    expect(starts(run(drive(3, 40), { limitKmh: 0.1, toleranceKmh: 0, minKmh: 5 }))).toEqual([]);
    expect(starts(run(drive(8, 40), { limitKmh: 0.1, toleranceKmh: 0, minKmh: 5 })).length).toBe(1);
  });
});

describe('speeding (two lines)', () => {
  const over = { homography: undefined, lines: { first: 'l1', second: 'l2', distanceM: 20 } };
  // 20 m between y 0.5 and 0.7: crossing the 0.2 in 1 s is 72 km/h; start off-grid to exercise interpolation.
  const byLines = (dyPerFrameNorm: number, y0: number, n = 40, dir = 1) =>
    repeatFrames(n, (i) => ({ objs: [{ id: 1, x: 0.5, y: y0 + dir * i * dyPerFrameNorm }] }));
  it.each<[string, Iterable<SimFrame>, number | undefined]>([
    ['0.2 in 1 s = 72 km/h', byLines(0.04, 0.413), 72],
    ['0.2 in 2 s = 36 km/h is under the limit', byLines(0.02, 0.413), undefined],
    ['the other direction (second line first) is timed too', byLines(0.04, 0.887, 40, -1), 72],
    ['only one line crossed: no measurement', byLines(0.01, 0.413, 20), undefined],
    ['both lines in one step: absurd, discarded', byLines(0.3, 0.45, 3), undefined],
  ])('%s', (_name, frames, kmh) => {
    const s = starts(run(frames, over));
    if (kmh === undefined) expect(s).toEqual([]);
    else {
      expect(s.length).toBe(1);
      expect(s[0]!.hit.details?.speedKmh).toBe(kmh);
    }
  });
});

describe('homography (4-point DLT)', () => {
  // A real perspective: a road trapezoid in the image, a rectangle on the ground.
  const img: Point2[] = [
    [0.45, 0.4],
    [0.55, 0.4],
    [0.9, 0.95],
    [0.1, 0.95],
  ];
  const ground: Point2[] = [
    [0, 60],
    [7, 60],
    [7, 0],
    [0, 0],
  ];
  it('maps its 4 points exactly and is projective (parallel lines converge)', () => {
    const h = solveHomography(img, ground);
    for (let i = 0; i < 4; i++) {
      const g = applyHomography(h, img[i]![0], img[i]![1])!;
      expect(g[0]).toBeCloseTo(ground[i]![0], 9);
      expect(g[1]).toBeCloseTo(ground[i]![1], 9);
    }
    // The inverse solve maps ground back to image: a round trip of an interior point is the identity.
    const inv = solveHomography(ground, img);
    const g = applyHomography(h, 0.5, 0.7)!;
    const back = applyHomography(inv, g[0], g[1])!;
    expect(back[0]).toBeCloseTo(0.5, 9);
    expect(back[1]).toBeCloseTo(0.7, 9);
    // Centre line of the lane: image x = 0.5 for every y maps to ground x = 3.5 (symmetry), y strictly monotonic.
    const ys = [0.45, 0.6, 0.8].map((y) => applyHomography(h, 0.5, y)!);
    for (const p of ys) expect(p[0]).toBeCloseTo(3.5, 9);
    expect(ys[0]![1]).toBeGreaterThan(ys[1]![1]);
  });

  it('solves a known projective matrix back from 4 of its points', () => {
    const known = [1.2, 0.3, -0.1, 0.05, 0.9, 0.2, 0.4, -0.3, 1];
    const src: Point2[] = [
      [0.1, 0.1],
      [0.9, 0.2],
      [0.8, 0.9],
      [0.2, 0.7],
    ];
    const dst = src.map((p) => applyHomography(known, p[0], p[1])!);
    const h = solveHomography(src, dst);
    for (const [i, v] of h.entries()) expect(v).toBeCloseTo(known[i]!, 9);
  });

  it.each<[string, Point2[], RegExp]>([
    [
      '3 collinear points',
      [
        [0, 0],
        [0.5, 0.5],
        [1, 1],
        [0, 1],
      ],
      /points 0, 1 and 2 are collinear/,
    ],
    [
      'a repeated point',
      [
        [0, 0],
        [0, 0],
        [1, 1],
        [0, 1],
      ],
      /collinear or repeated/,
    ],
    [
      '3 points',
      [
        [0, 0],
        [1, 0],
        [1, 1],
      ],
      /exactly 4 points/,
    ],
  ])('refuses %s', (_name, src, msg) => {
    expect(() => solveHomography(src, GROUND)).toThrow(msg);
  });
});

describe('speeding config errors at load', () => {
  const yaml = (rule: string) => `
site: s1
cameras:
  - id: cam-1
    source: { url: media:us_street_intersection_360p.mp4 }
    lines:
      - { id: a, points: [[0, 0.5], [1, 0.5]] }
      - { id: b, points: [[0, 0.7], [1, 0.7]] }
    rules:
${rule}
`;
  const issues = (text: string) => {
    try {
      parseConfig(text, 'edge.yaml', EdgeConfigSchema, { check: checkEdgeConfig, env: {} });
    } catch (err) {
      if (err instanceof ConfigError) return err.issues;
      throw err;
    }
    return [];
  };
  it.each<[string, string, RegExp | undefined]>([
    [
      'collinear image points name the field',
      `      - { id: s, type: speeding, limitKmh: 50, homography: { imagePointsNorm: [[0.1, 0.1], [0.5, 0.5], [0.9, 0.9], [0.1, 0.9]], groundPointsM: [[0, 0], [7, 0], [7, 30], [0, 30]] } }`,
      /cameras\[0\]\.rules\[0\]\.homography.*imagePointsNorm points 0, 1 and 2 are collinear/s,
    ],
    [
      'a missing line id',
      `      - { id: s, type: speeding, limitKmh: 50, lines: { first: a, second: zz, distanceM: 20 } }`,
      /lines\.second.*no line/s,
    ],
    [
      'neither calibration',
      `      - { id: s, type: speeding, limitKmh: 50 }`,
      /exactly one of homography or lines/,
    ],
    [
      'a valid two-line rule',
      `      - { id: s, type: speeding, limitKmh: 50, lines: { first: a, second: b, distanceM: 20 } }`,
      undefined,
    ],
  ])('%s', (_name, rule, re) => {
    const found = issues(yaml(rule));
    if (!re) expect(found).toEqual([]);
    else expect(found.map((i) => `${i.path} ${i.reason}`).join('\n')).toMatch(re);
  });
});
