// Wrong way: a track inside a carriageway zone whose smoothed heading points against the allowed direction for T s.
import { type Static, Type } from '@sinclair/typebox';
import { anchorOf, type Track } from '../track/track.ts';
import { angleBetweenDeg, type Point, pointInPolygon } from './geometry.ts';
import type { ZoneConfig } from './geometry-schema.ts';
import type { Rule, RuleHit, RuleInput } from './rule.ts';
import { ruleBase } from './rule-base.ts';

export const WrongWayRuleSchema = Type.Object(
  {
    type: Type.Literal('wrong_way'),
    ...ruleBase,
    zone: Type.String({
      description:
        'id of the carriageway (or one-way lane) polygon the rule applies in; only anchors inside it are judged. ' +
        'Draw one zone per direction of a two-way road, each with its own wrong_way rule.',
    }),
    allowedDirection: Type.Tuple([Type.Number(), Type.Number()], {
      description:
        'the lawful travel direction as a vector [dx, dy] in normalised image coordinates (x right, y DOWN; ' +
        'its length does not matter). Read it off a picture: pick a point where a vehicle is and a point where ' +
        'that vehicle is a moment later, and subtract: traffic driving away from the camera up the frame is ' +
        '[0, -1], towards the camera [0, 1], left to right [1, 0]; on a perspective view use the lane markings ' +
        'near the middle of the zone (e.g. [0.2, -1] for lanes converging to a vanishing point up and right).',
    }),
    maxAngleDeg: Type.Number({
      minimum: 90,
      maximum: 180,
      default: 135,
      description:
        'degrees: a heading more than this from allowedDirection is against the flow. Default 135 tolerates lane ' +
        'changes and perspective; lower catches diagonal crossings of the road too (and risks lane changers).',
    }),
    minDisplacement: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      default: 0.03,
      description:
        'normalised distance the anchor must have moved over headingWindowS for a heading to count (default ' +
        '0.03 = 3% of the frame). Box jitter of a stopped or parked vehicle never reads as a heading. Higher ' +
        'misses slow or far (small) wrong-way vehicles.',
    }),
    headingWindowS: Type.Number({
      exclusiveMinimum: 0,
      maximum: 30,
      default: 1.5,
      description:
        'seconds of recent path the heading is smoothed over (older half mean to newer half mean of the points ' +
        'in the window; the newer half of the window must point against the flow too, over half minDisplacement). ' +
        'Longer is steadier and slower to notice a turn; limited by the tracker path length.',
    }),
    minDurationS: Type.Number({
      minimum: 0,
      maximum: 600,
      default: 1,
      description:
        'seconds the track must be against the flow continuously before the event starts (default 1). Higher ' +
        'ignores brief U-turn swings and tracker id swaps; lower catches vehicles seen only briefly.',
    }),
  },
  { additionalProperties: false },
);
export type WrongWayRuleConfig = Static<typeof WrongWayRuleSchema>;

/** A track unseen this long is forgotten (bounded state). */
const FORGET_AFTER_MS = 60_000;

interface State {
  lastSeenMs: number;
  /** ms since which the heading has been against the flow (undefined while not). */
  againstSince: number | undefined;
  /** The track has fired; once its hit stops it never fires again (one event per track). */
  fired: boolean;
  done: boolean;
}

/**
 * Smoothed displacement of the path over the last windowMs: mean of the newer half of the points minus the mean
 * of the older half, scaled to the full span (so it is comparable with minDisplacement). Undefined below 2 points.
 */
export function smoothedDisplacement(track: Track, tsMs: number, windowMs: number): Point | undefined {
  const pts = track.path.filter((p) => p.tsMs >= tsMs - windowMs && p.tsMs <= tsMs);
  if (pts.length < 2) return undefined;
  const half = Math.floor(pts.length / 2);
  const mean = (a: typeof pts) => [
    a.reduce((s, p) => s + p.x, 0) / a.length,
    a.reduce((s, p) => s + p.y, 0) / a.length,
  ];
  const older = mean(pts.slice(0, half));
  const newer = mean(pts.slice(pts.length - half));
  // Half-means are ~half the span apart for steady motion; x2 restores the end-to-end displacement.
  const k = pts.length > 2 ? 2 : 1;
  return [(newer[0]! - older[0]!) * k, (newer[1]! - older[1]!) * k];
}

/** Image heading of a vector: atan2(dy, dx) in degrees, 0 = right, 90 = down the frame, -90 = up; 0.1 deg. */
export function headingDegOf(v: Point): number {
  return Math.round((Math.atan2(v[1], v[0]) * 1800) / Math.PI) / 10;
}

export class WrongWayRule implements Rule {
  readonly type = 'wrong_way' as const;
  readonly id: string;
  private readonly states = new Map<number, State>();

  constructor(
    private readonly cfg: WrongWayRuleConfig,
    private readonly zone: ZoneConfig,
  ) {
    this.id = cfg.id;
    if (cfg.allowedDirection[0] === 0 && cfg.allowedDirection[1] === 0)
      throw new Error(`rule ${cfg.id}: allowedDirection [0, 0] has no direction`);
  }

  evaluate(input: RuleInput): RuleHit[] {
    const { tsMs } = input;
    const hits: RuleHit[] = [];
    for (const t of input.tracks) {
      let s = this.states.get(t.id);
      if (!s) {
        s = { lastSeenMs: tsMs, againstSince: undefined, fired: false, done: false };
        this.states.set(t.id, s);
      }
      s.lastSeenMs = tsMs;
      if (s.done) continue;
      const heading = this.against(t, tsMs);
      if (heading === undefined) {
        s.againstSince = undefined;
        if (s.fired) s.done = true;
        continue;
      }
      s.againstSince ??= tsMs;
      if (tsMs - s.againstSince < this.cfg.minDurationS * 1000) continue;
      s.fired = true;
      hits.push({
        key: `t${t.id}`,
        trackId: t.id,
        label: t.label,
        confidence: t.score,
        boxXyxyNorm: t.boxXyxyNorm,
        zone: this.zone.id,
        details: { headingDeg: headingDegOf(heading) },
      });
    }
    for (const [id, s] of this.states) if (tsMs - s.lastSeenMs > FORGET_AFTER_MS) this.states.delete(id);
    return hits;
  }

  /** The track's smoothed displacement when it is in the zone, moving enough, and against the flow. */
  private against(t: Track, tsMs: number): Point | undefined {
    const a = anchorOf(t.boxXyxyNorm);
    if (!pointInPolygon(a.x, a.y, this.zone.polygon)) return undefined;
    const windowMs = this.cfg.headingWindowS * 1000;
    const d = this.againstOver(t, tsMs, windowMs, this.cfg.minDisplacement);
    // The newer half of the window must be against the flow too (at half the distance): the full window lags, and
    // a short backward jerk would otherwise read as "against" for up to headingWindowS after it ended.
    return d && this.againstOver(t, tsMs, windowMs / 2, this.cfg.minDisplacement / 2) ? d : undefined;
  }

  private againstOver(t: Track, tsMs: number, windowMs: number, minDisp: number): Point | undefined {
    const d = smoothedDisplacement(t, tsMs, windowMs);
    if (!d || Math.hypot(d[0], d[1]) < minDisp) return undefined;
    const angle = angleBetweenDeg(d, this.cfg.allowedDirection);
    return angle !== undefined && angle > this.cfg.maxAngleDeg ? d : undefined;
  }
}
