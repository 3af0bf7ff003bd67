// Solid line: a track's anchor crosses a solid lane-marking polyline and stays on the new side for debounceFrames.
import { type Static, Type } from '@sinclair/typebox';
import { anchorOf } from '../track/track.ts';
import { type Point, segmentCrossesPolyline } from './geometry.ts';
import type { LineConfig } from './geometry-schema.ts';
import { sideOfPolyline } from './red-light.ts';
import type { Rule, RuleHit, RuleInput } from './rule.ts';
import { ruleBase } from './rule-base.ts';

export const SolidLineRuleSchema = Type.Object(
  {
    type: Type.Literal('solid_line'),
    ...ruleBase,
    line: Type.String({
      description:
        'id of the solid lane marking (a line of this camera): draw it along the painted line where the ' +
        'vehicles touch the road. A vehicle passing beyond its ends does not cross it.',
    }),
    debounceFrames: Type.Integer({
      minimum: 1,
      maximum: 50,
      default: 2,
      description:
        'consecutive frames the anchor must be on one side before (arming) and on the other side after ' +
        '(confirming) a crossing. Default 2: one frame of box jitter across the line is not a crossing. Higher ' +
        'rejects more jitter and misses a vehicle that straddles the line briefly.',
    }),
    direction: Type.Union([Type.Literal('both'), Type.Literal('one')], {
      default: 'both',
      description:
        "'both' (default): a crossing either way fires. 'one': only a crossing from the side on your LEFT to the " +
        'side on your RIGHT as you walk along the polyline on the picture from its first point to its last. ' +
        'E.g. a line drawn from the bottom of the picture to the top: vehicles moving left to right across it ' +
        'fire, right to left do not (draw it top to bottom for the reverse).',
    }),
  },
  { additionalProperties: false },
);
export type SolidLineRuleConfig = Static<typeof SolidLineRuleSchema>;

/** A track unseen this long is forgotten (bounded state). */
const FORGET_AFTER_MS = 60_000;

interface State {
  lastSeenMs: number;
  /** Side the track has been on for at least debounceFrames (0 = not yet known). */
  side: number;
  /** Side seen in the latest frames that differs from `side`, and for how many consecutive frames. */
  pendingSide: number;
  pendingFrames: number;
  /** Last anchor on the settled side (the start of the crossing step). */
  lastOnSide: Point | undefined;
  /** Whether the step from lastOnSide to the first anchor on pendingSide cut the drawn line. */
  cut: boolean;
}

export class SolidLineRule implements Rule {
  readonly type = 'solid_line' as const;
  readonly id: string;
  private readonly states = new Map<number, State>();

  constructor(
    private readonly cfg: SolidLineRuleConfig,
    private readonly line: LineConfig,
  ) {
    this.id = cfg.id;
  }

  evaluate(input: RuleInput): RuleHit[] {
    const { tsMs } = input;
    const hits: RuleHit[] = [];
    const n = this.cfg.debounceFrames;
    for (const t of input.tracks) {
      let s = this.states.get(t.id);
      if (!s) {
        s = {
          lastSeenMs: tsMs,
          side: 0,
          pendingSide: 0,
          pendingFrames: 0,
          lastOnSide: undefined,
          cut: false,
        };
        this.states.set(t.id, s);
      }
      s.lastSeenMs = tsMs;
      const a = anchorOf(t.boxXyxyNorm);
      const p: Point = [a.x, a.y];
      const side = sideOfPolyline(this.line.points, p);
      if (side === 0) continue; // on the paint: neither side
      if (side === s.side) {
        s.pendingSide = 0;
        s.pendingFrames = 0;
        s.lastOnSide = p;
        continue;
      }
      if (side !== s.pendingSide) {
        s.pendingSide = side;
        s.pendingFrames = 0;
        s.cut = s.lastOnSide !== undefined && segmentCrossesPolyline(s.lastOnSide, p, this.line.points);
      }
      s.pendingFrames++;
      if (s.pendingFrames < n) continue;
      const from = s.side;
      s.side = side;
      s.pendingSide = 0;
      s.pendingFrames = 0;
      s.lastOnSide = p;
      // A track first settling on a side (from 0) is arming, not crossing. Screen-left of a->b is sideOfLine < 0
      // with y pointing down, so 'one' fires only from -1 to +1.
      if (from === 0 || !s.cut || (this.cfg.direction === 'one' && !(from < 0 && side > 0))) continue;
      hits.push({
        key: `t${t.id}`,
        trackId: t.id,
        label: t.label,
        confidence: t.score,
        boxXyxyNorm: t.boxXyxyNorm,
        line: this.line.id,
        instant: true,
      });
    }
    for (const [id, s] of this.states) if (tsMs - s.lastSeenMs > FORGET_AFTER_MS) this.states.delete(id);
    return hits;
  }
}
