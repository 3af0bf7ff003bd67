// Red-light / stop-line: a track's anchor crosses the stop line from the approach side (debounced) while the signal is red.
import { type Static, Type } from '@sinclair/typebox';
import { PointNorm } from '../../config/schema-helpers.ts';
import type { SignalState } from '../../contract/index.ts';
import { anchorOf, type Track } from '../track/track.ts';
import { type Point, pointInPolygon, segmentsIntersect, sideOfLine } from './geometry.ts';
import type { Rule, RuleHit, RuleInput } from './rule.ts';
import { ruleBase } from './rule-base.ts';
import type { LineConfig, ZoneConfig } from './rule-schema.ts';

export const RedLightRuleSchema = Type.Object(
  {
    type: Type.Literal('red_light'),
    ...ruleBase,
    line: Type.String({
      description:
        'id of the stop line (a line of this camera). Draw it along the painted stop line, across every lane ' +
        'the signal controls; a vehicle passing beyond its ends is not a crossing.',
    }),
    approachPoint: {
      ...PointNorm,
      description:
        '[x, y] of any point on the side vehicles wait on (in the queue before the line). A crossing is the ' +
        'anchor going from this side to the other; the reverse (a vehicle coming out of the junction) never fires.',
    },
    debounceFrames: Type.Integer({
      minimum: 1,
      maximum: 50,
      default: 2,
      description:
        'consecutive frames the anchor must be on the approach side before (arming) and on the far side after ' +
        '(confirming) a crossing. Default 2: one frame of box jitter across the line is not a crossing. Higher ' +
        'rejects more jitter but misses a fast vehicle seen only briefly (2 frames is 0.4 s at 5 fps).',
    }),
    exemptZones: Type.Array(Type.String(), {
      default: [],
      description:
        'ids of zones (free right-turn lanes) whose vehicles are exempt: a track whose anchor is inside one on ' +
        'the last frame before or the first frame after the line is never fined. Default none.',
    }),
    graceS: Type.Number({
      minimum: 0,
      maximum: 10,
      default: 0,
      description:
        'seconds after the signal turns red during which crossings are not fired (a vehicle committed on amber). ' +
        'Default 0. Local law sets it; while the state is not red (or unknown) the clock restarts.',
    }),
  },
  { additionalProperties: false },
);
export type RedLightRuleConfig = Static<typeof RedLightRuleSchema>;

/** A track unseen this long is forgotten (the tracker has long dropped it); keeps the state maps bounded. */
const FORGET_AFTER_MS = 60_000;
/** Path points behind the anchor used for the reported heading. */
const HEADING_POINTS = 5;

interface Crossing {
  tsMs: number;
  signal: SignalState;
  /** ms the signal had been red at the crossing frame (undefined when not red). */
  redForMs: number | undefined;
  exempt: boolean;
  /** The step from the last approach anchor to the first far anchor cuts the drawn line (not beyond its ends). */
  throughLine: boolean;
}

interface TrackState {
  lastSeenMs: number;
  approachFrames: number;
  armed: boolean;
  lastApproach: Point | undefined;
  farFrames: number;
  crossing: Crossing | undefined;
  /** A crossing has been confirmed (fired or not): this track never fires this rule again. */
  done: boolean;
}

function pointSegmentDist2(p: Point, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2)) : 0;
  const x = a[0] + t * dx - p[0];
  const y = a[1] + t * dy - p[1];
  return x * x + y * y;
}

/** Sign (+1, -1, 0) of p's side of a polyline: the side of its nearest segment. */
export function sideOfPolyline(points: readonly Point[], p: Point): number {
  let best = Number.POSITIVE_INFINITY;
  let side = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    const d = pointSegmentDist2(p, a, b);
    if (d < best) {
      best = d;
      side = Math.sign(sideOfLine(a, b, p));
    }
  }
  return side;
}

/** Heading of the recent path in image coordinates: atan2(dy, dx) in degrees; 0 = right, 90 = down, -90 = up the frame. */
export function headingOf(track: Track): number | undefined {
  const path = track.path;
  if (path.length < 2) return undefined;
  const from = path[Math.max(0, path.length - HEADING_POINTS)]!;
  const to = path[path.length - 1]!;
  if (from.x === to.x && from.y === to.y) return undefined;
  return Math.round((Math.atan2(to.y - from.y, to.x - from.x) * 1800) / Math.PI) / 10;
}

