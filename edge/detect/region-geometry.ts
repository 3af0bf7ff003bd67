// The points a camera's automatic detection region must cover: its zones, lines and each red_light approach side.
import type { CameraConfig } from '../config/schema.ts';
import type { PointNorm } from './detect-regions.ts';

/** Where a ray from p along d leaves the unit square (p itself when d is zero). */
export function rayToFrameEdge(p: PointNorm, d: PointNorm): PointNorm {
  let t = Number.POSITIVE_INFINITY;
  if (d[0] > 0) t = Math.min(t, (1 - p[0]) / d[0]);
  if (d[0] < 0) t = Math.min(t, -p[0] / d[0]);
  if (d[1] > 0) t = Math.min(t, (1 - p[1]) / d[1]);
  if (d[1] < 0) t = Math.min(t, -p[1] / d[1]);
  if (!Number.isFinite(t)) return [p[0], p[1]];
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return [clamp(p[0] + t * d[0]), clamp(p[1] + t * d[1])];
}

/**
 * The approach side of a stop line: vehicles are tracked there before they cross, so the region must reach from
 * the line towards the approach point up to the frame edge (each line vertex swept along the approach direction).
 */
export function approachBand(line: readonly PointNorm[], approachPoint: PointNorm): PointNorm[] {
  const mid: PointNorm = [
    line.reduce((s, p) => s + p[0], 0) / line.length,
    line.reduce((s, p) => s + p[1], 0) / line.length,
  ];
  const d: PointNorm = [approachPoint[0] - mid[0], approachPoint[1] - mid[1]];
  return [approachPoint, ...line.map((p) => rayToFrameEdge(p, d))];
}

export function regionGeometry(camera: Pick<CameraConfig, 'zones' | 'lines' | 'rules'>): PointNorm[] {
  const points: PointNorm[] = [];
  for (const z of camera.zones) points.push(...(z.polygon as PointNorm[]));
  for (const l of camera.lines) points.push(...(l.points as PointNorm[]));
  for (const r of camera.rules) {
    if (r.type === 'red_light') {
      const line = camera.lines.find((l) => l.id === r.line);
      if (line) points.push(...approachBand(line.points as PointNorm[], r.approachPoint as PointNorm));
    }
    if (r.type === 'speeding' && r.homography) points.push(...(r.homography.imagePointsNorm as PointNorm[]));
  }
  return points;
}
