// How far two detectors agree on one frame: same-class boxes paired greedily by IoU (best first), for checking
// that a derived model (another input shape) still finds what the original finds.
import type { Detection } from './detection.ts';
import { iouXyxy } from './nms.ts';

export interface Agreement {
  /** Detections of the reference run and of the candidate run. */
  reference: number;
  candidate: number;
  /** Pairs of one class with IoU >= the threshold; each detection is in at most one pair. */
  matched: number;
  /** matched / reference (1 when the reference found nothing) and matched / candidate (likewise). */
  recall: number;
  precision: number;
  /** Mean |score difference| over the pairs (0 without pairs). */
  meanScoreDiff: number;
}

export function detectionAgreement(
  reference: readonly Detection[],
  candidate: readonly Detection[],
  minIou = 0.5,
): Agreement {
  const pairs: { i: number; j: number; iou: number }[] = [];
  for (let i = 0; i < reference.length; i++) {
    for (let j = 0; j < candidate.length; j++) {
      if (reference[i]!.classId !== candidate[j]!.classId) continue;
      const iou = iouXyxy(reference[i]!.boxXyxyNorm, 0, candidate[j]!.boxXyxyNorm, 0);
      if (iou >= minIou) pairs.push({ i, j, iou });
    }
  }
  pairs.sort((a, b) => b.iou - a.iou);
  const usedRef = new Set<number>();
  const usedCand = new Set<number>();
  let scoreDiff = 0;
  for (const p of pairs) {
    if (usedRef.has(p.i) || usedCand.has(p.j)) continue;
    usedRef.add(p.i);
    usedCand.add(p.j);
    scoreDiff += Math.abs(reference[p.i]!.score - candidate[p.j]!.score);
  }
  const matched = usedRef.size;
  return {
    reference: reference.length,
    candidate: candidate.length,
    matched,
    recall: reference.length ? matched / reference.length : 1,
    precision: candidate.length ? matched / candidate.length : 1,
    meanScoreDiff: matched ? scoreDiff / matched : 0,
  };
}
