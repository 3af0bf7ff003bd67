// Zone dwell: an object whose anchor stays inside a zone for dwellS seconds (the skeleton rule; object_present builds on it).

import { anchorOf } from '../track/track.ts';
import { pointInPolygon } from './geometry.ts';
import type { ZoneConfig } from './geometry-schema.ts';
import type { Rule, RuleHit, RuleInput } from './rule.ts';
import type { ZoneDwellRuleConfig } from './rule-schema.ts';

export class ZoneDwellRule implements Rule {
  readonly type = 'zone_dwell' as const;
  readonly id: string;
  /** trackId -> ms the track entered the zone. */
  private readonly enteredAt = new Map<number, number>();

  constructor(
    private readonly cfg: ZoneDwellRuleConfig,
    private readonly zone: ZoneConfig,
  ) {
    this.id = cfg.id;
  }

  evaluate(input: RuleInput): RuleHit[] {
    const hits: RuleHit[] = [];
    const present = new Set<number>();
    for (const t of input.tracks) {
      const a = anchorOf(t.boxXyxyNorm);
      if (!pointInPolygon(a.x, a.y, this.zone.polygon)) continue;
      present.add(t.id);
      const since = this.enteredAt.get(t.id) ?? input.tsMs;
      this.enteredAt.set(t.id, since);
      const dwellS = (input.tsMs - since) / 1000;
      if (dwellS >= this.cfg.dwellS) {
        hits.push({
          key: `t${t.id}`,
          trackId: t.id,
          label: t.label,
          confidence: t.score,
          boxXyxyNorm: t.boxXyxyNorm,
          zone: this.zone.id,
          details: { dwellS: Math.round(dwellS * 10) / 10 },
        });
      }
    }
    for (const id of this.enteredAt.keys()) if (!present.has(id)) this.enteredAt.delete(id);
    return hits;
  }
}
