// Detection regions: bounding box + margin, approach band of red_light, grid choice, growth, tiling, config checks.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.ts';
import { parseConfig } from '../../config/load.ts';
import { checkEdgeConfig, EdgeConfigSchema } from '../../edge/config/schema.ts';
import { cameraCrops } from '../../edge/detect/crop-detector.ts';
import {
  boundsWithMargin,
  chooseGrid,
  downscaleOf,
  growRegion,
  type PlanSize,
  planCrops,
  type RectNorm,
  tileRegion,
} from '../../edge/detect/detect-regions.ts';
import { approachBand, rayToFrameEdge, regionGeometry } from '../../edge/detect/region-geometry.ts';
import { type RegionsConfig, RegionsSchema } from '../../edge/detect/region-schema.ts';
import { cropPixels } from '../../edge/ingest/crop-pixels.ts';
import { cropFrameGraph, frameOutputArgs } from '../../edge/ingest/ffmpeg-args.ts';
import type { FrameSpec } from '../../edge/ingest/frame.ts';

const WIDE: PlanSize = { sourceWidth: 1568, sourceHeight: 778, modelWidth: 416, modelHeight: 256 };
const HD: PlanSize = { sourceWidth: 1920, sourceHeight: 1080, modelWidth: 416, modelHeight: 256 };
const DEFAULTS: RegionsConfig = {
  mode: 'auto',
  marginNorm: 0.05,
  maxDownscale: 3,
  maxTiles: 4,
  overlapNorm: 0.2,
  wholeFrame: true,
  motionGate: { enabled: false, pixelThreshold: 25, minChangedPixels: 3, refreshS: 2 },
};
const SPEC: FrameSpec = {
  width: 416,
  height: 256,
  pixelFormat: 'bgr24',
  fit: 'letterbox-topleft',
  padValue: 114,
};

const close = (a: readonly number[], b: readonly number[]) =>
  a.forEach((v, i) => {
    expect(v).toBeCloseTo(b[i]!, 6);
  });

describe('boundsWithMargin', () => {
  it.each<[string, [number, number][], number, RectNorm]>([
    ['no geometry: the whole frame', [], 0.05, [0, 0, 1, 1]],
    [
      'a zone in the middle, with margin',
      [
        [0.4, 0.4],
        [0.6, 0.4],
        [0.6, 0.6],
      ],
      0.05,
      [0.35, 0.35, 0.65, 0.65],
    ],
    [
      'clamped at the frame edge',
      [
        [0.01, 0.5],
        [0.99, 0.9],
      ],
      0.05,
      [0, 0.45, 1, 0.95],
    ],
    // An edge within EDGE_SNAP_NORM of the frame edge goes onto it: no sliver of frame left undetected.
    [
      'snapped onto a near frame edge',
      [
        [0.1, 0.5],
        [0.9, 0.98],
      ],
      0.0,
      [0.1, 0.5, 0.9, 1],
    ],
    ['one point', [[0.5, 0.5]], 0.1, [0.4, 0.4, 0.6, 0.6]],
  ])('%s', (_n, points, margin, expected) => {
    close(boundsWithMargin(points, margin), expected);
  });
});

describe('red_light approach side', () => {
  it.each<[string, [number, number], [number, number], [number, number]]>([
    ['straight down', [0.5, 0.6], [0, 1], [0.5, 1]],
    ['up and left hits the top edge', [0.5, 0.5], [-0.25, -1], [0.375, 0]],
    ['right hits the side edge', [0.2, 0.5], [1, 0.1], [1, 0.58]],
    ['no direction: the point itself', [0.3, 0.3], [0, 0], [0.3, 0.3]],
  ])('rayToFrameEdge %s', (_n, p, d, expected) => {
    close(rayToFrameEdge(p, d), expected);
  });

  it('sweeps the stop line towards the approach point up to the frame edge', () => {
    // A stop line across the middle, vehicles waiting below it: the band reaches the bottom edge.
    const band = approachBand(
      [
        [0.2, 0.5],
        [0.8, 0.5],
      ],
      [0.5, 0.7],
    );
    expect(band).toContainEqual([0.5, 0.7]);
    expect(band).toContainEqual([0.2, 1]);
    expect(band).toContainEqual([0.8, 1]);
  });

  it('the camera region covers the approach side, not only the line', () => {
    const geometry = regionGeometry({
      zones: [],
      lines: [
        {
          id: 'stop',
          points: [
            [0.3, 0.3],
            [0.7, 0.3],
          ],
        },
      ],
      rules: [{ type: 'red_light', line: 'stop', approachPoint: [0.5, 0.45] }] as never,
    });
    const region = boundsWithMargin(geometry, 0.05);
    expect(region[3]).toBe(1); // down to the bottom edge, where vehicles come from
    expect(region[1]).toBeCloseTo(0.25, 6);
  });
});

