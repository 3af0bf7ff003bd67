// Red-light / stop-line: a vehicle seen waiting behind the stop line crosses it (debounced) while the signal is red.
import { type Static, Type } from '@sinclair/typebox';
import { PointNorm } from '../../config/schema-helpers.ts';
import type { SignalState } from '../../contract/index.ts';
import { anchorOf, type Track } from '../track/track.ts';
import { type Point, pointInPolygon, segmentsIntersect, sideOfLine } from './geometry.ts';
import type { LineConfig, ZoneConfig } from './geometry-schema.ts';
import type { Rule, RuleHit, RuleInput } from './rule.ts';
import { ruleBase } from './rule-base.ts';
import { nearestSegment, waitsBehindLine } from './waits-behind-line.ts';

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
        'consecutive frames the vehicle must be seen waiting behind the line (see waitBehindBoxHeights) before ' +
        '(arming) and its anchor on the far side after (confirming) a crossing. Default 2: one frame of box jitter ' +
        'is not a crossing. Higher rejects more jitter but misses a fast vehicle seen only briefly (2 frames is ' +
        '0.4 s at 5 fps; frames from before the track was confirmed count, from its path).',
    }),
    waitBehindBoxHeights: Type.Number({
      minimum: 0,
      maximum: 3,
      default: 0.5,
      description:
        'how far behind the stop line a vehicle must be seen before its crossing counts, in its own box heights ' +
        '(scale-free: near and far, car and motorbike alike). The anchor is the box bottom-centre; for traffic ' +
        'leaving up the frame that is the rear wheels, and the box above it is the length on the road plus the ' +
        'height in perspective, so the anchor must lie this many box heights behind the line on debounceFrames ' +
        'consecutive frames (the vehicle waits wholly behind it). Traffic coming down the frame (anchor = front) ' +
        'needs only its anchor behind the line; traffic crossing the picture sideways (anchor = middle) needs half ' +
        'its box width behind it. A vehicle first seen on or over the line never fires. Default 0.5, measured on ' +
        'the HCMC clip: vehicles standing at the head of the queue on the paint have their anchor 0.13-0.31 box ' +
        'heights behind it, vehicles queued behind them 0.66 and more. Lower also fines a vehicle that stopped ' +
        'with its front exactly at the line and then jumps the red, at the risk of fining one already over it; ' +
        'a camera looking steeply down, where the box is mostly the vehicle on the road, needs more (towards 1).',
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
        'seconds after the signal turns red during which a vehicle leaving its place behind the line is not ' +
        'fined (committed on amber). Default 0. Local law sets it; while the state is not red (or unknown) the ' +
        'clock restarts.',
    }),
  },
  { additionalProperties: false },
);
export type RedLightRuleConfig = Static<typeof RedLightRuleSchema>;

/** A track unseen this long is forgotten (the tracker has long dropped it); keeps the state maps bounded. */
const FORGET_AFTER_MS = 60_000;
/** Path points behind the anchor used for the reported heading. */
const HEADING_POINTS = 5;
/** Frames of signal history kept, to know the signal at path points from before a track was confirmed. */
const SIGNAL_HISTORY_FRAMES = 64;

/** The signal on one frame: its state and, when red, how long it had been red. */
interface SignalAt {
  signal: SignalState;
  /** ms the signal had been red on that frame (undefined when not red). */
  redForMs: number | undefined;
}

interface Crossing extends SignalAt {
  tsMs: number;
  exempt: boolean;
  /** The step from the last approach anchor to the first far anchor cuts the drawn line (not beyond its ends). */
  throughLine: boolean;
}

interface TrackState {
  lastSeenMs: number;
  /** Consecutive frames, up to the last one, the vehicle was seen waiting wholly behind the line. */
  waitFrames: number;
  /**
   * The frame the vehicle stopped waiting behind the line after a wait of debounceFrames or more: its front
   * reached the line. Undefined until then (never armed) and after a crossing nobody saw (reset).
   */
  left: SignalAt | undefined;
  lastApproach: Point | undefined;
  farFrames: number;
  crossing: Crossing | undefined;
  /** A crossing has been confirmed (fired or not): this track never fires this rule again. */
  done: boolean;
}

