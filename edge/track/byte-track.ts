// ByteTrack: Kalman-predicted tracks matched to high-score detections, then to low-score ones; lost-track buffer.
//
// Per frame (Zhang et al., "ByteTrack", ECCV 2022, with class-aware matching and a lost buffer in ms):
//  1. predict every track one frame ahead (Kalman, constant velocity);
//  2. high-score detections (score >= trackThresh) <-> confirmed tracked and lost tracks, IoU >= matchIou;
//  3. low-score detections (lowThresh <= score < trackThresh) <-> the still unmatched tracked tracks, IoU >= 0.5
//     (an occluded or blurred vehicle keeps its id); tracked tracks still unmatched become lost;
//  4. remaining high-score detections <-> unconfirmed tracks; an unconfirmed track that misses is dropped,
//     so confirmation needs minHits consecutive frames;
//  5. remaining detections scoring >= newTrackThresh start new tracks (a low-score detection never does);
//  6. lost tracks unseen for more than lostTrackBufferMs are dropped; their ids are never reused, except by
//     re-identification:
//  7. a new track, when it is confirmed, continues a lost one and takes back its id, first sighting and path:
//     - moving: its first box lay inside the lost track's Kalman gate (squared Mahalanobis distance <=
//       CHI2_95_4DOF, DeepSORT's gate, which widens while the track is only predicted), the lost track stayed lost
//       until confirmation, within lostTrackBufferMs only. This repairs switches stage 1's IoU misses (a vehicle
//       braking, turning or changing size while hidden);
//     - stationary: a track lost while standing still is remembered for reidStationaryMs; a new track of its class
//       that stands on its last box (IoU >= reidIou at its first frame and at confirmation) is the same vehicle
//       (a parked car hidden by a passing bus).
//     A moving vehicle is never re-identified by position after a longer gap: the next vehicle in the lane passes
//     the same place a few seconds later. Both tracks must never have been seen in the same frame.
// Matching never pairs different classes. A matched track takes the detection's box (not the prediction).
import type { Detection } from '../detect/detection.ts';
import { boxIou } from './box-iou.ts';
import { CHI2_95_4DOF, cxcywhToXyxy, KalmanFilter, type KalmanState, xyxyToCxcywh } from './kalman-filter.ts';
import { linearAssignment } from './linear-assignment.ts';
import { anchorOf, type Track, type Tracker } from './track.ts';
import { DEFAULT_TRACKER, type TrackerConfig } from './tracker-schema.ts';

/** ByteTrack's fixed IoU for the low-score stage (match_thresh 0.5 as a distance): low boxes must overlap well. */
export const LOW_STAGE_MIN_IOU = 0.5;

/**
 * A track is standing still when, over the last STATIONARY_WINDOW_MS of its path (spanning at least
 * STATIONARY_MIN_SPAN_MS), every anchor lies within STATIONARY_RADIUS_BOX box heights of their median. Relative to
 * the box, so a near and a far car are judged alike; 0.15 of a car's height is well above a parked car's box jitter
 * and below what a queue creeping forward covers in 2 s.
 */
export const STATIONARY_WINDOW_MS = 2000;
export const STATIONARY_MIN_SPAN_MS = 1500;
export const STATIONARY_RADIUS_BOX = 0.15;
/** Stationary lost tracks remembered at most (oldest forgotten first): bounds memory and matching work. */
const MAX_PARKED = 256;

type Box = [number, number, number, number];

interface Tracklet {
  track: Track;
  kf: KalmanState;
  state: 'tracked' | 'lost';
  /** The detection box the track was born on (re-identification checks it). */
  firstBox: Box;
  /**
   * New tracks: the lost tracks whose Kalman gate held the first box, with the squared Mahalanobis distance
   * (moving re-identification candidates).
   */
  gatedAtBirth?: Map<Tracklet, number>;
  /** Set on the frame an unconfirmed track becomes confirmed. */
  confirmedNow?: boolean;
}

/** How many new tracks took back the id of a lost one, by kind. */
export interface Reidentifications {
  moving: number;
  stationary: number;
}

export class ByteTrack implements Tracker {
  private readonly o: TrackerConfig;
  private readonly kf = new KalmanFilter();
  private tracklets: Tracklet[] = [];
  /** Confirmed tracks dropped from the lost buffer while standing still, oldest first (stationary re-id). */
  private parked: Track[] = [];
  private nextId = 1;
  readonly reidentified: Reidentifications = { moving: 0, stationary: 0 };

  constructor(options: Partial<TrackerConfig> = {}) {
    this.o = { ...DEFAULT_TRACKER, ...options };
  }

  /** Tracks kept between frames (tracked, unconfirmed and lost); for tests and metrics. */
  get size(): number {
    return this.tracklets.length;
  }

