// Illegal stop / parking: a track stationary inside a no-stopping zone for stationaryS, paused while the signal is red.
import { type Static, Type } from '@sinclair/typebox';
import type { Track } from '../track/track.ts';
import { pointInPolygon } from './geometry.ts';
import type { ZoneConfig } from './geometry-schema.ts';
import type { Rule, RuleHit, RuleInput } from './rule.ts';
import { ruleBase } from './rule-base.ts';

export const IllegalStopRuleSchema = Type.Object(
  {
    type: Type.Literal('illegal_stop'),
    ...ruleBase,
    zone: Type.String({ description: 'id of the no-stopping zone (a polygon of this camera)' }),
    stationaryS: Type.Number({
      minimum: 1,
      maximum: 86_400,
      default: 30,
      description:
        'seconds a vehicle must stay stationary in the zone (red-light time not counted) before the event starts. ' +
        'Lower catches short stops, higher spares deliveries and pick-ups.',
    }),
    maxDisplacement: Type.Number({
      exclusiveMinimum: 0,
      maximum: 0.5,
      default: 0.01,
      description:
        'largest spread of the anchor over the last windowS, as a fraction of the frame, that still counts as ' +
        'stationary (the 90th percentile of distances from the median point, so one jittery box does not count). ' +
        'Too low and box jitter of a parked car restarts the timer; too high and crawling traffic counts as stopped.',
    }),
    windowS: Type.Number({
      minimum: 0.5,
      maximum: 60,
      default: 5,
      description:
        'sliding window in seconds over which stationarity is judged (limited by the track path length the ' +
        'tracker keeps). Longer is more robust to jitter and slower to notice a stop.',
    }),
  },
  { additionalProperties: false },
);
export type IllegalStopRuleConfig = Static<typeof IllegalStopRuleSchema>;

interface StopState {
  /** Stationary, non-red ms accumulated inside the zone (the timer compared with stationaryS). */
  accumMs: number;
  /** ms the track became stationary in the zone (red included): the dwell reported to reviewers. */
  since?: number;
  lastTs: number;
  lastRed: boolean;
  /** Set once the track fired: where it is parked (window median). */
  parkedAt?: { x: number; y: number };
}

/** A step longer than this (missed frames, schedule gap) is not counted as stationary time. */
const MAX_STEP_MS = 2000;
/** State of a track not seen for this long is dropped (bounded memory). */
const FORGET_MS = 60_000;

/** Median point and robust spread of a track's anchor over the last windowMs; undefined with fewer than 2 points. */
export function windowSpread(
  track: Track,
  tsMs: number,
  windowMs: number,
): { x: number; y: number; spread: number } | undefined {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const p of track.path) {
    if (p.tsMs >= tsMs - windowMs && p.tsMs <= tsMs) {
      xs.push(p.x);
      ys.push(p.y);
    }
  }
  const last = track.path[track.path.length - 1];
  if (!last || last.tsMs !== tsMs) {
    // A path that does not yet hold this frame's point: use the box anchor.
    const b = track.boxXyxyNorm;
    xs.push((b[0] + b[2]) / 2);
    ys.push(b[3]);
  }
  if (xs.length < 2) return undefined;
  const x = median(xs);
  const y = median(ys);
  const d = xs.map((xi, i) => Math.hypot(xi - x, ys[i]! - y)).sort((a, b) => a - b);
  const spread = d[Math.min(d.length - 1, Math.ceil(0.9 * d.length) - 1)]!;
  return { x, y, spread };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Per track: the stationary timer counts the time between two consecutive frames in which the track is
 * stationary inside the zone and the signal is not red. While the signal is red the timer is PAUSED (it keeps
 * its value, counts nothing); at red -> green it resumes from the first non-red frame (the red->green step
 * itself is not counted). A vehicle queueing at the red light therefore needs stationaryS of green/amber/unknown
 * time standing still to fire, which a queue that drains at green never has. Moving (spread > maxDisplacement)
 * or leaving the zone resets the timer. Once fired, the track keeps one lasting hit (one event with periodic
 * updates) until its window median moves more than 2 x maxDisplacement from where it parked or leaves the zone —
 * red phases do not interrupt a parked car's event.
 */
export class IllegalStopRule implements Rule {
  readonly type = 'illegal_stop' as const;
  readonly id: string;
  private readonly state = new Map<number, StopState>();

  constructor(
    private readonly cfg: IllegalStopRuleConfig,
    private readonly zone: ZoneConfig,
  ) {
    this.id = cfg.id;
  }

  evaluate(input: RuleInput): RuleHit[] {
    const { tsMs } = input;
    const red = input.signal === 'red';
    const hits: RuleHit[] = [];
    for (const t of input.tracks) {
      let s = this.state.get(t.id);
      if (!s) {
        s = { accumMs: 0, lastTs: tsMs, lastRed: red };
        this.state.set(t.id, s);
      }
      const dt = Math.min(Math.max(0, tsMs - s.lastTs), MAX_STEP_MS);
      const w = windowSpread(t, tsMs, this.cfg.windowS * 1000);
      const inZone = w !== undefined && pointInPolygon(w.x, w.y, this.zone.polygon);
      if (s.parkedAt) {
        const moved = !w || Math.hypot(w.x - s.parkedAt.x, w.y - s.parkedAt.y) > 2 * this.cfg.maxDisplacement;
        if (!inZone || moved) {
          s.parkedAt = undefined;
          s.accumMs = 0;
          s.since = undefined;
        }
      } else {
        const stationary = inZone && w !== undefined && w.spread <= this.cfg.maxDisplacement;
        if (!stationary) {
          s.accumMs = 0;
          s.since = undefined;
        } else if (s.since === undefined) {
          s.since = tsMs; // time counts from here: between two consecutive stationary frames
        } else if (!red && !s.lastRed) {
          s.accumMs += dt;
        }
        if (stationary && s.accumMs >= this.cfg.stationaryS * 1000 && w) s.parkedAt = { x: w.x, y: w.y };
      }
      s.lastTs = tsMs;
      s.lastRed = red;
      if (s.parkedAt) {
        hits.push({
          key: `t${t.id}`,
          trackId: t.id,
          label: t.label,
          confidence: t.score,
          boxXyxyNorm: t.boxXyxyNorm,
          zone: this.zone.id,
          details: { dwellS: Math.round((tsMs - (s.since ?? tsMs)) / 100) / 10, signal: input.signal },
        });
      }
    }
    for (const [id, s] of this.state) if (tsMs - s.lastTs > FORGET_MS) this.state.delete(id);
    return hits;
  }
}
