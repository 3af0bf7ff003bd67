// No helmet: fires once per track whose majority-voted classifier attribute (second stage) is the violation label.
import { type Static, Type } from '@sinclair/typebox';
import type { AttributeVerdicts } from '../classify/track-attribute-voter.ts';
import type { Rule, RuleHit, RuleInput } from './rule.ts';
import { ruleBase } from './rule-base.ts';

export const NoHelmetRuleSchema = Type.Object(
  {
    type: Type.Literal('no_helmet'),
    ...ruleBase,
    violationLabel: Type.String({
      minLength: 1,
      default: 'no_helmet',
      description: "the camera classifier's label that is a violation (one of classifier.labels)",
    }),
  },
  {
    additionalProperties: false,
    description: 'needs the camera `classifier` block (a helmet classifier model the user brings)',
  },
);
export type NoHelmetRuleConfig = Static<typeof NoHelmetRuleSchema>;

const FORGET_MS = 120_000;

/**
 * Reads the per-track majority verdict of the camera's attribute classifier; a track whose verdict is
 * violationLabel fires one instant hit (details.attribute), never again for that track.
 */
export class NoHelmetRule implements Rule {
  readonly type = 'no_helmet' as const;
  readonly id: string;
  /** trackId -> last ms seen, for tracks that already fired. */
  private readonly fired = new Map<number, number>();

  constructor(
    private readonly cfg: NoHelmetRuleConfig,
    private readonly verdicts: AttributeVerdicts,
  ) {
    this.id = cfg.id;
  }

  evaluate(input: RuleInput): RuleHit[] {
    const hits: RuleHit[] = [];
    for (const t of input.tracks) {
      if (this.fired.has(t.id)) {
        this.fired.set(t.id, input.tsMs);
        continue;
      }
      const v = this.verdicts.verdict(t.id);
      if (!v || v.label !== this.cfg.violationLabel) continue;
      this.fired.set(t.id, input.tsMs);
      hits.push({
        key: `t${t.id}`,
        trackId: t.id,
        label: t.label,
        confidence: t.score,
        boxXyxyNorm: t.boxXyxyNorm,
        details: { attribute: v.label },
        instant: true,
      });
    }
    for (const [id, ts] of this.fired) if (input.tsMs - ts > FORGET_MS) this.fired.delete(id);
    return hits;
  }
}