  update(detections: readonly Detection[], tsMs: number): Track[] {
    const o = this.o;
    const high: number[] = [];
    const low: number[] = [];
    detections.forEach((d, i) => {
      if (d.score >= o.trackThresh) high.push(i);
      else if (d.score >= o.lowThresh) low.push(i);
    });

    // A lost track past its buffer is gone before matching, so it cannot be re-found with its old id. A frame
    // time before a track's last sighting (the source clock was reset) ends it too, or it would never expire.
    this.tracklets = this.tracklets.filter((t) => {
      const ageMs = tsMs - t.track.lastSeenTs;
      const keep = ageMs >= 0 && ageMs <= o.lostTrackBufferMs;
      if (!keep && ageMs >= 0 && t.track.confirmed && o.reidStationaryMs > 0 && isStationary(t.track))
        this.parked.push(t.track);
      return keep;
    });
    // The window is measured to the new track's first frame: keep an entry while a young track born within it
    // may still claim it at its confirmation.
    const youngest = Math.min(
      tsMs,
      ...this.tracklets.filter((t) => !t.track.confirmed).map((t) => t.track.firstSeenTs),
    );
    this.parked = this.parked.filter((t) => {
      const ageMs = tsMs - t.lastSeenTs;
      return ageMs >= 0 && youngest - t.lastSeenTs <= o.reidStationaryMs;
    });
    if (this.parked.length > MAX_PARKED) this.parked.splice(0, this.parked.length - MAX_PARKED);
    for (const t of this.tracklets) {
      // As ByteTrack: a lost track keeps drifting with its velocity but stops growing or shrinking.
      if (t.state === 'lost') t.kf.mean[6] = t.kf.mean[7] = 0;
      t.kf = this.kf.predict(t.kf);
    }
    const predicted = new Map(this.tracklets.map((t) => [t, cxcywhToXyxy(t.kf.mean)]));

    const seen: Track[] = [];
    const matchedT = new Set<Tracklet>();
    const usedD = new Set<number>();
    const associate = (tracks: Tracklet[], dets: number[], minIou: number): Tracklet[] => {
      const cost = tracks.map((t) =>
        dets.map((di) => {
          const d = detections[di]!;
          if (d.classId !== t.track.classId) return Number.POSITIVE_INFINITY;
          return 1 - boxIou(predicted.get(t)!, d.boxXyxyNorm);
        }),
      );
      const { matches, unmatchedRows } = linearAssignment(cost, dets.length, 1 - minIou);
      for (const [ti, dj] of matches) {
        const t = tracks[ti]!;
        const di = dets[dj]!;
        this.apply(t, detections[di]!, tsMs);
        matchedT.add(t);
        usedD.add(di);
        seen.push(t.track);
      }
      return unmatchedRows.map((i) => tracks[i]!);
    };

    // Stage 1: high-score detections to confirmed tracks, tracked or lost.
    const pool = this.tracklets.filter((t) => t.track.confirmed);
    const rest = associate(pool, high, o.matchIou);
    // Stage 2: low-score detections to the tracked tracks stage 1 left over.
    const stillTracked = associate(
      rest.filter((t) => t.state === 'tracked'),
      low,
      LOW_STAGE_MIN_IOU,
    );
    for (const t of stillTracked) t.state = 'lost';
    // Stage 3: remaining high-score detections to unconfirmed tracks; a miss ends an unconfirmed track.
    const unconfirmed = this.tracklets.filter((t) => !t.track.confirmed);
    const missedUnconfirmed = new Set(
      associate(
        unconfirmed,
        high.filter((i) => !usedD.has(i)),
        o.matchIou,
      ),
    );

    let kept = this.tracklets.filter((t) => !missedUnconfirmed.has(t));
    // New tracks from unmatched high-score detections that are confident enough.
    const lostNow = kept.filter((t) => t.state === 'lost' && !matchedT.has(t));
    for (const di of high) {
      if (usedD.has(di)) continue;
      const d = detections[di]!;
      if (d.score < o.newTrackThresh) continue;
      const t = this.start(d, tsMs);
      const z = xyxyToCxcywh(d.boxXyxyNorm);
      const gated = new Map<Tracklet, number>();
      for (const l of lostNow) {
        if (l.track.classId !== d.classId) continue;
        const d2 = this.kf.gatingDistance(l.kf, z);
        if (d2 <= CHI2_95_4DOF) gated.set(l, d2);
      }
      if (gated.size > 0) t.gatedAtBirth = gated;
      kept.push(t);
      seen.push(t.track);
    }
    const absorbed = this.reidentify(
      kept.filter((t) => t.confirmedNow),
      kept,
    );
    if (absorbed.size > 0) kept = kept.filter((t) => !absorbed.has(t));
    this.tracklets = kept;
    return seen;
  }

