// Table tests of event identity in the rules engine: a subject's hit that comes back after its event ended starts
// an event that states `continues` (the chain's first id); instant rules never do; the wire event carries it.
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../contract/index.ts';
import { buildEvent } from '../../edge/events/event-builder.ts';
import { type EngineOptions, RulesEngine, type Transition } from '../../edge/rules/engine.ts';
import type { Rule, RuleHit, RuleInput } from '../../edge/rules/rule.ts';
import type { RuleConfig } from '../../edge/rules/rule-schema.ts';
import type { Track } from '../../edge/track/track.ts';

const T0 = Date.parse('2026-11-23T03:00:00Z');
const FRAME_MS = 200;

/** A rule that reports a hit for track 7 on the frames a script says (true = hit this frame). */
class ScriptedRule implements Rule {
  readonly id = 'scripted';
  constructor(
    readonly type: Rule['type'],
    private readonly hitOn: (frame: number) => boolean,
    private readonly instant = false,
  ) {}
  evaluate(input: RuleInput): RuleHit[] {
    const frame = Math.round((input.tsMs - T0) / FRAME_MS);
    if (!this.hitOn(frame) || input.tracks.length === 0) return [];
    const t = input.tracks[0]!;
    return [
      {
        key: `t${t.id}`,
        trackId: t.id,
        label: t.label,
        confidence: 0.8,
        boxXyxyNorm: t.boxXyxyNorm,
        ...(this.instant ? { instant: true } : {}),
      },
    ];
  }
}

const car: Track = {
  id: 7,
  classId: 2,
  label: 'car',
  score: 0.9,
  boxXyxyNorm: [0.4, 0.6, 0.5, 0.7],
  confirmed: true,
  hits: 10,
  firstSeenTs: T0,
  lastSeenTs: T0,
  path: [],
};

const cfg = (cooldownS: number) =>
  ({
    type: 'zone_dwell',
    id: 'scripted',
    zone: 'z',
    dwellS: 0,
    cooldownS,
    minConfidence: 0.3,
    minBoxArea: 0,
  }) as RuleConfig;

/** Frames 0..n-1 at 5 fps; `on` lists [from, to) frame ranges with a hit. */
function run(
  ranges: [number, number][],
  o: { cooldownS?: number; instant?: boolean; frames?: number; engine?: Partial<EngineOptions> } = {},
): Transition[] {
  const hitOn = (f: number) => ranges.some(([a, b]) => f >= a && f < b);
  const rule = new ScriptedRule(o.instant ? 'red_light' : 'illegal_stop', hitOn, o.instant);
  let n = 0;
  const engine = new RulesEngine([{ rule, cfg: cfg(o.cooldownS ?? 30) }], {
    newId: () => `evt-${++n}-continuation`,
    ...o.engine,
  });
  const frames = o.frames ?? Math.max(...ranges.map(([, b]) => b)) + 30;
  return Array.from({ length: frames }, (_, i) => engine.step([car], T0 + i * FRAME_MS)).flat();
}
const starts = (ts: Transition[]) =>
  ts
    .filter((t) => t.phase === 'start')
    .map((t) => `${t.eventId.split('-')[1]}<${t.continues?.split('-')[1] ?? '-'}`);

// 5 fps: 10 frames = 2 s (the end grace), 150 frames = 30 s (the default cooldown), 300 frames = 60 s (the window).
describe('RulesEngine: continuation of a subject whose event ended', () => {
  it.each([
    ['no hits', [], {}, []],
    ['one lasting hit: one event', [[0, 100]], {}, ['1<-']],
    [
      'a gap within the end grace (1.6 s) keeps the event',
      [
        [0, 50],
        [58, 100],
      ],
      {},
      ['1<-'],
    ],
    [
      'back 5 s after the end with cooldown 0: a new event continuing the first',
      [
        [0, 50],
        [75, 100],
      ],
      { cooldownS: 0 },
      ['1<-', '2<1'],
    ],
    [
      'back during the 30 s cooldown: silent until it expires, then a continuation',
      [
        [0, 50],
        [75, 400],
      ],
      {},
      ['1<-', '2<1'],
    ],
    [
      'three stints: every continuation names the first event, not the previous one',
      [
        [0, 20],
        [40, 60],
        [80, 100],
      ],
      { cooldownS: 0 },
      ['1<-', '2<1', '3<1'],
    ],
    [
      'back after the 60 s window: a new violation, no continuation',
      [
        [0, 20],
        [330, 360],
      ],
      { cooldownS: 0 },
      ['1<-', '2<-'],
    ],
    [
      'back just inside the window (59.8 s after the last hit)',
      [
        [0, 20],
        [318, 340],
      ],
      { cooldownS: 0 },
      ['1<-', '2<1'],
    ],
    [
      'window 0: never a continuation',
      [
        [0, 20],
        [40, 60],
      ],
      { cooldownS: 0, engine: { continueWindowMs: 0 } },
      ['1<-', '2<-'],
    ],
    [
      'an instant rule (a crossing) is one event per firing, never continued',
      [
        [0, 1],
        [40, 41],
        [80, 81],
      ],
      { cooldownS: 0, instant: true },
      ['1<-', '2<-', '3<-'],
    ],
  ] as [
    string,
    [number, number][],
    Parameters<typeof run>[1],
    string[],
  ][])('%s', (_, ranges, o, expected) => {
    expect(starts(run(ranges, o))).toEqual(expected);
  });

  it('every message of a continuing event carries continues, and the wire event validates', () => {
    const out = run(
      [
        [0, 20],
        [40, 60],
      ],
      { cooldownS: 0, engine: { updateIntervalMs: 1000 } },
    );
    const second = out.filter((t) => t.eventId === 'evt-2-continuation');
    expect(second.map((t) => t.phase)).toEqual(['start', 'update', 'update', 'update', 'end']);
    for (const t of second) {
      expect(t.continues).toBe('evt-1-continuation');
      const e = buildEvent('hcmc-d1', 'cam-01', t);
      expect(e.continues).toBe('evt-1-continuation');
      expect(validateEvent(e).ok).toBe(true);
    }
    const first = out.filter((t) => t.eventId === 'evt-1-continuation');
    for (const t of first) {
      expect(t.continues).toBeUndefined();
      expect('continues' in buildEvent('hcmc-d1', 'cam-01', t)).toBe(false);
    }
  });

  it('another subject (another track) of the same rule is not a continuation', () => {
    let n = 0;
    const rule = new ScriptedRule('illegal_stop', () => true);
    const engine = new RulesEngine([{ rule, cfg: cfg(0) }], { newId: () => `evt-${++n}-continuation` });
    const out: Transition[] = [];
    for (let i = 0; i < 20; i++) out.push(...engine.step([car], T0 + i * FRAME_MS));
    for (let i = 20; i < 60; i++) out.push(...engine.step([{ ...car, id: 8 }], T0 + i * FRAME_MS));
    expect(starts(out)).toEqual(['1<-', '2<-']);
  });
});
