// Plane geometry over normalised coordinates: point in polygon, segment intersection, signed side of a line.
export type Point = readonly [number, number];

/** Ray casting; points on the boundary may fall either way (irrelevant at pixel scale). Degenerate polygons contain nothing. */
export function pointInPolygon(x: number, y: number, polygon: readonly Point[]): boolean {
  if (polygon.length < 3) return false;
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Cross product sign of (b-a) x (p-a): > 0 left of a->b, < 0 right, 0 on the line. */
export function sideOfLine(a: Point, b: Point, p: Point): number {
  return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
}

/** Proper or touching intersection of segments p1-p2 and q1-q2. */
export function segmentsIntersect(p1: Point, p2: Point, q1: Point, q2: Point): boolean {
  const d1 = sideOfLine(q1, q2, p1);
  const d2 = sideOfLine(q1, q2, p2);
  const d3 = sideOfLine(p1, p2, q1);
  const d4 = sideOfLine(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  const onSeg = (a: Point, b: Point, p: Point) =>
    Math.min(a[0], b[0]) <= p[0] &&
    p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] &&
    p[1] <= Math.max(a[1], b[1]);
  return (
    (d1 === 0 && onSeg(q1, q2, p1)) ||
    (d2 === 0 && onSeg(q1, q2, p2)) ||
    (d3 === 0 && onSeg(p1, p2, q1)) ||
    (d4 === 0 && onSeg(p1, p2, q2))
  );
}

export function boxArea(box: readonly [number, number, number, number]): number {
  return Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]);
}

/** Whether segment a-b touches any segment of the polyline (a zero-length polyline segment is skipped). */
export function segmentCrossesPolyline(a: Point, b: Point, polyline: readonly Point[]): boolean {
  for (let i = 0; i + 1 < polyline.length; i++) {
    const q1 = polyline[i]!;
    const q2 = polyline[i + 1]!;
    if (q1[0] === q2[0] && q1[1] === q2[1]) continue;
    if (segmentsIntersect(a, b, q1, q2)) return true;
  }
  return false;
}

/** Unsigned angle in degrees (0..180) between two vectors; undefined if either has zero length. */
export function angleBetweenDeg(u: Point, v: Point): number | undefined {
  const nu = Math.hypot(u[0], u[1]);
  const nv = Math.hypot(v[0], v[1]);
  if (nu === 0 || nv === 0) return undefined;
  const c = Math.max(-1, Math.min(1, (u[0] * v[0] + u[1] * v[1]) / (nu * nv)));
  return (Math.acos(c) * 180) / Math.PI;
}

/** The smallest box holding every box (normalised xyxy); [1, 1, 0, 0] for none. */
export function unionBox(
  boxes: Iterable<readonly [number, number, number, number]>,
): [number, number, number, number] {
  const box: [number, number, number, number] = [1, 1, 0, 0];
  for (const b of boxes) {
    box[0] = Math.min(box[0], b[0]);
    box[1] = Math.min(box[1], b[1]);
    box[2] = Math.max(box[2], b[2]);
    box[3] = Math.max(box[3], b[3]);
  }
  return box;
}
