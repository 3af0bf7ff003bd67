// Speeding: median ground speed over a track (4-point homography) or the time between two lines a known distance apart.
import { type Static, Type } from '@sinclair/typebox';
import { PointNorm } from '../../config/schema-helpers.ts';
import { anchorOf, type Track } from '../track/track.ts';
import type { LineConfig } from './geometry-schema.ts';
import { applyHomography, degeneracy, type Homography, type Point2, solveHomography } from './homography.ts';
import type { Rule, RuleHit, RuleInput } from './rule.ts';
import { ruleBase } from './rule-base.ts';

const GroundPoint = Type.Tuple([Type.Number(), Type.Number()], {
  description: '[x, y] on the road plane, metres',
});

export const SpeedingRuleSchema = Type.Object(
  {
    type: Type.Literal('speeding'),
    ...ruleBase,
    limitKmh: Type.Number({ exclusiveMinimum: 0, maximum: 300, description: 'posted speed limit, km/h' }),
    toleranceKmh: Type.Number({
      minimum: 0,
      maximum: 100,
      default: 5,
      description:
        'km/h above the limit before a track fires (measurement uncertainty). Lower fines more, and more wrongly.',
    }),
    minKmh: Type.Number({
      minimum: 0,
      default: 0,
      description: 'a measured speed below this is discarded as implausible, km/h',
    }),
    maxKmh: Type.Number({
      exclusiveMinimum: 0,
      maximum: 400,
      default: 250,
      description:
        'a measured speed above this is discarded as absurd (an id switch, a bad calibration), never fired, km/h',
    }),
    minTrackS: Type.Number({
      minimum: 0,
      default: 1.5,
      description:
        'homography mode: seconds of track path needed before judging. Longer is steadier, but fast vehicles leave sooner.',
    }),
    stepS: Type.Number({
      exclusiveMinimum: 0,
      maximum: 10,
      default: 0.4,
      description:
        'homography mode: seconds between the two path points of one speed step. Longer steps average out box jitter.',
    }),
    homography: Type.Optional(
      Type.Object(
        {
          imagePointsNorm: Type.Array(PointNorm, {
            minItems: 4,
            maxItems: 4,
            description: '4 points on the road in the image, normalised; no 3 on one line',
          }),
          groundPointsM: Type.Array(GroundPoint, {
            minItems: 4,
            maxItems: 4,
            description:
              'the same 4 points on the road plane in metres (e.g. lane-marking corners measured on site)',
          }),
        },
        {
          additionalProperties: false,
          description:
            'calibration A: image -> ground homography; speed = median of per-step speeds over the track',
        },
      ),
    ),
    lines: Type.Optional(
      Type.Object(
        {
          first: Type.String({ description: 'id of the first line' }),
          second: Type.String({ description: 'id of the second line' }),
          distanceM: Type.Number({
            exclusiveMinimum: 0,
            description: 'road distance between the lines, metres',
          }),
        },
        {
          additionalProperties: false,
          description:
            'calibration B: speed = distanceM / time between the anchor crossing the two lines (either order)',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type SpeedingRuleConfig = Static<typeof SpeedingRuleSchema>;

/** Cross-field problems of a speeding rule (exactly one calibration, lines exist, homography not degenerate). */
export function checkSpeeding(
  cfg: SpeedingRuleConfig,
  lineIds: ReadonlySet<string>,
): { field: string; value: unknown; reason: string }[] {
  const out: { field: string; value: unknown; reason: string }[] = [];
  if (!cfg.homography === !cfg.lines)
    out.push({
      field: 'homography',
      value: undefined,
      reason: 'configure exactly one of homography or lines',
    });
  if (cfg.homography) {
    const bad =
      degeneracy(cfg.homography.imagePointsNorm as Point2[], 'imagePointsNorm') ??
      degeneracy(cfg.homography.groundPointsM as Point2[], 'groundPointsM');
    if (bad) out.push({ field: 'homography', value: cfg.homography, reason: bad });
  }
  if (cfg.lines) {
    for (const f of ['first', 'second'] as const) {
      if (!lineIds.has(cfg.lines[f]))
        out.push({ field: `lines.${f}`, value: cfg.lines[f], reason: `no line with this id on the camera` });
    }
    if (cfg.lines.first === cfg.lines.second)
      out.push({ field: 'lines.second', value: cfg.lines.second, reason: 'must differ from lines.first' });
  }
  if (cfg.minKmh >= cfg.maxKmh)
    out.push({ field: 'maxKmh', value: cfg.maxKmh, reason: `must be above minKmh (${cfg.minKmh})` });
  return out;
}

/** Median of per-step ground speeds (km/h) over a path; steps join points >= stepMs apart. Undefined if no step. */
export function medianSpeedKmh(
  path: readonly { tsMs: number; x: number; y: number }[],
  h: Homography,
  stepMs: number,
): number | undefined {
  const g = path.map((p) => applyHomography(h, p.x, p.y));
  const speeds: number[] = [];
  let j = 0;
  for (let i = 0; i < path.length; i++) {
    if (j <= i) j = i + 1;
    while (j < path.length && path[j]!.tsMs - path[i]!.tsMs < stepMs) j++;
    if (j >= path.length) break;
    const a = g[i];
    const b = g[j];
    const dt = path[j]!.tsMs - path[i]!.tsMs;
    if (!a || !b || dt <= 0) continue;
    speeds.push((Math.hypot(b[0] - a[0], b[1] - a[1]) / (dt / 1000)) * 3.6);
  }
  if (speeds.length === 0) return undefined;
  speeds.sort((a, b) => a - b);
  const m = speeds.length >> 1;
  return speeds.length % 2 ? speeds[m]! : (speeds[m - 1]! + speeds[m]!) / 2;
}

/** Parameter t in [0,1] along p1->p2 where it crosses the polyline, or undefined. */
function crossingT(p1: Point2, p2: Point2, line: readonly Point2[]): number | undefined {
  const rx = p2[0] - p1[0];
  const ry = p2[1] - p1[1];
  for (let i = 0; i + 1 < line.length; i++) {
    const q1 = line[i]!;
    const q2 = line[i + 1]!;
    const sx = q2[0] - q1[0];
    const sy = q2[1] - q1[1];
    const den = rx * sy - ry * sx;
    if (den === 0) continue;
    const qx = q1[0] - p1[0];
    const qy = q1[1] - p1[1];
    const t = (qx * sy - qy * sx) / den;
    const u = (qx * ry - qy * rx) / den;
    if (t >= 0 && t <= 1 && u >= 0 && u <= 1) return t;
  }
  return undefined;
}

interface SpeedState {
  lastTs: number;
  prev?: { tsMs: number; x: number; y: number };
  firstAt?: number;
  secondAt?: number;
  /** Judged (fired or measured within limits with lines): never again for this track. */
  done: boolean;
}

const FORGET_MS = 60_000;

/**
 * Fires ONCE per track (an instant hit) when its speed exceeds limitKmh + toleranceKmh and lies within
 * [minKmh, maxKmh]. Homography: the median of per-step speeds over the track's path (a single absurd step from
 * jitter or an id switch cannot fire), judged every frame once the path spans minTrackS. Lines: the interpolated
 * times the anchor crossed each line (first crossing of each counts), judged once when both are known.
 */
export class SpeedingRule implements Rule {
  readonly type = 'speeding' as const;
  readonly id: string;
  private readonly h: Homography | undefined;
  private readonly state = new Map<number, SpeedState>();

  constructor(
    private readonly cfg: SpeedingRuleConfig,
    private readonly lines?: { first: LineConfig; second: LineConfig },
  ) {
    this.id = cfg.id;
    if (cfg.homography) {
      this.h = solveHomography(
        cfg.homography.imagePointsNorm as Point2[],
        cfg.homography.groundPointsM as Point2[],
      );
    } else if (!lines) {
      throw new Error(`rule ${cfg.id}: speeding needs homography or lines (with both lines resolved)`);
    }
  }

  evaluate(input: RuleInput): RuleHit[] {
    const { tsMs } = input;
    const hits: RuleHit[] = [];
    for (const t of input.tracks) {
      let s = this.state.get(t.id);
      if (!s) {
        s = { lastTs: tsMs, done: false };
        this.state.set(t.id, s);
      }
      s.lastTs = tsMs;
      if (s.done) continue;
      const kmh = this.h ? this.byHomography(t, tsMs) : this.byLines(t, s, tsMs);
      if (kmh === undefined) continue;
      if (!this.h) s.done = true; // lines: one measurement per track, plausible or not
      if (kmh < this.cfg.minKmh || kmh > this.cfg.maxKmh) continue;
      if (kmh <= this.cfg.limitKmh + this.cfg.toleranceKmh) continue;
      s.done = true;
      hits.push({
        key: `t${t.id}`,
        trackId: t.id,
        label: t.label,
        confidence: t.score,
        boxXyxyNorm: t.boxXyxyNorm,
        ...(this.lines ? { line: this.lines.second.id } : {}),
        details: { speedKmh: Math.round(kmh) },
        instant: true,
      });
    }
    for (const [id, s] of this.state) if (tsMs - s.lastTs > FORGET_MS) this.state.delete(id);
    return hits;
  }

  private byHomography(t: Track, tsMs: number): number | undefined {
    const path = t.path.filter((p) => p.tsMs <= tsMs);
    if (path.length < 2 || path[path.length - 1]!.tsMs - path[0]!.tsMs < this.cfg.minTrackS * 1000)
      return undefined;
    return medianSpeedKmh(path, this.h!, this.cfg.stepS * 1000);
  }

  private byLines(t: Track, s: SpeedState, tsMs: number): number | undefined {
    const a = anchorOf(t.boxXyxyNorm);
    const cur = { tsMs, x: a.x, y: a.y };
    const prev = s.prev;
    s.prev = cur;
    if (!prev || !this.lines || cur.tsMs <= prev.tsMs) return undefined;
    const at = (line: LineConfig) => {
      const u = crossingT([prev.x, prev.y], [cur.x, cur.y], line.points as Point2[]);
      return u === undefined ? undefined : prev.tsMs + u * (cur.tsMs - prev.tsMs);
    };
    s.firstAt ??= at(this.lines.first);
    s.secondAt ??= at(this.lines.second);
    if (s.firstAt === undefined || s.secondAt === undefined) return undefined;
    const dtS = Math.abs(s.secondAt - s.firstAt) / 1000;
    if (dtS <= 0) return Number.POSITIVE_INFINITY; // both lines in one step: implausibly fast, discarded by maxKmh
    return (this.cfg.lines!.distanceM / dtS) * 3.6;
  }
}
