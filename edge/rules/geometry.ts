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
