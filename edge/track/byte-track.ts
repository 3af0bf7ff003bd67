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
//  6. lost tracks unseen for more than lostTrackBufferMs are dropped; their ids are never reused.
// Matching never pairs different classes. A matched track takes the detection's box (not the prediction).
import type { Detection } from '../detect/detection.ts';
import { boxIou } from './box-iou.ts';
import { cxcywhToXyxy, KalmanFilter, type KalmanState, xyxyToCxcywh } from './kalman-filter.ts';
import { linearAssignment } from './linear-assignment.ts';
import { anchorOf, type Track, type Tracker } from './track.ts';
import { DEFAULT_TRACKER, type TrackerConfig } from './tracker-schema.ts';

/** ByteTrack's fixed IoU for the low-score stage (match_thresh 0.5 as a distance): low boxes must overlap well. */
export const LOW_STAGE_MIN_IOU = 0.5;

interface Tracklet {
  track: Track;
  kf: KalmanState;
  state: 'tracked' | 'lost';
}

export class ByteTrack implements Tracker {
  private readonly o: TrackerConfig;
  private readonly kf = new KalmanFilter();
  private tracklets: Tracklet[] = [];
  private nextId = 1;

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
      return ageMs >= 0 && ageMs <= o.lostTrackBufferMs;
    });
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

    const kept = this.tracklets.filter((t) => !missedUnconfirmed.has(t));
    // New tracks from unmatched high-score detections that are confident enough.
    for (const di of high) {
      if (usedD.has(di)) continue;
      const d = detections[di]!;
      if (d.score < o.newTrackThresh) continue;
      const t = this.start(d, tsMs);
      kept.push(t);
      seen.push(t.track);
    }
    this.tracklets = kept;
    return seen;
  }

  private start(d: Detection, tsMs: number): Tracklet {
    return {
      kf: this.kf.initiate(xyxyToCxcywh(d.boxXyxyNorm)),
      state: 'tracked',
      track: {
        id: this.nextId++,
        classId: d.classId,
        label: d.label,
        score: d.score,
        boxXyxyNorm: [...d.boxXyxyNorm],
        confirmed: this.o.minHits <= 1,
        hits: 1,
        firstSeenTs: tsMs,
        lastSeenTs: tsMs,
        path: [{ tsMs, ...anchorOf(d.boxXyxyNorm) }],
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
    if (!tr.confirmed && tr.hits >= this.o.minHits) tr.confirmed = true;
    tr.path.push({ tsMs, ...anchorOf(d.boxXyxyNorm) });
    if (tr.path.length > this.o.pathLength) tr.path.splice(0, tr.path.length - this.o.pathLength);
  }
}
