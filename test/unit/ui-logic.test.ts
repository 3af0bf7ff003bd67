// Pure logic of the review page (filters, overlay geometry, keyboard map, dictionary), as the browser runs it.
import { describe, expect, it } from 'vitest';
import {
  emptyFilters,
  type Filters,
  filtersToQuery,
  matchesFilters,
  upsertNewestFirst,
} from '../../central/ui/public/filters.js';
import { boxRect, containRect, pathPoints, zoomOrigin } from '../../central/ui/public/geometry.js';
import { DICTIONARY, translate } from '../../central/ui/public/i18n.js';
import { keyAction } from '../../central/ui/public/keyboard.js';

const f = (o: Partial<Filters>): Filters => ({ ...emptyFilters(), status: '', ...o });
const inc = (id: string, firstTs: number, o: Record<string, string> = {}) => ({
  id,
  firstTs,
  camera: 'cam-01',
  ruleType: 'red_light',
  status: 'open',
  ...o,
});

describe('containRect (object-fit: contain)', () => {
  it.each([
    ['same aspect fills the box', [640, 360, 1920, 1080], { x: 0, y: 0, w: 640, h: 360 }],
    ['wider box: pillarbox bars left and right', [800, 360, 1920, 1080], { x: 80, y: 0, w: 640, h: 360 }],
    ['taller box: letterbox bars top and bottom', [640, 480, 1920, 1080], { x: 0, y: 60, w: 640, h: 360 }],
    ['portrait frame in a landscape box', [400, 200, 100, 200], { x: 150, y: 0, w: 100, h: 200 }],
    ['frame size unknown yet: whole box', [640, 360, 0, 0], { x: 0, y: 0, w: 640, h: 360 }],
    ['box not laid out: nothing', [0, 0, 1920, 1080], { x: 0, y: 0, w: 0, h: 0 }],
  ])('%s', (_name, [bw, bh, fw, fh], expected) => {
    expect(containRect(bw!, bh!, fw!, fh!)).toEqual(expected);
  });
});

describe('boxRect', () => {
  it.each([
    ['ordered corners', [0.1, 0.5, 0.3, 0.8], { x: 0.1, y: 0.5, width: 0.2, height: 0.3 }],
    ['swapped corners', [0.3, 0.8, 0.1, 0.5], { x: 0.1, y: 0.5, width: 0.2, height: 0.3 }],
    ['clamped to the frame', [-0.2, 0.9, 0.4, 1.3], { x: 0, y: 0.9, width: 0.4, height: 0.1 }],
    ['degenerate point box', [0.5, 0.5, 0.5, 0.5], { x: 0.5, y: 0.5, width: 0, height: 0 }],
    ['too few numbers', [0.1, 0.2, 0.3], undefined],
    ['not numbers', ['a', 0, 1, 1], undefined],
    ['NaN', [Number.NaN, 0, 1, 1], undefined],
    ['missing', undefined, undefined],
  ])('%s', (_name, box, expected) => {
    const r = boxRect(box);
    if (expected === undefined) expect(r).toBeUndefined();
    else {
      expect(r!.x).toBeCloseTo(expected.x, 9);
      expect(r!.y).toBeCloseTo(expected.y, 9);
      expect(r!.width).toBeCloseTo(expected.width, 9);
      expect(r!.height).toBeCloseTo(expected.height, 9);
    }
  });
});

describe('pathPoints', () => {
  it.each([
    [
      'two points',
      [
        [0.2, 0.8],
        [0.21, 0.79],
      ],
      '0.2,0.8 0.21,0.79',
    ],
    ['rounded to 4 decimals', [[0.123456, 0.5]], '0.1235,0.5'],
    ['bad points skipped, out of frame clamped', [[0.1, 0.1], [1], 'x', [2, -1]], '0.1,0.1 1,0'],
    ['empty', [], ''],
    ['not an array', { x: 1 }, ''],
  ])('%s', (_name, path, expected) => {
    expect(pathPoints(path)).toBe(expected);
  });
});

describe('zoomOrigin', () => {
  it.each([
    ['box centre in a filled player', [0.2, 0.4, 0.4, 0.6], [640, 360, 1920, 1080], { xPct: 30, yPct: 50 }],
    ['pillarboxed picture shifts x', [0, 0, 1, 1], [800, 360, 1920, 1080], { xPct: 50, yPct: 50 }],
    ['pillarboxed, box at the left edge', [0, 0.5, 0, 0.5], [800, 360, 1920, 1080], { xPct: 10, yPct: 50 }],
    ['no box: centre', undefined, [640, 360, 1920, 1080], { xPct: 50, yPct: 50 }],
    ['player not laid out: centre', [0.1, 0.1, 0.2, 0.2], [0, 0, 1920, 1080], { xPct: 50, yPct: 50 }],
  ])('%s', (_name, box, [pw, ph, fw, fh], expected) => {
    const o = zoomOrigin(box, pw!, ph!, fw!, fh!);
    expect(o.xPct).toBeCloseTo(expected.xPct, 6);
    expect(o.yPct).toBeCloseTo(expected.yPct, 6);
  });
});