describe('chooseGrid', () => {
  it.each<
    [string, PlanSize, Partial<typeof DEFAULTS> & { tiles?: { columns: number; rows: number } }, string]
  >([
    ['1568x778 whole frame, defaults: 2x2', WIDE, {}, '2x2'],
    ['1920x1080 whole frame, defaults: 2x2', HD, {}, '2x2'],
    ['no tiling with maxTiles 1', HD, { maxTiles: 1 }, '1x1'],
    ['a loose limit needs no tiles', HD, { maxDownscale: 5 }, '1x1'],
    [
      'an unreachable limit takes the least shrink within maxTiles',
      WIDE,
      { maxDownscale: 1, maxTiles: 2 },
      '2x1',
    ],
    ['a fixed grid wins', WIDE, { tiles: { columns: 3, rows: 1 } }, '3x1'],
  ])('%s', (_n, size, cfg, expected) => {
    const g = chooseGrid([0, 0, 1, 1], size, { ...DEFAULTS, ...cfg });
    expect(`${g.columns}x${g.rows}`).toBe(expected);
  });
});

describe('tileRegion and growRegion', () => {
  it('tiles cover the region exactly, neighbours overlapping by the configured share', () => {
    const tiles = tileRegion([0, 0, 1, 1], { columns: 2, rows: 2 }, 0.2);
    expect(tiles).toHaveLength(4);
    const w = 1 / 1.8;
    close(tiles[0]!, [0, 0, w, w]);
    close(tiles[3]!, [1 - w, 1 - w, 1, 1]);
    // Overlap of the two top tiles: 0.2 of a tile.
    expect(tiles[0]![2] - tiles[1]![0]).toBeCloseTo(0.2 * w, 6);
  });

  it.each<[string, RectNorm, RectNorm]>([
    // A small zone is grown to the model's size in source pixels (416x256 of 1920x1080) around its centre.
    ['grows a small region to the model size', [0.45, 0.45, 0.55, 0.55], [0.3917, 0.3815, 0.6083, 0.6185]],
    // Grown at the frame edge, the region stays on it and grows inwards only.
    ['keeps an edge on the frame edge', [0, 0.9, 0.1, 1], [0, 0.763, 0.2167, 1]],
    ['never beyond the frame', [0, 0, 1, 1], [0, 0, 1, 1]],
  ])('%s', (_n, region, expected) => {
    const grown = growRegion(region, { columns: 1, rows: 1 }, 0.2, HD);
    grown.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 3);
    });
    expect(grown[0]).toBeLessThanOrEqual(region[0]);
    expect(grown[3]).toBeGreaterThanOrEqual(region[3]);
  });
});

describe('planCrops', () => {
  it.each<[string, Partial<typeof DEFAULTS> & Record<string, unknown>, [number, number][], PlanSize, number]>(
    [
      ['frame mode: one full-frame crop', { mode: 'frame' }, [[0.4, 0.4]], HD, 1],
      ['auto without geometry: the whole frame, untiled', {}, [], HD, 1],
      [
        'auto, geometry over the whole frame of 1568x778: 4 tiles',
        {},
        [
          [0, 0],
          [1, 1],
        ],
        WIDE,
        4,
      ],
      [
        'auto, a small zone: one crop at model size',
        {},
        [
          [0.45, 0.45],
          [0.55, 0.55],
        ],
        HD,
        1,
      ],
      [
        'rects, two rectangles, no tiling needed',
        {
          mode: 'rects',
          rects: [
            [0, 0, 0.2, 0.2],
            [0.8, 0.8, 1, 1],
          ],
        },
        [],
        HD,
        2,
      ],
      [
        'rects with a fixed grid',
        { mode: 'rects', rects: [[0, 0, 1, 0.5]], tiles: { columns: 3, rows: 1 } },
        [],
        HD,
        3,
      ],
    ],
  )('%s', (_n, cfg, geometry, size, count) => {
    const crops = planCrops({ ...DEFAULTS, ...cfg } as never, geometry, size);
    expect(crops).toHaveLength(count);
    for (const c of crops) {
      expect(c[0]).toBeGreaterThanOrEqual(0);
      expect(c[2]).toBeLessThanOrEqual(1);
      expect(c[0]).toBeLessThan(c[2]);
      expect(c[1]).toBeLessThan(c[3]);
    }
  });

  it('a region reaching the frame edge keeps every tile on that edge', () => {
    const crops = planCrops(
      DEFAULTS,
      [
        [0.1, 0.5],
        [0.9, 1],
      ],
      HD,
    );
    const bottom = Math.max(...crops.map((c) => c[3]));
    expect(bottom).toBe(1);
    expect(downscaleOf(crops[0]!, HD)).toBeLessThanOrEqual(3);
  });

  it('a small zone needs no crop stack when its region is the whole frame, and one crop otherwise', () => {
    const camera = (zone: [number, number][], regions: RegionsConfig = DEFAULTS) =>
      ({ regions, zones: [{ id: 'z', polygon: zone }], lines: [], rules: [] }) as never;
    expect(
      cameraCrops(
        camera([
          [0.45, 0.45],
          [0.55, 0.45],
          [0.55, 0.55],
        ]),
        SPEC,
        1920,
        1080,
      ),
    ).toHaveLength(1);
    expect(
      cameraCrops(
        camera(
          [
            [0, 0],
            [1, 0],
            [1, 1],
          ],
          { ...DEFAULTS, mode: 'frame' },
        ),
        SPEC,
        1920,
        1080,
      ),
    ).toEqual([]);
  });
});