  /**
   * Newly confirmed tracks that continue a lost track take back its id (see the header, step 7). Returns the lost
   * tracklets absorbed. Moving candidates (Kalman gate) are preferred to stationary ones (IoU); the closest wins.
   */
  private reidentify(confirmed: readonly Tracklet[], tracklets: readonly Tracklet[]): Set<Tracklet> {
    const absorbed = new Set<Tracklet>();
    for (const t of confirmed) {
      t.confirmedNow = false;
      const born = t.track.firstSeenTs;
      const gated = t.gatedAtBirth ?? new Map<Tracklet, number>();
      t.gatedAtBirth = undefined;
      const box = t.track.boxXyxyNorm;
      let moving: { l: Tracklet; d2: number } | undefined;
      for (const l of gated.keys()) {
        // Still lost (not re-found by its own detections), still in the buffer, and never seen with this track.
        if (absorbed.has(l) || l.state !== 'lost' || !tracklets.includes(l) || l.track.lastSeenTs >= born)
          continue;
        // Ranked by the distance at birth: the prediction keeps the old speed, so a vehicle that braked while
        // hidden drifts out of the gate again during confirmation although it is the same vehicle.
        const d2 = gated.get(l)!;
        if (!moving || d2 < moving.d2) moving = { l, d2 };
      }
      if (moving) {
        absorbed.add(moving.l);
        this.takeOver(t.track, moving.l.track);
        this.reidentified.moving++;
        continue;
      }
      if (this.o.reidStationaryMs <= 0 || !isStationary(t.track, false)) continue;
      let still: { track: Track; iou: number; tracklet?: Tracklet } | undefined;
      const consider = (old: Track, tracklet?: Tracklet) => {
        if (old.classId !== t.track.classId || old.lastSeenTs >= born) return;
        if (born - old.lastSeenTs > this.o.reidStationaryMs) return;
        const iou = Math.min(boxIou(old.boxXyxyNorm, t.firstBox), boxIou(old.boxXyxyNorm, box));
        if (iou >= this.o.reidIou && (!still || iou > still.iou)) still = { track: old, iou, tracklet };
      };
      for (const old of this.parked) consider(old);
      for (const l of tracklets)
        if (l.state === 'lost' && !absorbed.has(l) && isStationary(l.track)) consider(l.track, l);
      if (!still) continue;
      const found: { track: Track; tracklet?: Tracklet } = still;
      if (found.tracklet) absorbed.add(found.tracklet);
      else this.parked = this.parked.filter((p) => p !== found.track);
      this.takeOver(t.track, found.track);
      this.reidentified.stationary++;
    }
    return absorbed;
  }

  /** The new track becomes the old one: its id, first sighting, hits and path (old points first). */
  private takeOver(track: Track, old: Track): void {
    track.id = old.id;
    track.firstSeenTs = old.firstSeenTs;
    track.hits += old.hits;
    track.path = [...old.path, ...track.path].slice(-this.o.pathLength);
  }

  private start(d: Detection, tsMs: number): Tracklet {
    const confirmed = this.o.minHits <= 1;
    return {
      kf: this.kf.initiate(xyxyToCxcywh(d.boxXyxyNorm)),
      state: 'tracked',
      firstBox: [...d.boxXyxyNorm],
      confirmedNow: confirmed,
      track: {
        id: this.nextId++,
        classId: d.classId,
        label: d.label,
        score: d.score,
        boxXyxyNorm: [...d.boxXyxyNorm],
        confirmed,
        hits: 1,
        firstSeenTs: tsMs,
        lastSeenTs: tsMs,
        path: [{ tsMs, ...anchorOf(d.boxXyxyNorm), box: d.boxXyxyNorm }],
      },
    };
  }

  private apply(t: Tracklet, d: Detection, tsMs: number): void {
    t.kf = this.kf.update(t.kf, xyxyToCxcywh(d.boxXyxyNorm));
    t.state = 'tracked';
    const tr = t.track;
    tr.boxXyxyNorm = [...d.boxXyxyNorm];
    tr.score = d.score;
    tr.hits++;
    tr.lastSeenTs = tsMs;
    if (!tr.confirmed && tr.hits >= this.o.minHits) {
      tr.confirmed = true;
      t.confirmedNow = true;
    }
    tr.path.push({ tsMs, ...anchorOf(d.boxXyxyNorm), box: d.boxXyxyNorm });
    if (tr.path.length > this.o.pathLength) tr.path.splice(0, tr.path.length - this.o.pathLength);
  }
}

/**
 * Whether a track stood still at its last sighting (see STATIONARY_RADIUS_BOX). `needSpan` false judges a young
 * track on whatever path it has: a new track is checked at confirmation, minHits frames in (one point with minHits 1).
 */
export function isStationary(track: Track, needSpan = true): boolean {
  const from = track.lastSeenTs - STATIONARY_WINDOW_MS;
  const pts = track.path.filter((p) => p.tsMs >= from && p.tsMs <= track.lastSeenTs);
  if (pts.length < (needSpan ? 2 : 1)) return false;
  if (needSpan && pts[pts.length - 1]!.tsMs - pts[0]!.tsMs < STATIONARY_MIN_SPAN_MS) return false;
  const mx = median(pts.map((p) => p.x));
  const my = median(pts.map((p) => p.y));
  const radius = STATIONARY_RADIUS_BOX * (track.boxXyxyNorm[3] - track.boxXyxyNorm[1]);
  return pts.every((p) => Math.hypot(p.x - mx, p.y - my) <= radius);
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
