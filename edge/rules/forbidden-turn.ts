// Forbidden turn / U-turn: one track seen in an entry zone and later in an exit zone, in that order, within maxTransitS.
import { type Static, Type } from '@sinclair/typebox';
import { anchorOf } from '../track/track.ts';
import { pointInPolygon } from './geometry.ts';
import type { ZoneConfig } from './geometry-schema.ts';
import type { Rule, RuleHit, RuleInput } from './rule.ts';
import { ruleBase } from './rule-base.ts';

export const ForbiddenTurnRuleSchema = Type.Object(
  {
    type: Type.Literal('forbidden_turn'),
    ...ruleBase,
    entryZone: Type.String({
      description:
        'id of the zone a turning vehicle comes from (e.g. the approach lanes before the junction). It must not ' +
        'overlap exitZone: an anchor inside both counts as in the entry only.',
    }),
    exitZone: Type.String({
      description:
        'id of the zone the forbidden manoeuvre ends in (e.g. the cross street the turn leads into). For a ' +
        'U-turn draw the entry on the lanes of one direction and the exit on the lanes of the opposite direction ' +
        'of the same road, just past the turning point.',
    }),
    maxTransitS: Type.Number({
      exclusiveMinimum: 0,
      maximum: 600,
      default: 20,
      description:
        'seconds from the last frame in the entry zone to the first in the exit zone (default 20). Longer ' +
        'survives a queue in the junction; shorter avoids pairing a track with an id the tracker reused.',
    }),
    debounceFrames: Type.Integer({
      minimum: 1,
      maximum: 50,
      default: 2,
      description:
        'consecutive frames the anchor must be in the exit zone to confirm the turn (default 2: one flickering ' +
        'box at the zone edge is not a turn).',
    }),
  },
  { additionalProperties: false },
);
export type ForbiddenTurnRuleConfig = Static<typeof ForbiddenTurnRuleSchema>;

/** A track unseen this long is forgotten (bounded state). */
const FORGET_AFTER_MS = 60_000;

interface State {
  lastSeenMs: number;
  /** Last ms the anchor was in the entry zone (undefined: never, or too long ago). */
  lastEntryMs: number | undefined;
  exitFrames: number;
  /** Fired: one event per track. */
  done: boolean;
}

export class ForbiddenTurnRule implements Rule {
  readonly type = 'forbidden_turn' as const;
  readonly id: string;
  private readonly states = new Map<number, State>();

  constructor(
    private readonly cfg: ForbiddenTurnRuleConfig,
    private readonly entry: ZoneConfig,
    private readonly exit: ZoneConfig,
  ) {
    this.id = cfg.id;
  }

  evaluate(input: RuleInput): RuleHit[] {
    const { tsMs } = input;
    const hits: RuleHit[] = [];
    for (const t of input.tracks) {
      let s = this.states.get(t.id);
      if (!s) {
        s = { lastSeenMs: tsMs, lastEntryMs: undefined, exitFrames: 0, done: false };
        this.states.set(t.id, s);
      }
      s.lastSeenMs = tsMs;
      if (s.done) continue;
      const a = anchorOf(t.boxXyxyNorm);
      if (pointInPolygon(a.x, a.y, this.entry.polygon)) {
        s.lastEntryMs = tsMs;
        s.exitFrames = 0;
        continue;
      }
      if (!pointInPolygon(a.x, a.y, this.exit.polygon)) {
        s.exitFrames = 0;
        continue;
      }
      if (s.lastEntryMs === undefined) continue;
      s.exitFrames++;
      if (s.exitFrames === 1 && tsMs - s.lastEntryMs > this.cfg.maxTransitS * 1000) {
        // Too slow: not one manoeuvre (or an id reused by the tracker); forget the entry.
        s.lastEntryMs = undefined;
        s.exitFrames = 0;
        continue;
      }
      if (s.exitFrames < this.cfg.debounceFrames) continue;
      s.done = true;
      hits.push({
        key: `t${t.id}`,
        trackId: t.id,
        label: t.label,
        confidence: t.score,
        boxXyxyNorm: t.boxXyxyNorm,
        zone: this.exit.id,
        instant: true,
      });
    }
    for (const [id, s] of this.states) if (tsMs - s.lastSeenMs > FORGET_AFTER_MS) this.states.delete(id);
    return hits;
  }
}
