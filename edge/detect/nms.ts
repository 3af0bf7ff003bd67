// Per-class greedy non-maximum suppression over flat box arrays (pure, allocation-light).

export function iouXyxy(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number): number {
  const x1 = Math.max(a[ai]!, b[bi]!);
  const y1 = Math.max(a[ai + 1]!, b[bi + 1]!);
  const x2 = Math.min(a[ai + 2]!, b[bi + 2]!);
  const y2 = Math.min(a[ai + 3]!, b[bi + 3]!);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  if (inter <= 0) return 0;
  const areaA = (a[ai + 2]! - a[ai]!) * (a[ai + 3]! - a[ai + 1]!);
  const areaB = (b[bi + 2]! - b[bi]!) * (b[bi + 3]! - b[bi + 1]!);
  return inter / (areaA + areaB - inter);
}

/**
 * Returns the indices kept, best score first. boxes holds 4 numbers (x1,y1,x2,y2) per candidate.
 * Boxes of different classes never suppress each other.
 */
export function nmsPerClass(
  boxes: ArrayLike<number>,
  scores: ArrayLike<number>,
  classes: ArrayLike<number>,
  iouThreshold: number,
): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const kept: number[] = [];
  const suppressed = new Uint8Array(scores.length);
  for (let oi = 0; oi < order.length; oi++) {
    const i = order[oi]!;
    if (suppressed[i]) continue;
    kept.push(i);
    for (let oj = oi + 1; oj < order.length; oj++) {
      const j = order[oj]!;
      if (suppressed[j] || classes[j] !== classes[i]) continue;
      if (iouXyxy(boxes, i * 4, boxes, j * 4) > iouThreshold) suppressed[j] = 1;
    }
  }
  return kept;
}