/** Sign (+1, -1, 0) of p's side of a polyline: the side of its nearest segment (0 for a line without length). */
export function sideOfPolyline(points: readonly Point[], p: Point): number {
  const seg = nearestSegment(points, p);
  return seg ? Math.sign(sideOfLine(seg[0], seg[1], p)) : 0;
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
  /** The signal on the last frames, oldest first (bounded). */
  private readonly signals: ({ tsMs: number } & SignalAt)[] = [];

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
    const redForMs = signal === 'red' && this.redSinceMs !== undefined ? tsMs - this.redSinceMs : undefined;
    this.signals.push({ tsMs, signal, redForMs });
    if (this.signals.length > SIGNAL_HISTORY_FRAMES) this.signals.shift();
    const hits: RuleHit[] = [];
    for (const t of input.tracks) {
      const hit = this.step(t, tsMs);
      if (hit) hits.push(hit);
    }
    for (const [id, s] of this.states) if (tsMs - s.lastSeenMs > FORGET_AFTER_MS) this.states.delete(id);
    return hits;
  }

  /** The signal on the last frame at or before tsMs; unknown before the history starts. */
  private signalAt(tsMs: number): SignalAt {
    for (let i = this.signals.length - 1; i >= 0; i--) {
      const s = this.signals[i]!;
      if (s.tsMs <= tsMs) return { signal: s.signal, redForMs: s.redForMs };
    }
    return { signal: 'unknown', redForMs: undefined };
  }

  private step(t: Track, tsMs: number): RuleHit | undefined {
    let s = this.states.get(t.id);
    if (!s) {
      s = {
        lastSeenMs: tsMs,
        waitFrames: 0,
        left: undefined,
        lastApproach: undefined,
        farFrames: 0,
        crossing: undefined,
        done: false,
      };
      this.states.set(t.id, s);
      this.replayPath(s, t, tsMs);
    }
    s.lastSeenMs = tsMs;
    if (s.done) return undefined;
    const a = anchorOf(t.boxXyxyNorm);
    const p: Point = [a.x, a.y];
    // On the line counts as not crossed: a vehicle stopped with its wheels on the paint is not a violation.
    if (!this.isFar(p)) {
      this.seenBehind(s, p, t.boxXyxyNorm, tsMs);
      return undefined;
    }
    this.stoppedWaiting(s, tsMs);
    if (!s.left) {
      // Never seen waiting wholly behind the line (a track born on or past it): not a crossing.
      return undefined;
    }
    s.farFrames++;
    if (s.farFrames === 1) {
      const from = s.lastApproach ?? p;
      s.crossing = {
        tsMs,
        ...this.signalAt(tsMs),
        exempt: this.exemptZones.some(
          (z) => pointInPolygon(p[0], p[1], z.polygon) || pointInPolygon(from[0], from[1], z.polygon),
        ),
        throughLine: this.cutsLine(from, p),
      };
    }
    if (s.farFrames < this.cfg.debounceFrames) return undefined;
    s.done = true;
    const c = s.crossing!;
    // Red when the vehicle left its place behind the line (past the grace) and still red when its anchor crossed.
    const left = s.left;
    if (left.signal !== 'red' || left.redForMs === undefined || left.redForMs < this.cfg.graceS * 1000)
      return undefined;
    if (c.signal !== 'red') return undefined;
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

  /**
   * A track the rule sees for the first time (it has just been confirmed, or just passed the rule's filters):
   * its earlier anchors, from its path, count as sightings, sized by the box it has now. A fast vehicle is
   * confirmed minHits frames after it appeared and may be near the line by then. A crossing before the rule
   * saw the track is not judged: the track starts over past the line.
   */
  private replayPath(s: TrackState, t: Track, tsMs: number): void {
    for (const q of t.path) {
      if (q.tsMs >= tsMs) continue;
      const p: Point = [q.x, q.y];
      if (!this.isFar(p)) {
        this.seenBehind(s, p, t.boxXyxyNorm, q.tsMs);
        continue;
      }
      s.waitFrames = 0;
      s.left = undefined;
      s.lastApproach = undefined;
    }
  }

  /** A sighting with the anchor on the approach side (or on the line). */
  private seenBehind(
    s: TrackState,
    p: Point,
    box: readonly [number, number, number, number],
    tsMs: number,
  ): void {
    s.lastApproach = p;
    s.farFrames = 0;
    s.crossing = undefined;
    const waits = waitsBehindLine(
      this.line.points,
      this.approachSign,
      p,
      box[2] - box[0],
      box[3] - box[1],
      this.cfg.waitBehindBoxHeights,
    );
    if (waits) s.waitFrames++;
    else this.stoppedWaiting(s, tsMs);
  }

  /** A sighting not waiting behind the line: after a debounced wait, the vehicle leaves its place now. */
  private stoppedWaiting(s: TrackState, tsMs: number): void {
    if (s.waitFrames >= this.cfg.debounceFrames) s.left = this.signalAt(tsMs);
    s.waitFrames = 0;
  }

  private isFar(p: Point): boolean {
    return sideOfPolyline(this.line.points, p) === -this.approachSign;
  }

  private cutsLine(from: Point, to: Point): boolean {
    const pts = this.line.points;
    for (let i = 0; i + 1 < pts.length; i++)
      if (segmentsIntersect(from, to, pts[i]!, pts[i + 1]!)) return true;
    return false;
  }
}
