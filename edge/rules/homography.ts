// A planar homography from exactly 4 point correspondences (DLT with h33 = 1), used to map image points to ground metres.
export type Point2 = readonly [number, number];
/** Row-major 3x3, h[8] = 1. */
export type Homography = readonly number[];

/** Twice the triangle area relative to the squared spread of the points: ~0 means collinear. */
function collinearity(a: Point2, b: Point2, c: Point2): number {
  const cross = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  const scale = Math.max(
    Math.hypot(b[0] - a[0], b[1] - a[1]),
    Math.hypot(c[0] - a[0], c[1] - a[1]),
    Math.hypot(c[0] - b[0], c[1] - b[1]),
  );
  return scale === 0 ? 0 : Math.abs(cross) / (scale * scale);
}

/** Returns a reason when 4 points cannot define a homography (3 of them collinear or repeated), else undefined. */
export function degeneracy(points: readonly Point2[], name: string): string | undefined {
  if (points.length !== 4) return `${name} needs exactly 4 points, got ${points.length}`;
  for (let i = 0; i < 4; i++) {
    for (let j = i + 1; j < 4; j++) {
      for (let k = j + 1; k < 4; k++) {
        if (collinearity(points[i]!, points[j]!, points[k]!) < 1e-3)
          return `${name} points ${i}, ${j} and ${k} are collinear or repeated (pick 4 points, no 3 on one line)`;
      }
    }
  }
  return undefined;
}

/** Solves H with dst ~ H * src for 4 correspondences; throws with a clear message on degenerate input. */
export function solveHomography(src: readonly Point2[], dst: readonly Point2[]): Homography {
  const bad = degeneracy(src, 'source') ?? degeneracy(dst, 'destination');
  if (bad) throw new Error(`homography: ${bad}`);
  // 8 unknowns h0..h7; each correspondence gives two rows:
  // x*h0 + y*h1 + h2 - X*x*h6 - X*y*h7 = X ;  x*h3 + y*h4 + h5 - Y*x*h6 - Y*y*h7 = Y
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = src[i]!;
    const [X, Y] = dst[i]!;
    a.push([x, y, 1, 0, 0, 0, -X * x, -X * y, X]);
    a.push([0, 0, 0, x, y, 1, -Y * x, -Y * y, Y]);
  }
  // Gaussian elimination with partial pivoting on the augmented 8x9 matrix.
  for (let col = 0; col < 8; col++) {
    let piv = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[piv]![col]!)) piv = r;
    if (Math.abs(a[piv]![col]!) < 1e-12) throw new Error('homography: singular system (degenerate points)');
    [a[col], a[piv]] = [a[piv]!, a[col]!];
    const p = a[col]!;
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const row = a[r]!;
      const f = row[col]! / p[col]!;
      if (f === 0) continue;
      for (let c = col; c < 9; c++) row[c]! -= f * p[c]!;
    }
  }
  const h = a.map((row, i) => row[8]! / row[i]!);
  return [...h, 1];
}

/** Maps a point through H; undefined when it maps to infinity (a point on the horizon line). */
export function applyHomography(h: Homography, x: number, y: number): [number, number] | undefined {
  const w = h[6]! * x + h[7]! * y + h[8]!;
  if (Math.abs(w) < 1e-12) return undefined;
  return [(h[0]! * x + h[1]! * y + h[2]!) / w, (h[3]! * x + h[4]! * y + h[5]!) / w];
}
