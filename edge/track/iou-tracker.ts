// A greedy IoU tracker: the walking skeleton's tracker, kept as a cheap fallback behind the Tracker interface.
import type { Detection } from '../detect/detection.ts';
import { anchorOf, type Track, type Tracker } from './track.ts';

export interface IouTrackerOptions {
  /** Minimum IoU to continue a track. */
  iouThreshold: number;
  /** Hits before a track is confirmed. */
  minHits: number;
  /** A track unseen for longer than this is dropped. */
  maxLostMs: number;
  /** Anchor points kept per track. */
  pathLength: number;
}

export const DEFAULT_IOU_TRACKER: IouTrackerOptions = {
  iouThreshold: 0.3,
  minHits: 3,
  maxLostMs: 1500,
  pathLength: 64,
};

function iou(a: readonly number[], b: readonly number[]): number {
  const x1 = Math.max(a[0]!, b[0]!);
  const y1 = Math.max(a[1]!, b[1]!);
  const x2 = Math.min(a[2]!, b[2]!);
  const y2 = Math.min(a[3]!, b[3]!);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = (a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter;
  return union > 0 ? inter / union : 0;
}

export class IouTracker implements Tracker {
  private tracks: Track[] = [];
  private nextId = 1;

  constructor(private readonly o: IouTrackerOptions = DEFAULT_IOU_TRACKER) {}

  update(detections: readonly Detection[], tsMs: number): Track[] {
    const pairs: { t: number; d: number; iou: number }[] = [];
    for (let ti = 0; ti < this.tracks.length; ti++) {
      const t = this.tracks[ti]!;
      for (let di = 0; di < detections.length; di++) {
        const d = detections[di]!;
        if (d.classId !== t.classId) continue;
        const v = iou(t.boxXyxyNorm, d.boxXyxyNorm);
        if (v >= this.o.iouThreshold) pairs.push({ t: ti, d: di, iou: v });
      }
    }
    pairs.sort((a, b) => b.iou - a.iou);
    const usedT = new Set<number>();
    const usedD = new Set<number>();
    const seen: Track[] = [];
    for (const p of pairs) {
      if (usedT.has(p.t) || usedD.has(p.d)) continue;
      usedT.add(p.t);
      usedD.add(p.d);
      const t = this.tracks[p.t]!;
      const d = detections[p.d]!;
      t.boxXyxyNorm = [...d.boxXyxyNorm];
      t.score = d.score;
      t.hits++;
      t.lastSeenTs = tsMs;
      t.confirmed ||= t.hits >= this.o.minHits;
      t.path.push({ tsMs, ...anchorOf(d.boxXyxyNorm), box: d.boxXyxyNorm });
      if (t.path.length > this.o.pathLength) t.path.shift();
      seen.push(t);
    }
    detections.forEach((d, di) => {
      if (usedD.has(di)) return;
      const t: Track = {
        id: this.nextId++,
        classId: d.classId,
        label: d.label,
        score: d.score,
        boxXyxyNorm: [...d.boxXyxyNorm],
        confirmed: this.o.minHits <= 1,
        hits: 1,
        firstSeenTs: tsMs,
        lastSeenTs: tsMs,
        path: [{ tsMs, ...anchorOf(d.boxXyxyNorm), box: d.boxXyxyNorm }],
      };
      this.tracks.push(t);
      seen.push(t);
    });
    this.tracks = this.tracks.filter((t) => tsMs - t.lastSeenTs <= this.o.maxLostMs);
    return seen;
  }
}