describe('filtersToQuery', () => {
  const from = '2026-11-21T08:00';
  it.each([
    ['defaults ask for open incidents', emptyFilters(), {}, 'status=open'],
    ['no filters at all', f({}), {}, ''],
    ['camera and rule', f({ camera: 'cam-02', rule: 'speeding' }), {}, 'camera=cam-02&rule=speeding'],
    ['paging', f({}), { limit: 50, offset: 100 }, 'limit=50&offset=100'],
    [
      'count of one status overrides the filter',
      f({ status: 'open' }),
      { status: 'rejected', limit: 1 },
      'status=rejected&limit=1',
    ],
    ['count ignoring status', f({ status: 'open' }), { status: null }, ''],
    ['time range as epoch ms', f({ from }), {}, `from=${new Date(from).getTime()}`],
    ['invalid time ignored', f({ to: 'garbage' }), {}, ''],
  ])('%s', (_name, filters, extra, expected) => {
    expect(filtersToQuery(filters, extra)).toBe(expected);
  });
});

describe('matchesFilters', () => {
  const ts = new Date('2026-11-21T08:30').getTime();
  it.each([
    ['no filters', f({}), true],
    ['same camera', f({ camera: 'cam-01' }), true],
    ['other camera', f({ camera: 'cam-02' }), false],
    ['other rule', f({ rule: 'speeding' }), false],
    ['other status', f({ status: 'confirmed' }), false],
    ['inside the range', f({ from: '2026-11-21T08:00', to: '2026-11-21T09:00' }), true],
    ['before from', f({ from: '2026-11-21T09:00' }), false],
    ['to is exclusive', f({ to: '2026-11-21T08:30' }), false],
  ])('%s', (_name, filters, expected) => {
    expect(matchesFilters(inc('a', ts), filters)).toBe(expected);
  });
});

describe('upsertNewestFirst', () => {
  const list = [inc('c', 300), inc('b', 200), inc('a', 100)];
  it.each([
    ['newest goes first', inc('d', 400), ['d', 'c', 'b', 'a']],
    ['oldest goes last', inc('z', 50), ['c', 'b', 'a', 'z']],
    ['in the middle', inc('m', 150), ['c', 'b', 'm', 'a']],
    ['same time: ordered by id like the API', inc('bb', 200), ['c', 'b', 'bb', 'a']],
    ['same time, smaller id first', inc('aa', 200), ['c', 'aa', 'b', 'a']],
    ['existing id replaced, not duplicated', inc('b', 200, { status: 'confirmed' }), ['c', 'b', 'a']],
  ])('%s', (_name, item, expected) => {
    const out = upsertNewestFirst(list, item);
    expect(out.map((x) => x.id)).toEqual(expected);
    expect(out.find((x) => x.id === item.id)).toBe(item);
    expect(list.map((x) => x.id)).toEqual(['c', 'b', 'a']); // input untouched
  });
  it('into an empty list', () => {
    expect(upsertNewestFirst([], inc('a', 1)).map((x) => x.id)).toEqual(['a']);
  });
});

describe('keyAction', () => {
  it.each([
    ['j', {}, '', 'next'],
    ['J (caps lock)', { key: 'J' }, 'BODY', 'next'],
    ['k', {}, 'BODY', 'previous'],
    ['c', {}, 'BUTTON', 'confirm'],
    ['r', {}, 'DIV', 'reject'],
    ['n', {}, 'BODY', 'note'],
    ['space', { key: ' ' }, 'BODY', 'play'],
    ['z', {}, 'BODY', 'zoom'],
    ['Ctrl+R is the browser reload', { key: 'r', ctrlKey: true }, 'BODY', undefined],
    ['Cmd+C is copy', { key: 'c', metaKey: true }, 'BODY', undefined],
    ['c typed in the note', { key: 'c' }, 'TEXTAREA', undefined],
    ['j typed in a filter', { key: 'j' }, 'input', undefined],
    ['Escape leaves the note', { key: 'Escape' }, 'TEXTAREA', 'blur'],
    ['unmapped key', { key: 'x' }, 'BODY', undefined],
    ['named key', { key: 'ArrowDown' }, 'BODY', undefined],
  ])('%s', (name, e, tag, expected) => {
    const key = (e as { key?: string }).key ?? name[0]!;
    expect(keyAction({ ...e, key }, tag)).toBe(expected);
  });
});

describe('dictionary', () => {
  it('has the same keys in Vietnamese and English, none empty', () => {
    const vi = Object.keys(DICTIONARY.vi).sort();
    expect(Object.keys(DICTIONARY.en).sort()).toEqual(vi);
    for (const lang of ['vi', 'en'] as const)
      for (const k of vi) expect(DICTIONARY[lang][k]!.trim().length, `${lang} ${k}`).toBeGreaterThan(0);
  });
  it('names every rule type of the wire contract in both languages', async () => {
    const { RULE_TYPES } = await import('../../contract/index.ts');
    for (const r of RULE_TYPES) {
      expect(DICTIONARY.vi[`rule.${r}`], r).toBeDefined();
      expect(DICTIONARY.en[`rule.${r}`], r).toBeDefined();
    }
  });
  it.each([
    ['vi', 'rule.red_light', {}, 'Vượt đèn đỏ'],
    ['en', 'rule.red_light', {}, 'Red light'],
    ['en', 'unit.kmh', { v: 62 }, '62 km/h'],
    ['vi', 'queue.shown', { shown: 3 }, '3/{total}'],
    ['en', 'no.such.key', {}, 'no.such.key'],
  ] as const)('%s %s', (lang, key, params, expected) => {
    expect(translate(lang, key, params)).toBe(expected);
  });
});
