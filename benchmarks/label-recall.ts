// Scores detections and confirmed tracks against labelled boxes (test/fixtures/riders-labelled.json): detection
// recall at IoU >= 0.5, confirmed-track recall, id switches (pure; the clip runner is region-recall.ts).
import { boxIou } from '../edge/track/box-iou.ts';

export type Box = [number, number, number, number];
export type LabelKind = 'rider' | 'vehicle';

export interface LabelledObject {
  id: number;
  kind: LabelKind;
  box: Box;
}
export interface LabelledFrame {
  tS: number;
  objects: LabelledObject[];
}
export interface LabelledClip {
  /** Every object whose anchor is inside this polygon is labelled (seen on at least 3 labelled frames). */
  roi: [number, number][];
  frames: LabelledFrame[];
}

/** What the system reported on one analysed frame: detections and confirmed tracks, by label. */
export interface SeenFrame {
  tS: number;
  detections: { label: string; box: Box; score?: number }[];
  tracks: { id: number; label: string; box: Box }[];
}

/** Classes that count as finding a label: the model sees a rider as its two-wheeler, or as a person, or both. */
export const KIND_CLASSES: Record<LabelKind, readonly string[]> = {
  rider: ['motorcycle', 'bicycle', 'person'],
  vehicle: ['car', 'bus', 'truck', 'motorcycle'],
};
export const MATCH_IOU = 0.5;

export interface KindScore {
  objects: number;
  boxes: number;
  /** Labelled boxes found by a detection (IoU >= 0.5), over all labelled boxes. */
  detectionRecall: number;
  /** Labelled boxes covered by a confirmed track (IoU >= 0.5), over all labelled boxes. */
  trackRecall: number;
  /** Objects covered by a confirmed track on at least half of their labelled frames. */
  objectTrackRecall: number;
  /**
   * Consecutive covered frames of one object that share no covering track id, summed (a rider covered by its
   * person track and its motorbike track at once switches only when neither goes on).
   */
  idSwitches: number;
}

const center = (b: Box): [number, number] => [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
const inside = (p: [number, number], b: Box) => p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3];
const unionOf = (boxes: Box[]): Box => [
  Math.min(...boxes.map((b) => b[0])),
  Math.min(...boxes.map((b) => b[1])),
  Math.max(...boxes.map((b) => b[2])),
  Math.max(...boxes.map((b) => b[3])),
];

/**
 * The candidate that covers a label, or undefined: the best single box at IoU >= 0.5, else the union of the
 * candidates centred inside the label (a rider seen as a person above a motorbike) when that reaches 0.5.
 */
export function cover<T extends { label: string; box: Box }>(
  label: LabelledObject,
  candidates: readonly T[],
): T | undefined {
  const allowed = candidates.filter((c) => KIND_CLASSES[label.kind].includes(c.label));
  let best: T | undefined;
  let bestIou = 0;
  for (const c of allowed) {
    const v = boxIou(c.box, label.box);
    if (v > bestIou) [best, bestIou] = [c, v];
  }
  if (bestIou >= MATCH_IOU) return best;
  const parts = allowed.filter((c) => inside(center(c.box), label.box));
  if (parts.length >= 2 && boxIou(unionOf(parts.map((p) => p.box)), label.box) >= MATCH_IOU)
    return parts.reduce((a, b) => (boxIou(b.box, label.box) > boxIou(a.box, label.box) ? b : a));
  return undefined;
}

/** The seen frame for a labelled time: the analysed frame nearest to it within half a 5 fps interval. */
function seenAt(seen: readonly SeenFrame[], tS: number): SeenFrame | undefined {
  let best: SeenFrame | undefined;
  for (const f of seen) if (!best || Math.abs(f.tS - tS) < Math.abs(best.tS - tS)) best = f;
  return best && Math.abs(best.tS - tS) <= 0.1 ? best : undefined;
}

/** Ids of the confirmed tracks of allowed classes overlapping a covered label (IoU >= 0.3 or centred inside). */
function coveringIds(label: LabelledObject, tracks: SeenFrame['tracks']): Set<number> {
  return new Set(
    tracks
      .filter((t) => KIND_CLASSES[label.kind].includes(t.label))
      .filter((t) => boxIou(t.box, label.box) >= 0.3 || inside(center(t.box), label.box))
      .map((t) => t.id),
  );
}

export function scoreLabels(
  labels: readonly LabelledFrame[],
  seen: readonly SeenFrame[],
  kind: LabelKind,
): KindScore {
  let boxes = 0;
  let found = 0;
  let tracked = 0;
  const perObject = new Map<number, (Set<number> | undefined)[]>();
  for (const lf of labels) {
    const f = seenAt(seen, lf.tS);
    for (const o of lf.objects) {
      if (o.kind !== kind) continue;
      boxes++;
      if (f && cover(o, f.detections)) found++;
      const t = f ? cover(o, f.tracks) : undefined;
      if (t) tracked++;
      const ids = perObject.get(o.id) ?? [];
      ids.push(t ? coveringIds(o, f!.tracks) : undefined);
      perObject.set(o.id, ids);
    }
  }
  let objectsTracked = 0;
  let idSwitches = 0;
  for (const ids of perObject.values()) {
    const covered = ids.filter((i): i is Set<number> => i !== undefined);
    if (covered.length * 2 >= ids.length) objectsTracked++;
    for (let i = 1; i < covered.length; i++)
      if (![...covered[i]!].some((id) => covered[i - 1]!.has(id))) idSwitches++;
  }
  const ratio = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 1000) / 1000);
  return {
    objects: perObject.size,
    boxes,
    detectionRecall: ratio(found, boxes),
    trackRecall: ratio(tracked, boxes),
    objectTrackRecall: ratio(objectsTracked, perObject.size),
    idSwitches,
  };
}

/** Ray-casting point in polygon. */
function inPolygon(p: [number, number], poly: readonly [number, number][]): boolean {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

/**
 * Confirmed tracks with their anchor inside the roi on some labelled frame that overlap no labelled object
 * (IoU >= 0.3) on any labelled frame: tracks of nothing, since every object in the roi is labelled.
 */
export function falseTracks(clip: LabelledClip, seen: readonly SeenFrame[]): number {
  const inRoi = new Set<number>();
  const real = new Set<number>();
  for (const lf of clip.frames) {
    const f = seenAt(seen, lf.tS);
    for (const t of f?.tracks ?? []) {
      if (inPolygon([(t.box[0] + t.box[2]) / 2, t.box[3]], clip.roi)) inRoi.add(t.id);
      if (lf.objects.some((o) => boxIou(o.box, t.box) >= 0.3)) real.add(t.id);
    }
  }
  return [...inRoi].filter((id) => !real.has(id)).length;
}
