// Pure logic of the review page: timed boxes at a moment, signal at a moment, clip time to wall clock, routes,
// the verdict guard (repeat, transition, pending, decided) and the typed dd/mm/yyyy hh:mm dates.
import { describe, expect, it } from 'vitest';
import { localInputToMs, msToLocalInput } from '../../central/ui/public/filters.js';
import { ruleGeometry } from '../../central/ui/public/geometry.js';
import { parseRoute, routeHash } from '../../central/ui/public/router.js';
import { boxAt, clipWallMs, EDGE_HOLD_MS, signalAt } from '../../central/ui/public/timeline.js';
import { createVerdictGuard } from '../../central/ui/public/verdict-guard.js';

const B = (t: number, x: number): [number, number, number, number, number] => [t, x, 0.5, x + 0.1, 0.7];

describe('boxAt', () => {
  const track = [B(1000, 0.1), B(1200, 0.2), B(1400, 0.3), B(4000, 0.6)];
  it.each<[string, unknown, number, number[] | undefined]>([
    ['no boxes', [], 1000, undefined],
    ['not an array', 'boxes', 1000, undefined],
    [
      'malformed samples skipped',
      [
        [1000, 0.1, 0.5],
        ['x', 1, 1, 1, 1],
      ],
      1000,
      undefined,
    ],
    ['exactly on a sample', track, 1200, [0.2, 0.5, 0.3, 0.7]],
    ['between two samples: interpolated', track, 1100, [0.15, 0.5, 0.25, 0.7]],
    ['just before the first: held', track, 1000 - EDGE_HOLD_MS + 1, [0.1, 0.5, 0.2, 0.7]],
    ['well before the track', track, 500, undefined],
    ['well after the track', track, 5000, undefined],
    ['a gap in the track: nothing drawn in its middle', track, 2700, undefined],
    ['a gap: the last box held briefly', track, 1500, [0.3, 0.5, 0.4, 0.7]],
    ['one sample only', [B(1000, 0.4)], 1100, [0.4, 0.5, 0.5, 0.7]],
    ['NaN time', track, Number.NaN, undefined],
  ])('%s', (_name, boxes, t, expected) => {
    const got = boxAt(boxes, t);
    if (expected === undefined) expect(got).toBeUndefined();
    else for (const [i, v] of got!.entries()) expect(v).toBeCloseTo(expected[i]!, 9);
  });
});

describe('signalAt and clipWallMs', () => {
  const changes = [
    [1000, 'green'],
    [3000, 'red'],
  ];
  it.each<[number, string | undefined]>([
    [500, undefined],
    [1000, 'green'],
    [2999, 'green'],
    [3000, 'red'],
    [9000, 'red'],
  ])('signal at %i is %s', (t, expected) => expect(signalAt(changes, t)).toBe(expected));
  it.each<[string, number, number | undefined, number, number]>([
    ['tagged clip start', 2.5, 10_000, 99_999, 12_500],
    ['no tag: event start 5 s into the clip', 2.5, undefined, 20_000, 17_500],
    ['NaN tag treated as missing', 0, Number.NaN, 20_000, 15_000],
  ])('%s', (_n, cur, start, ev, expected) => expect(clipWallMs(cur, start, ev)).toBe(expected));
});

describe('routes', () => {
  it.each<[string, ReturnType<typeof parseRoute>]>([
    ['', { view: 'review' }],
    ['#/', { view: 'review' }],
    ['#/stats', { view: 'stats' }],
    ['#/cameras', { view: 'cameras' }],
    ['#/incident/evt_redlight_0001', { view: 'review', id: 'evt_redlight_0001' }],
    ['#evt_redlight_0001', { view: 'review', id: 'evt_redlight_0001' }],
    ['#/incident/../../etc', { view: 'review' }],
    ['#short', { view: 'review' }],
  ])('%s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
    expect(parseRoute(routeHash(route))).toEqual(route);
  });
});

