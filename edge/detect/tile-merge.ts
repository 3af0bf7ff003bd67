// Merges the detections of overlapping crops in frame coordinates: NMS across crops, and boxes cut by a crop border
// joined with the other part of the same object seen by the neighbouring crop.

import type { RectNorm } from './detect-regions.ts';
import type { Detection } from './detection.ts';

export interface CropDetections {
  /** The crop, normalised of the frame. */
  crop: RectNorm;
  /** Its detections, already mapped to frame coordinates (mapToFrame). */
  detections: readonly Detection[];
}

export interface MergeOptions {
  /** Same-class IoU above which two boxes of different crops are one object (the detector's nmsIou). */
  nmsIou: number;
  /** A box edge this close to a crop border, as a share of the crop's width or height, is cut by it. */
  cutTolerance?: number;
  /** IoU above which boxes of different crops are one object whatever their classes (a car seen as a truck). */
  crossClassIou?: number;
  /** Share of the smaller box's extent across the cut two parts must overlap by to be joined. */
  joinOverlap?: number;
}

/** Default share of a crop within which a box edge counts as cut by its border (~4 model px of 416). */
export const CUT_TOLERANCE = 0.01;
export const CROSS_CLASS_IOU = 0.8;
export const JOIN_OVERLAP = 0.5;

/** A detection of a crop ([0..1] of the crop) in frame coordinates. */
export function mapToFrame(d: Detection, crop: RectNorm): Detection {
  const w = crop[2] - crop[0];
  const h = crop[3] - crop[1];
  const [x1, y1, x2, y2] = d.boxXyxyNorm;
  return {
    ...d,
    boxXyxyNorm: [crop[0] + x1 * w, crop[1] + y1 * h, crop[0] + x2 * w, crop[1] + y2 * h],
  };
}

type Box = [number, number, number, number];
/** Which edges of a box lie on a crop border inside the frame: left, top, right, bottom. */
type Cut = [boolean, boolean, boolean, boolean];

interface Item {
  det: Detection;
  box: Box;
  crops: Set<number>;
  cut: Cut;
}

function iou(a: Box, b: Box): number {
  const inter = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * overlapY(a, b);
  if (inter <= 0) return 0;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}
const overlapX = (a: Box, b: Box) => Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
const overlapY = (a: Box, b: Box) => Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));

export function cutEdges(box: Box, crop: RectNorm, tolerance: number): Cut {
  const tx = tolerance * (crop[2] - crop[0]);
  const ty = tolerance * (crop[3] - crop[1]);
  return [
    crop[0] > 0 && box[0] - crop[0] <= tx,
    crop[1] > 0 && box[1] - crop[1] <= ty,
    crop[2] < 1 && crop[2] - box[2] <= tx,
    crop[3] < 1 && crop[3] - box[3] <= ty,
  ];
}

/**
 * `a` is cut on one side and `b` is the rest of it: b reaches further out across that side, the two overlap
 * along it, and they overlap across it by at least `joinOverlap` of the smaller extent.
 */
function continues(a: Item, b: Item, joinOverlap: number): boolean {
  const [l, t, r, btm] = a.cut;
  const A = a.box;
  const B = b.box;
  const across = (o: number, ea: number, eb: number) => o >= joinOverlap * Math.min(ea, eb);
  const acrossY = across(overlapY(A, B), A[3] - A[1], B[3] - B[1]);
  const acrossX = across(overlapX(A, B), A[2] - A[0], B[2] - B[0]);
  if (acrossY && overlapX(A, B) > 0) {
    if (r && B[2] > A[2]) return true;
    if (l && B[0] < A[0]) return true;
  }
  if (acrossX && overlapY(A, B) > 0) {
    if (btm && B[3] > A[3]) return true;
    if (t && B[1] < A[1]) return true;
  }
  return false;
}

const union = (a: Box, b: Box): Box => [
  Math.min(a[0], b[0]),
  Math.min(a[1], b[1]),
  Math.max(a[2], b[2]),
  Math.max(a[3], b[3]),
];

/**
 * One detection list for the frame, best score first, greedily by score: a same-class box overlapping a kept one
 * by more than nmsIou is the same object. Within one crop the detector's NMS already ran, so otherwise two boxes
 * of the same crop stay two objects; across crops, any box overlapping by more than crossClassIou is the same
 * object, and a same-class box that continues a cut one across its crop border is its other part. Merged boxes take the union when a part was cut (the whole
 * object), else the better box.
 */
export function mergeCropDetections(crops: readonly CropDetections[], o: MergeOptions): Detection[] {
  const tol = o.cutTolerance ?? CUT_TOLERANCE;
  const crossIou = o.crossClassIou ?? CROSS_CLASS_IOU;
  const joinOverlap = o.joinOverlap ?? JOIN_OVERLAP;
  const items: Item[] = crops.flatMap((c, ci) =>
    c.detections.map((det) => {
      const box = [...det.boxXyxyNorm] as Box;
      return { det, box, crops: new Set([ci]), cut: cutEdges(box, c.crop, tol) };
    }),
  );
  items.sort((a, b) => b.det.score - a.det.score);
  const kept: Item[] = [];
  for (const d of items) {
    const [ci] = d.crops;
    const into = kept.find((k) => {
      const sameClass = k.det.classId === d.det.classId;
      const overlap = iou(k.box, d.box);
      // The detector's NMS left no such pair within one crop; after a join, a part may overlap its whole.
      if (sameClass && overlap > o.nmsIou) return true;
      if (k.crops.has(ci!)) return false;
      if (overlap > crossIou) return true;
      return sameClass && (continues(k, d, joinOverlap) || continues(d, k, joinOverlap));
    });
    if (!into) {
      kept.push(d);
      continue;
    }
    const wasCut = into.cut.some(Boolean) || d.cut.some(Boolean);
    if (wasCut) {
      into.box = union(into.box, d.box);
      into.cut = into.cut.map((v, i) => v && d.cut[i]!) as Cut;
    }
    into.crops.add(ci!);
  }
  return kept.map((k) => ({ ...k.det, boxXyxyNorm: k.box }));
}
