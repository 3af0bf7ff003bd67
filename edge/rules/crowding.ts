// Crowding: the person count in a zone stays >= minCount for durationS (one zone-level lasting event, debounced).
import { type Static, Type } from '@sinclair/typebox';
import { anchorOf } from '../track/track.ts';
import { pointInPolygon, unionBox } from './geometry.ts';
import type { ZoneConfig } from './geometry-schema.ts';
import type { Rule, RuleHit, RuleInput } from './rule.ts';
import { ruleBase } from './rule-base.ts';

export const CrowdingRuleSchema = Type.Object(
  {
    type: Type.Literal('crowding'),
    ...ruleBase,
    zone: Type.String({
      description: 'id of the zone where people are counted (by their feet: box bottom-centre)',
    }),
    minCount: Type.Integer({
      minimum: 1,
      default: 10,
      description: 'persons in the zone at once that make a crowd. Lower alerts on ordinary queues.',
    }),
    durationS: Type.Number({
      minimum: 0,
      default: 60,
      description:
        'seconds the count must stay >= minCount before the event starts. Shorter alerts on passers-by.',
    }),
    graceS: Type.Number({
      minimum: 0,
      default: 5,
      description:
        'seconds the count may dip below minCount (missed detections, occlusion) without ending or restarting ' +
        'the crowd. Longer is steadier and ends later.',
    }),
  },
  { additionalProperties: false },
);
export type CrowdingRuleConfig = Static<typeof CrowdingRuleSchema>;

/**
 * Counts tracks in the zone (class `person` unless the rule sets `classes`). One hit keyed by zone (`z{zone}`),
 * never by track: details.count is the current count, the box the union of the counted persons' boxes (the
 * last non-empty one during a dip). A dip shorter than graceS neither restarts the duration nor ends the event.
 */
export class CrowdingRule implements Rule {
  readonly type = 'crowding' as const;
  readonly id: string;
  private aboveSince: number | undefined;
  private belowSince: number | undefined;
  private firing = false;
  private lastBox: [number, number, number, number] = [0, 0, 0, 0];
  private lastConfidence = 0;

  constructor(
    private readonly cfg: CrowdingRuleConfig,
    private readonly zone: ZoneConfig,
  ) {
    this.id = cfg.id;
  }

  evaluate(input: RuleInput): RuleHit[] {
    const { tsMs } = input;
    const inZone = input.tracks.filter((t) => {
      if (!this.cfg.classes && t.label !== 'person') return false;
      const a = anchorOf(t.boxXyxyNorm);
      return pointInPolygon(a.x, a.y, this.zone.polygon);
    });
    const count = inZone.length;
    if (count >= this.cfg.minCount) {
      this.aboveSince ??= tsMs;
      this.belowSince = undefined;
    } else if (this.aboveSince !== undefined) {
      this.belowSince ??= tsMs;
      if (tsMs - this.belowSince >= this.cfg.graceS * 1000) {
        this.aboveSince = undefined;
        this.belowSince = undefined;
        this.firing = false;
      }
    }
    if (count > 0) {
      this.lastBox = unionBox(inZone.map((t) => t.boxXyxyNorm));
      this.lastConfidence = inZone.reduce((sum, t) => sum + t.score, 0) / count;
    }
    if (this.aboveSince === undefined || tsMs - this.aboveSince < this.cfg.durationS * 1000) return [];
    // Start only on a frame that meets the count; once firing, a dip within the grace keeps the event.
    if (!this.firing && count < this.cfg.minCount) return [];
    this.firing = true;
    return [
      {
        key: `z${this.zone.id}`,
        label: 'person',
        confidence: this.lastConfidence,
        boxXyxyNorm: this.lastBox,
        zone: this.zone.id,
        details: { count, dwellS: Math.round((tsMs - this.aboveSince) / 100) / 10 },
      },
    ];
  }
}
