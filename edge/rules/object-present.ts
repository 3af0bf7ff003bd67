// Object present: an object of a configured (usually custom-model) class such as garbage, fire, smoke or flood in a zone for dwellS.
import { type Static, Type } from '@sinclair/typebox';
import type { ZoneConfig } from './geometry-schema.ts';
import { dwellHitsInZone, PresenceTimer } from './presence-timer.ts';
import type { Rule, RuleHit, RuleInput } from './rule.ts';
import { ruleBase } from './rule-base.ts';

export const ObjectPresentRuleSchema = Type.Object(
  {
    type: Type.Literal('object_present'),
    ...ruleBase,
    classes: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description:
        'REQUIRED: class names of the detector (e.g. a custom model labelled garbage, fire, smoke, flood) that count',
    }),
    zone: Type.String({ description: 'id of the zone watched' }),
    dwellS: Type.Number({
      minimum: 0,
      default: 5,
      description:
        'seconds an object must stay (tracked) in the zone. Higher ignores a detector flickering on a look-alike.',
    }),
    graceS: Type.Number({
      minimum: 0,
      default: 2,
      description: 'seconds an object may be missed or leave the zone without restarting its dwell',
    }),
  },
  { additionalProperties: false },
);
export type ObjectPresentRuleConfig = Static<typeof ObjectPresentRuleSchema>;

/**
 * Like zone_dwell, for custom classes: a track of one of `classes` whose anchor (box bottom-centre: where a pile
 * of garbage or a fire meets the ground) stays in the zone for dwellS fires one lasting event (key `t{track}`);
 * a short miss (graceS) does not restart the dwell.
 */
export class ObjectPresentRule implements Rule {
  readonly type = 'object_present' as const;
  readonly id: string;
  private readonly timer: PresenceTimer;

  constructor(
    private readonly cfg: ObjectPresentRuleConfig,
    private readonly zone: ZoneConfig,
  ) {
    this.id = cfg.id;
    this.timer = new PresenceTimer(cfg.graceS * 1000);
  }

  evaluate(input: RuleInput): RuleHit[] {
    // The engine filters classes too; a rule built by hand stays safe.
    return dwellHitsInZone(
      this.timer,
      input.tracks,
      this.zone,
      input.tsMs,
      this.cfg.dwellS,
      (t) => !this.cfg.classes.includes(t.label),
    );
  }
}
