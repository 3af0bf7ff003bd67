// Sidewalk encroachment: vehicles or objects persisting in a sidewalk polygon (per track, or a zone-level count).
import { type Static, Type } from '@sinclair/typebox';
import { unionBox } from './geometry.ts';
import type { ZoneConfig } from './geometry-schema.ts';
import { dwellHitsInZone, PresenceTimer } from './presence-timer.ts';
import type { Rule, RuleHit, RuleInput } from './rule.ts';
import { ruleBase } from './rule-base.ts';

export const SidewalkRuleSchema = Type.Object(
  {
    type: Type.Literal('sidewalk'),
    ...ruleBase,
    zone: Type.String({ description: 'id of the sidewalk polygon' }),
    dwellS: Type.Number({
      minimum: 0,
      default: 10,
      description:
        'seconds an object must stay on the sidewalk to count. Lower catches vehicles riding along it, higher only parked ones.',
    }),
    graceS: Type.Number({
      minimum: 0,
      default: 2,
      description: 'seconds an object may be missed or step out of the polygon without restarting its dwell',
    }),
    minCount: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'MODE SWITCH. Absent (default): per-track mode, one event per object that stayed dwellS. Set: zone mode, ' +
          'ONE event for the zone (key z{zone}) while at least minCount objects have each stayed dwellS; ' +
          'details.count is how many. Zone mode suits stalls and parked motorbikes that fill a sidewalk.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type SidewalkRuleConfig = Static<typeof SidewalkRuleSchema>;

export class SidewalkRule implements Rule {
  readonly type = 'sidewalk' as const;
  readonly id: string;
  private readonly timer: PresenceTimer;

  constructor(
    private readonly cfg: SidewalkRuleConfig,
    private readonly zone: ZoneConfig,
  ) {
    this.id = cfg.id;
    this.timer = new PresenceTimer(cfg.graceS * 1000);
  }

  evaluate(input: RuleInput): RuleHit[] {
    const hits = dwellHitsInZone(this.timer, input.tracks, this.zone, input.tsMs, this.cfg.dwellS);
    if (this.cfg.minCount === undefined) return hits;
    if (hits.length < this.cfg.minCount) return [];
    const box = unionBox(hits.map((h) => h.boxXyxyNorm));
    const labels = new Set(hits.map((h) => h.label));
    return [
      {
        key: `z${this.zone.id}`,
        label: labels.size === 1 ? hits[0]!.label : 'object',
        confidence: hits.reduce((s, h) => s + h.confidence, 0) / hits.length,
        boxXyxyNorm: box,
        zone: this.zone.id,
        details: { count: hits.length },
      },
    ];
  }
}
