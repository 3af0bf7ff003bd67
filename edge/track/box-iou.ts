// Intersection over union of two [x1, y1, x2, y2] boxes (0 for disjoint or degenerate boxes).
export function boxIou(a: readonly number[], b: readonly number[]): number {
  const x1 = Math.max(a[0]!, b[0]!);
  const y1 = Math.max(a[1]!, b[1]!);
  const x2 = Math.min(a[2]!, b[2]!);
  const y2 = Math.min(a[3]!, b[3]!);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  if (inter <= 0) return 0;
  const areaA = Math.max(0, a[2]! - a[0]!) * Math.max(0, a[3]! - a[1]!);
  const areaB = Math.max(0, b[2]! - b[0]!) * Math.max(0, b[3]! - b[1]!);
  const union = areaA + areaB - inter;
  return union > 0 ? inter / union : 0;
}
