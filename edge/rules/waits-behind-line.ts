// Whether a vehicle's estimated footprint lies behind a stop line: its anchor far enough back for its own box size.
import { type Point, sideOfLine } from './geometry.ts';

function pointSegmentDist2(p: Point, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2)) : 0;
  const x = a[0] + t * dx - p[0];
  const y = a[1] + t * dy - p[1];
  return x * x + y * y;
}

/** The segment of a polyline nearest to p (zero-length segments skipped); undefined when it has none. */
export function nearestSegment(points: readonly Point[], p: Point): [Point, Point] | undefined {
  let best = Number.POSITIVE_INFINITY;
  let seg: [Point, Point] | undefined;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    if (a[0] === b[0] && a[1] === b[1]) continue;
    const d = pointSegmentDist2(p, a, b);
    if (d < best) {
      best = d;
      seg = [a, b];
    }
  }
  return seg;
}

/**
 * True when the vehicle whose box has size `boxWidth` x `boxHeight` and whose anchor (box bottom-centre) is at
 * `anchor` waits wholly behind the line, on the side `approachSign` (+1/-1, sideOfLine's sign of that side).
 *
 * The box says how far the vehicle reaches beyond its anchor towards the far side. Across the line's normal n
 * (towards the far side): |n.x| * boxWidth / 2, because the anchor is the box's middle sideways, plus
 * max(0, -n.y) * boxHeight * heightShare, because the box stands above its anchor: for traffic leaving up the
 * frame the anchor is the rear wheels and the box above it is the vehicle's length on the road plus its height
 * in perspective, of which `heightShare` is taken as length; for traffic coming down the frame the anchor is
 * the front and nothing reaches beyond it. The anchor must lie at least that far behind the line.
 *
 * Computed in normalised coordinates: both sides of the comparison scale by the same factor under a different
 * width and height of the picture, so the answer does not depend on the frame's aspect or resolution.
 */
export function waitsBehindLine(
  line: readonly Point[],
  approachSign: number,
  anchor: Point,
  boxWidth: number,
  boxHeight: number,
  heightShare: number,
): boolean {
  // A box without a size (or with NaN in it) cannot say where the vehicle is: never waiting.
  if (!(boxWidth > 0 && boxHeight > 0 && Number.isFinite(boxWidth) && Number.isFinite(boxHeight)))
    return false;
  const seg = nearestSegment(line, anchor);
  if (!seg) return false;
  const [a, b] = seg;
  // sideOfLine is n . (p - a) with n = (-dy, dx), a normal of a->b; it points to the approach side when
  // approachSign is +1, so the far-side normal is -approachSign * n.
  const behind = approachSign * sideOfLine(a, b, anchor);
  if (!(behind > 0)) return false;
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const farNy = -approachSign * dx;
  const reach = (Math.abs(dy) * boxWidth) / 2 + Math.max(0, -farNy) * boxHeight * heightShare;
  return behind >= reach;
}