describe('cropPixels and the ffmpeg crop graph agree', () => {
  it.each<[RectNorm, number, number, { x: number; y: number; width: number; height: number }]>([
    [[0, 0, 1, 1], 1920, 1080, { x: 0, y: 0, width: 1920, height: 1080 }],
    // Offsets even (chroma), the right and bottom edges stay on the frame edge.
    [[0.3, 0.25, 1, 1], 1568, 778, { x: 470, y: 194, width: 1098, height: 584 }],
    [[0.1, 0.1, 0.55, 0.55], 1568, 778, { x: 156, y: 76, width: 706, height: 350 }],
  ])('%j of %ix%i', (rect, w, h, expected) => {
    expect(cropPixels(rect, w, h)).toEqual(expected);
  });

  it('stacks the whole frame and each crop, each scaled to the spec', () => {
    const graph = cropFrameGraph(SPEC, 5, [
      [0, 0, 0.5, 1],
      [0.5, 0, 1, 1],
    ]);
    expect(graph).toContain('split=3[c0][c1][c2]');
    expect(graph).toContain('vstack=inputs=3[frames]');
    expect(graph.match(/pad=416:256/g)).toHaveLength(3);
    expect(graph).toContain("crop=w='max(2,iw-floor(iw*0.5/2)*2)'");
    const args = frameOutputArgs(SPEC, 5, [[0, 0, 0.5, 1]]);
    expect(args.slice(0, 4)).toEqual(['-filter_complex', args[1], '-map', '[frames]']);
    expect(frameOutputArgs(SPEC, 5)).toContain('-vf');
  });
});

describe('regions config', () => {
  const yaml = (regions: string) => `
site: s
cameras:
  - id: cam
    source: { url: media:hcmc_street_wrongway.mp4 }
    regions: ${regions}
`;
  const issuesOf = (text: string) => {
    try {
      parseConfig(text, 't.yaml', EdgeConfigSchema, { check: checkEdgeConfig, env: {} });
    } catch (err) {
      if (err instanceof ConfigError) return err.issues;
      throw err;
    }
    return [];
  };

  it('defaults to frame (one inference a frame); auto is opted into', () => {
    const cfg = parseConfig(yaml('{}'), 't.yaml', EdgeConfigSchema, { env: {} });
    expect(cfg.cameras[0]!.regions).toMatchObject({
      mode: 'frame',
      marginNorm: 0.05,
      maxDownscale: 3,
      maxTiles: 4,
    });
    expect(RegionsSchema.properties.mode.default).toBe('frame');
  });

  it.each([
    ['{ mode: everywhere }', 'cameras[0].regions.mode'],
    ['{ mode: rects }', 'cameras[0].regions.rects'],
    ['{ rects: [[0, 0, 0.5, 0.5]] }', 'cameras[0].regions.rects'],
    ['{ mode: rects, rects: [[0.5, 0, 0.2, 0.5]] }', 'cameras[0].regions.rects[0]'],
    ['{ mode: rects, rects: [[0, 0, 1.5, 0.5]] }', 'cameras[0].regions.rects[0][2]'],
    ['{ maxDownscale: 0.5 }', 'cameras[0].regions.maxDownscale'],
    ['{ overlapNorm: 0.9 }', 'cameras[0].regions.overlapNorm'],
    ['{ mode: auto, tiles: { columns: 0, rows: 1 } }', 'cameras[0].regions.tiles.columns'],
    ['{ tiles: { columns: 3, rows: 3 } }', 'cameras[0].regions.tiles'],
  ])('refuses %s naming %s', (regions, path) => {
    const issues = issuesOf(yaml(regions));
    expect(issues.map((i) => i.path)).toContain(path);
  });
});
