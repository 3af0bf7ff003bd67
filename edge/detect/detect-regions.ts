// Plans a camera's detection crops: the region(s) from its geometry or config, grown to the model shape, then tiled.
import type { RegionsConfig } from './region-schema.ts';

/** [x1, y1, x2, y2], normalised 0..1 of the frame. */
export type RectNorm = [number, number, number, number];
export type PointNorm = [number, number];

export const FULL_FRAME: RectNorm = [0, 0, 1, 1];

/** A region edge this close to the frame edge (normalised) goes to the frame edge: no sliver is left out. */
export const EDGE_SNAP_NORM = 0.03;

export interface PlanSize {
  sourceWidth: number;
  sourceHeight: number;
  modelWidth: number;
  modelHeight: number;
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** The bounding box of points plus a margin, clamped to the frame, edges near the frame snapped onto it. */
export function boundsWithMargin(points: readonly PointNorm[], marginNorm: number): RectNorm {
  if (points.length === 0) return [...FULL_FRAME];
  let [x1, y1, x2, y2] = [1, 1, 0, 0];
  for (const [x, y] of points) {
    x1 = Math.min(x1, x);
    y1 = Math.min(y1, y);
    x2 = Math.max(x2, x);
    y2 = Math.max(y2, y);
  }
  const snapLo = (v: number) => (v <= EDGE_SNAP_NORM ? 0 : v);
  const snapHi = (v: number) => (v >= 1 - EDGE_SNAP_NORM ? 1 : v);
  return [
    snapLo(clamp01(x1 - marginNorm)),
    snapLo(clamp01(y1 - marginNorm)),
    snapHi(clamp01(x2 + marginNorm)),
    snapHi(clamp01(y2 + marginNorm)),
  ];
}

/**
 * Grows a span [lo, hi] of the unit interval to `length` around its centre, shifted to stay inside 0..1; it never
 * shrinks, and an edge already on the frame edge stays there.
 */
function growSpan(lo: number, hi: number, length: number): [number, number] {
  if (length >= 1) return [0, 1];
  if (hi - lo >= length) return [lo, hi];
  const extra = length - (hi - lo);
  let a = lo - extra / 2;
  let b = hi + extra / 2;
  if (lo === 0 || a < 0) [a, b] = [0, b - a];
  if (hi === 1 || b > 1) [a, b] = [a - (b - 1), 1];
  return [Math.max(0, a), Math.min(1, b)];
}

/** Shrink factor (source px per model px) of a crop letterboxed into the model input. */
export function downscaleOf(rect: RectNorm, s: PlanSize): number {
  const w = (rect[2] - rect[0]) * s.sourceWidth;
  const h = (rect[3] - rect[1]) * s.sourceHeight;
  return Math.max(w / s.modelWidth, h / s.modelHeight);
}

/** The tile grid for a region: the fewest tiles meeting maxDownscale, else the least shrink within maxTiles. */
export function chooseGrid(
  region: RectNorm,
  s: PlanSize,
  cfg: Pick<RegionsConfig, 'maxDownscale' | 'maxTiles' | 'overlapNorm' | 'tiles'>,
): { columns: number; rows: number } {
  if (cfg.tiles) return cfg.tiles;
  let best = { columns: 1, rows: 1, tiles: 1, scale: Number.POSITIVE_INFINITY };
  for (let columns = 1; columns <= cfg.maxTiles; columns++) {
    for (let rows = 1; columns * rows <= cfg.maxTiles; rows++) {
      const tile = tileSize(region, columns, rows, cfg.overlapNorm);
      const scale = Math.max(
        (tile.w * s.sourceWidth) / s.modelWidth,
        (tile.h * s.sourceHeight) / s.modelHeight,
      );
      const tiles = columns * rows;
      const meets = scale <= cfg.maxDownscale;
      const bestMeets = best.scale <= cfg.maxDownscale;
      const better = meets
        ? !bestMeets || tiles < best.tiles || (tiles === best.tiles && scale < best.scale)
        : !bestMeets && scale < best.scale - 1e-9;
      if (better) best = { columns, rows, tiles, scale };
    }
  }
  return { columns: best.columns, rows: best.rows };
}

function tileSize(region: RectNorm, columns: number, rows: number, overlap: number) {
  return {
    w: (region[2] - region[0]) / (columns - (columns - 1) * overlap),
    h: (region[3] - region[1]) / (rows - (rows - 1) * overlap),
  };
}

/**
 * Grows a region so each of its tiles has the model's aspect ratio and at least the model's size in source
 * pixels (more picture for the same inference; no upscaling), never beyond the frame.
 */
export function growRegion(
  region: RectNorm,
  grid: { columns: number; rows: number },
  overlap: number,
  s: PlanSize,
): RectNorm {
  const tile = tileSize(region, grid.columns, grid.rows, overlap);
  const scale = Math.max(
    (tile.w * s.sourceWidth) / s.modelWidth,
    (tile.h * s.sourceHeight) / s.modelHeight,
    1,
  );
  const tileW = (scale * s.modelWidth) / s.sourceWidth;
  const tileH = (scale * s.modelHeight) / s.sourceHeight;
  const span = (n: number, t: number) => t * (n - (n - 1) * overlap);
  const [x1, x2] = growSpan(region[0], region[2], span(grid.columns, tileW));
  const [y1, y2] = growSpan(region[1], region[3], span(grid.rows, tileH));
  return [x1, y1, x2, y2];
}

/** Cuts a region into columns x rows tiles overlapping by `overlap` of a tile; the outer tiles end on its edges. */
export function tileRegion(
  region: RectNorm,
  grid: { columns: number; rows: number },
  overlap: number,
): RectNorm[] {
  const { w, h } = tileSize(region, grid.columns, grid.rows, overlap);
  const tiles: RectNorm[] = [];
  for (let r = 0; r < grid.rows; r++) {
    for (let c = 0; c < grid.columns; c++) {
      const x1 = region[0] + c * w * (1 - overlap);
      const y1 = region[1] + r * h * (1 - overlap);
      tiles.push([
        x1,
        y1,
        c === grid.columns - 1 ? region[2] : x1 + w,
        r === grid.rows - 1 ? region[3] : y1 + h,
      ]);
    }
  }
  return tiles;
}

/**
 * The crops the detector runs on for one camera, normalised of the frame. A single crop covering the whole
 * frame is returned as [FULL_FRAME]: the caller then detects on the frame itself (also in mode auto for a camera
 * without geometry).
 */
export function planCrops(cfg: RegionsConfig, geometry: readonly PointNorm[], s: PlanSize): RectNorm[] {
  // Without zones or lines no rule looks at positions: the whole frame, one inference.
  if (cfg.mode === 'auto' && geometry.length === 0) return [[...FULL_FRAME]];
  const regions: RectNorm[] =
    cfg.mode === 'frame'
      ? [[...FULL_FRAME]]
      : cfg.mode === 'rects'
        ? (cfg.rects ?? []).map((r) => [...r] as RectNorm)
        : [boundsWithMargin(geometry, cfg.marginNorm)];
  const crops: RectNorm[] = [];
  for (const region of regions) {
    const grid = cfg.mode === 'frame' ? { columns: 1, rows: 1 } : chooseGrid(region, s, cfg);
    const grown = growRegion(region, grid, cfg.overlapNorm, s);
    crops.push(...tileRegion(grown, grid, cfg.overlapNorm));
  }
  return crops.length === 1 && isFullFrame(crops[0]!) ? [[...FULL_FRAME]] : crops;
}

export function isFullFrame(r: RectNorm): boolean {
  return r[0] <= 0 && r[1] <= 0 && r[2] >= 1 && r[3] >= 1;
}