/** Config checks the schema cannot express: the approach point must lie off the line. */
export function checkRedLight(
  cfg: RedLightRuleConfig,
  lines: readonly LineConfig[],
): { field: string; value: unknown; reason: string }[] {
  const line = lines.find((l) => l.id === cfg.line);
  if (!line) return []; // the generic reference check reports a missing line
  if (sideOfPolyline(line.points, cfg.approachPoint) === 0)
    return [
      {
        field: 'approachPoint',
        value: cfg.approachPoint,
        reason: `lies on line ${line.id}; pick a point clearly on the side where vehicles wait`,
      },
    ];
  return [];
}

export class RedLightRule implements Rule {
  readonly type = 'red_light' as const;
  readonly id: string;
  private readonly approachSign: number;
  private readonly states = new Map<number, TrackState>();
  /** Frame time the signal turned red (undefined while it is not red). */
  private redSinceMs: number | undefined;

  constructor(
    private readonly cfg: RedLightRuleConfig,
    private readonly line: LineConfig,
    private readonly exemptZones: readonly ZoneConfig[] = [],
  ) {
    this.id = cfg.id;
    this.approachSign = sideOfPolyline(line.points, cfg.approachPoint);
    if (this.approachSign === 0)
      throw new Error(
        `rule ${cfg.id}: approachPoint ${JSON.stringify(cfg.approachPoint)} lies on line ${line.id}`,
      );
  }

  evaluate(input: RuleInput): RuleHit[] {
    const { tsMs, signal } = input;
    if (signal !== 'red') this.redSinceMs = undefined;
    else this.redSinceMs ??= tsMs;
    const hits: RuleHit[] = [];
    for (const t of input.tracks) {
      const hit = this.step(t, tsMs, signal);
      if (hit) hits.push(hit);
    }
    for (const [id, s] of this.states) if (tsMs - s.lastSeenMs > FORGET_AFTER_MS) this.states.delete(id);
    return hits;
  }

  private step(t: Track, tsMs: number, signal: SignalState): RuleHit | undefined {
    let s = this.states.get(t.id);
    if (!s) {
      s = {
        lastSeenMs: tsMs,
        approachFrames: 0,
        armed: false,
        lastApproach: undefined,
        farFrames: 0,
        crossing: undefined,
        done: false,
      };
      this.states.set(t.id, s);
    }
    s.lastSeenMs = tsMs;
    if (s.done) return undefined;
    const a = anchorOf(t.boxXyxyNorm);
    const p: Point = [a.x, a.y];
    // On the line counts as not crossed: a vehicle stopped with its wheels on the paint is not a violation.
    const far = sideOfPolyline(this.line.points, p) === -this.approachSign;
    if (!far) {
      s.approachFrames++;
      s.armed ||= s.approachFrames >= this.cfg.debounceFrames;
      s.lastApproach = p;
      s.farFrames = 0;
      s.crossing = undefined;
      return undefined;
    }
    if (!s.armed) {
      // Never seen waiting on the approach side long enough (a track born past the line): not a crossing.
      s.approachFrames = 0;
      return undefined;
    }
    s.farFrames++;
    if (s.farFrames === 1) {
      const from = s.lastApproach ?? p;
      s.crossing = {
        tsMs,
        signal,
        redForMs: signal === 'red' && this.redSinceMs !== undefined ? tsMs - this.redSinceMs : undefined,
        exempt: this.exemptZones.some(
          (z) => pointInPolygon(p[0], p[1], z.polygon) || pointInPolygon(from[0], from[1], z.polygon),
        ),
        throughLine: this.cutsLine(from, p),
      };
    }
    if (s.farFrames < this.cfg.debounceFrames) return undefined;
    s.done = true;
    const c = s.crossing!;
    if (c.signal !== 'red' || c.redForMs === undefined || c.redForMs < this.cfg.graceS * 1000)
      return undefined;
    if (c.exempt || !c.throughLine) return undefined;
    const headingDeg = headingOf(t);
    return {
      key: `t${t.id}`,
      trackId: t.id,
      label: t.label,
      confidence: t.score,
      boxXyxyNorm: t.boxXyxyNorm,
      line: this.line.id,
      instant: true,
      details: headingDeg === undefined ? { signal: 'red' } : { signal: 'red', headingDeg },
    };
  }

  private cutsLine(from: Point, to: Point): boolean {
    const pts = this.line.points;
    for (let i = 0; i + 1 < pts.length; i++)
      if (segmentsIntersect(from, to, pts[i]!, pts[i + 1]!)) return true;
    return false;
  }
}