describe('verdict guard', () => {
  const screen = { id: 'evt_a_000001', version: 3 };
  type Guard = ReturnType<typeof createVerdictGuard>;
  it.each<[string, (g: Guard) => ReturnType<Guard['check']>, string]>([
    ['nothing on screen', (g) => g.check({ timeStamp: 5000 }), 'nothing'],
    [
      'key repeat',
      (g) => {
        g.shown(screen, 0);
        return g.check({ repeat: true, timeStamp: 5000 });
      },
      'repeat',
    ],
    [
      'within the transition',
      (g) => {
        g.shown(screen, 1000);
        return g.check({ timeStamp: 1200 });
      },
      'transition',
    ],
    [
      'after the transition',
      (g) => {
        g.shown(screen, 1000);
        return g.check({ timeStamp: 2000 });
      },
      'ok',
    ],
    [
      'while a verdict is in flight',
      (g) => {
        g.shown(screen, 0);
        g.pending(true);
        return g.check({ timeStamp: 5000 });
      },
      'pending',
    ],
    [
      'once decided, until another incident is shown',
      (g) => {
        g.shown(screen, 0);
        g.pending(false, screen.id);
        return g.check({ timeStamp: 5000 });
      },
      'decided',
    ],
    [
      'a new version of the same incident keeps its transition and decided state',
      (g) => {
        g.shown(screen, 1000);
        g.shown({ ...screen, version: 4 }, 1500);
        return g.check({ timeStamp: 1700 });
      },
      'ok',
    ],
  ])('%s', (_n, run, expected) => {
    const out = run(createVerdictGuard(600));
    expect(out.ok ? 'ok' : out.why).toBe(expected);
  });
  it('names the id and version on screen at the moment of the key', () => {
    const g = createVerdictGuard(600);
    g.shown(screen, 0);
    g.shown({ ...screen, version: 9 }, 100);
    expect(g.check({ timeStamp: 5000 })).toEqual({ ok: true, target: { id: screen.id, version: 9 } });
  });
});

describe('typed dates (dd/mm/yyyy hh:mm, 24-hour)', () => {
  it.each<[string, number[] | undefined]>([
    ['', undefined],
    ['21/11/2026 08:05', [2026, 10, 21, 8, 5]],
    ['1/2/2026 23:59', [2026, 1, 1, 23, 59]],
    ['21/11/2026', [2026, 10, 21, 0, 0]],
    ['31/02/2026 10:00', undefined],
    ['21/11/2026 24:00', undefined],
    ['2026-11-21T08:05', [2026, 10, 21, 8, 5]],
    ['11/21/2026 8:05 PM', undefined],
    ['garbage', undefined],
  ])('%j', (typed, parts) => {
    const ms = localInputToMs(typed);
    if (!parts) expect(ms).toBeUndefined();
    else {
      expect(ms).toBe(new Date(parts[0]!, parts[1]!, parts[2], parts[3], parts[4]).getTime());
      expect(msToLocalInput(ms!)).toBe(
        `${String(parts[2]).padStart(2, '0')}/${String(parts[1]! + 1).padStart(2, '0')}/${parts[0]} ${String(parts[3]).padStart(2, '0')}:${String(parts[4]).padStart(2, '0')}`,
      );
    }
  });
});

describe('ruleGeometry', () => {
  const scene = {
    zones: [
      {
        id: 'road',
        polygon: [
          [0, 0.5],
          [1, 0.5],
          [1, 1],
          [0, 1],
        ],
      },
      {
        id: 'other',
        polygon: [
          [0, 0],
          [0.1, 0],
          [0.1, 0.1],
        ],
      },
      { id: 'broken', polygon: [[0, 'x']] },
    ],
    lines: [
      {
        id: 'stop',
        points: [
          [0, 0.6],
          [1, 0.6],
        ],
      },
    ],
    rules: [
      { id: 'ww', type: 'wrong_way', zone: 'road', allowedDirection: [0, -1] },
      { id: 'rl', type: 'red_light', line: 'stop', approachPoint: [0.5, 0.9], exemptZones: ['other'] },
    ],
  };
  it.each<[string, unknown, string, object, string[], string[], string[]]>([
    ['no scene', undefined, 'ww', {}, [], [], []],
    ['wrong way: its zone and the allowed direction', scene, 'ww', {}, ['road'], [], ['allowed']],
    [
      'red light: its line, exempt zones and the approach',
      scene,
      'rl',
      {},
      ['other'],
      ['stop'],
      ['approach'],
    ],
    ['unknown rule: what the event names', scene, 'nope', { zone: 'road' }, ['road'], [], []],
    ['malformed zone skipped', scene, 'nope', { zone: 'broken' }, [], [], []],
  ])('%s', (_n, sc, rule, ev, zones, lines, arrows) => {
    const g = ruleGeometry(sc, rule, ev);
    expect(g.zones.map((z) => z.id)).toEqual(zones);
    expect(g.lines.map((l) => l.id)).toEqual(lines);
    expect(g.arrows.map((a) => a.kind)).toEqual(arrows);
  });
});
