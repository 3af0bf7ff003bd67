import { describe, expect, it } from 'vitest';
import { RulesEngine, type Transition } from '../../edge/rules/engine.ts';
import type { ZoneDwellRuleConfig } from '../../edge/rules/rule-schema.ts';
import { ZoneDwellRule } from '../../edge/rules/zone-dwell.ts';
import type { Track } from '../../edge/track/track.ts';

const zone = {
  id: 'z',
  polygon: [
    [0, 0.5],
    [1, 0.5],
    [1, 1],
    [0, 1],
  ] as [number, number][],
};
const T0 = Date.parse('2026-11-23T03:00:00Z'); // 10:00 in Ho Chi Minh City

function rule(over: Partial<ZoneDwellRuleConfig> = {}): ZoneDwellRuleConfig {
  return {
    type: 'zone_dwell',
    id: 'dwell',
    zone: 'z',
    dwellS: 2,
    cooldownS: 30,
    minConfidence: 0.3,
    minBoxArea: 0,
    ...over,
  };
}

function track(id: number, inside: boolean, over: Partial<Track> = {}): Track {
  const y2 = inside ? 0.8 : 0.3;
  return {
    id,
    classId: 2,
    label: 'car',
    score: 0.8,
    boxXyxyNorm: [0.4, y2 - 0.1, 0.5, y2],
    confirmed: true,
    hits: 10,
    firstSeenTs: T0,
    lastSeenTs: T0,
    path: [],
    ...over,
  };
}

/** Runs frames at 5 fps; frames[i] is the list of tracks seen in frame i. */
function run(cfg: ZoneDwellRuleConfig, frames: Track[][], opts = {}): Transition[] {
  let n = 0;
  const engine = new RulesEngine([{ rule: new ZoneDwellRule(cfg, zone), cfg }], {
    newId: () => `evt-${++n}-xxxxxxxx`,
    ...opts,
  });
  return frames.flatMap((tracks, i) => engine.step(tracks, T0 + i * 200));
}
const repeat = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
const phases = (ts: Transition[]) => ts.map((t) => `${t.phase}:${t.eventId.split('-')[1]}:${t.seq}`);

describe('zone dwell through the rules engine', () => {
  it.each([
    ['empty frames fire nothing', repeat(50, () => []), []],
    ['outside the zone fires nothing', repeat(50, () => [track(1, false)]), []],
    ['1.8 s inside is below dwell', repeat(10, () => [track(1, true)]), []],
    [
      'dwell reached then leaves: start, end after grace',
      [...repeat(12, () => [track(1, true)]), ...repeat(15, () => [track(1, false)])],
      ['start:1:0', 'end:1:1'],
    ],
    ['unconfirmed tracks never fire', repeat(50, () => [track(1, true, { confirmed: false })]), []],
    [
      'class filter excludes persons',
      repeat(50, () => [track(1, true, { label: 'person', classId: 0 })]),
      [],
    ],
    ['low confidence excluded', repeat(50, () => [track(1, true, { score: 0.1 })]), []],
    [
      'a one-frame dropout inside the grace keeps one event',
      [
        ...repeat(12, () => [track(1, true)]),
        [],
        ...repeat(5, () => [track(1, true)]),
        ...repeat(15, () => []),
      ],
      ['start:1:0', 'end:1:1'],
    ],
    [
      'two tracks give two events',
      repeat(15, () => [track(1, true), track(2, true, { boxXyxyNorm: [0.1, 0.7, 0.2, 0.8] })]),
      ['start:1:0', 'start:2:0'],
    ],
  ] as [string, Track[][], string[]][])('%s', (_n, frames, expected) => {
    expect(phases(run(rule({ classes: ['car'] }), frames))).toEqual(expected);
  });

  it('a car parked for an hour fires once, with periodic updates of the same event', () => {
    const frames = repeat(3600 * 5, () => [track(7, true)]); // one hour at 5 fps
    const out = run(rule(), frames, { updateIntervalMs: 600_000 });
    expect(out.filter((t) => t.phase === 'start')).toHaveLength(1);
    const ids = new Set(out.map((t) => t.eventId));
    expect(ids.size).toBe(1);
    const updates = out.filter((t) => t.phase === 'update');
    expect(updates.length).toBe(5); // every 10 min within the hour, after the 2 s dwell
    expect(updates.map((u) => u.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(updates.at(-1)!.hit.details!.dwellS).toBeGreaterThan(3000);
  });

  it('cooldown: the same track re-entering soon does not fire again; after the cooldown it does', () => {
    const inOut = (n: number) => [
      ...repeat(15, () => [track(1, true)]),
      ...repeat(n, () => [track(1, false)]),
    ];
    const soon = run(rule({ cooldownS: 30 }), [...inOut(20), ...inOut(20)]);
    expect(soon.filter((t) => t.phase === 'start')).toHaveLength(1);
    const later = run(rule({ cooldownS: 5 }), [...inOut(40), ...inOut(20)]);
    expect(later.filter((t) => t.phase === 'start')).toHaveLength(2);
  });

  it('schedule: outside its window the rule stays silent, and an active event ends when the window closes', () => {
    // T0 is 10:00 local; a window 10:00-10:01 covers the first 300 frames at 5 fps.
    const out = run(
      rule({ schedule: [{ start: '10:00', end: '10:01' }] }),
      repeat(400, () => [track(1, true)]),
    );
    expect(phases(out)).toEqual(['start:1:0', 'update:1:1', 'end:1:2']); // one update at the 30 s interval
    expect(out[2]!.tsMs).toBe(T0 + 60_000);
    const closed = run(
      rule({ schedule: [{ start: '11:00', end: '12:00' }] }),
      repeat(100, () => [track(1, true)]),
    );
    expect(closed).toEqual([]);
  });

  it('carries dwell seconds and the zone in the hit', () => {
    const out = run(
      rule(),
      repeat(15, () => [track(1, true)]),
    );
    expect(out[0]!.hit.zone).toBe('z');
    expect(out[0]!.hit.details!.dwellS).toBeGreaterThanOrEqual(2);
    expect(out[0]!.startTs).toBe(T0 + 10 * 200);
  });
});

describe('best frame', () => {
  it('an end carries the most confident observation; a shutdown flush does not', () => {
    let n = 0;
    const cfg = rule();
    const engine = new RulesEngine([{ rule: new ZoneDwellRule(cfg, zone), cfg }], {
      newId: () => `evt-${++n}-xxxxxxxx`,
    });
    const scores = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.6, 0.9, 0.7, 0.6];
    const out = scores.flatMap((score, i) => engine.step([track(1, true, { score })], T0 + i * 200));
    out.push(...engine.step([], T0 + 20_000));
    const end = out.find((t) => t.phase === 'end')!;
    expect(end.best?.tsMs).toBe(T0 + 11 * 200);
    expect(end.best?.hit.confidence).toBe(0.9);

    const again = new RulesEngine([{ rule: new ZoneDwellRule(cfg, zone), cfg }], {
      newId: () => 'evt-flush-xxxxxxxx',
    });
    for (let i = 0; i < 15; i++) again.step([track(2, true)], T0 + i * 200);
    const flushed = again.flush(T0 + 5000);
    expect(flushed).toHaveLength(1);
    expect(flushed[0]!.best).toBeUndefined();
  });
});
