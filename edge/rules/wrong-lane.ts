// Wrong lane: a track of a class not allowed in a lane polygon (a bus lane, a motorbike lane) staying in it for dwellS.
import { type Static, Type } from '@sinclair/typebox';
import type { ZoneConfig } from './geometry-schema.ts';
import { dwellHitsInZone, PresenceTimer } from './presence-timer.ts';
import type { Rule, RuleHit, RuleInput } from './rule.ts';
import { ruleBase } from './rule-base.ts';

export const WrongLaneRuleSchema = Type.Object(
  {
    type: Type.Literal('wrong_lane'),
    ...ruleBase,
    zone: Type.String({
      description: 'id of the lane polygon (a zone of this camera), drawn on the road surface',
    }),
    allowedClasses: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description:
        'class names allowed in the lane (a bus lane: [bus]; a motorbike lane: [motorcycle, bicycle]); any ' +
        'other class whose anchor stays in the lane fires. Narrow the classes judged with `classes` (e.g. ' +
        '[car, truck, bus, motorcycle] so persons on foot never fire).',
    }),
    dwellS: Type.Number({
      minimum: 0,
      maximum: 3600,
      default: 2,
      description:
        'seconds the anchor must stay in the lane before the event starts (default 2). Higher spares vehicles ' +
        'cutting across the lane to turn; lower catches short intrusions.',
    }),
  },
  { additionalProperties: false },
);
export type WrongLaneRuleConfig = Static<typeof WrongLaneRuleSchema>;

/** An anchor out of the lane (box jitter at its edge) or missed for less than this keeps its dwell. */
const PRESENCE_GRACE_MS = 1000;

export class WrongLaneRule implements Rule {
  readonly type = 'wrong_lane' as const;
  readonly id: string;
  private readonly timer = new PresenceTimer(PRESENCE_GRACE_MS);

  constructor(
    private readonly cfg: WrongLaneRuleConfig,
    private readonly zone: ZoneConfig,
  ) {
    this.id = cfg.id;
  }

  evaluate(input: RuleInput): RuleHit[] {
    return dwellHitsInZone(this.timer, input.tracks, this.zone, input.tsMs, this.cfg.dwellS, (t) =>
      this.cfg.allowedClasses.includes(t.label),
    );
  }
}
