// Config schema of a camera's detection regions: the crops of the frame the detector runs on, each scaled to the model input.
import { type Static, Type } from '@sinclair/typebox';
import type { ConfigIssue } from '../../config/errors.ts';

export const REGION_MODES = ['auto', 'frame', 'rects'] as const;
export type RegionMode = (typeof REGION_MODES)[number];

const RectNorm = Type.Tuple(
  [
    Type.Number({ minimum: 0, maximum: 1 }),
    Type.Number({ minimum: 0, maximum: 1 }),
    Type.Number({ minimum: 0, maximum: 1 }),
    Type.Number({ minimum: 0, maximum: 1 }),
  ],
  { description: '[x1, y1, x2, y2], normalised 0..1 of the frame width and height, x1 < x2 and y1 < y2' },
);

export const RegionsSchema = Type.Object(
  {
    mode: Type.Union(
      REGION_MODES.map((m) => Type.Literal(m)),
      {
        default: 'frame',
        description:
          'Where the detector looks. frame (default): the whole frame squeezed into the model input, one inference ' +
          'per frame (the cheapest; riders under ~40 px are missed). auto: the bounding box of the camera zones and lines (for ' +
          'red_light also the approach side: the approachPoint and the band from the stop line towards it up to ' +
          'the frame edge) plus `marginNorm`, tiled when the picture would be shrunk more than `maxDownscale`; ' +
          'the whole frame, untiled, when the camera has no zones or lines; on a 1080p camera with the whole frame ' +
          'as well that is 5 inferences per frame, a third of the cameras a box sustains. rects: the rectangles in ' +
          '`rects`, each tiled the same way. Detections of all crops are mapped back to the frame and merged ' +
          '(NMS across crops, boxes cut by a crop border joined with their other part).',
      },
    ),
    rects: Type.Optional(
      Type.Array(RectNorm, {
        minItems: 1,
        maxItems: 8,
        description:
          'mode rects: the regions, [x1, y1, x2, y2] normalised 0..1 of the frame. Each is grown to at least ' +
          'the model input size in source pixels and to the model aspect ratio (never beyond the frame).',
      }),
    ),
    marginNorm: Type.Number({
      minimum: 0,
      maximum: 0.5,
      default: 0.05,
      description:
        'mode auto: margin added on every side of the geometry bounding box, normalised 0..1 of the frame ' +
        'dimension (default 0.05). Vehicles are detected before their anchor enters a zone; larger costs ' +
        'nothing when the region is not tiled, and shrinks the objects when it is.',
    }),
    maxDownscale: Type.Number({
      minimum: 1,
      maximum: 16,
      default: 3,
      description:
        'Largest shrink factor (source pixels per model input pixel, default 3) a region may be squeezed by ' +
        'before it is cut into overlapping tiles, up to `maxTiles`. A 1568x778 or 1920x1080 frame in a 416x256 ' +
        'input is shrunk 3.8 or 4.6 times, which leaves a 20-60 px rider 5-16 px: too small for yolox_nano. ' +
        'Every tile is one inference: 2x2 tiles cost four times the inference of one. Lower finds smaller ' +
        'objects and costs more tiles; `tiles` fixes the grid instead.',
    }),
    maxTiles: Type.Integer({
      minimum: 1,
      maximum: 16,
      default: 4,
      description:
        'Most tiles per region for the automatic grid (default 4). The grid with the fewest tiles that meets ' +
        '`maxDownscale` is used, else the least shrunk grid within this many tiles. 1 turns tiling off.',
    }),
    tiles: Type.Optional(
      Type.Object(
        {
          columns: Type.Integer({ minimum: 1, maximum: 6, description: 'tiles across each region' }),
          rows: Type.Integer({ minimum: 1, maximum: 6, description: 'tiles down each region' }),
        },
        {
          additionalProperties: false,
          description:
            'A fixed tile grid for every region instead of the automatic one (maxDownscale, maxTiles): for a ' +
            'wide view, e.g. {columns: 3, rows: 1}. columns x rows inferences per frame.',
        },
      ),
    ),
    wholeFrame: Type.Boolean({
      default: true,
      description:
        'Also detect on the whole frame (squeezed into the model input, as mode frame) whenever crops are used ' +
        '(default true): one more inference per frame. A vehicle larger than the tile overlap is cut by every ' +
        'tile it touches and may be missed in all of them; whole, it is found on the whole frame, and the merge ' +
        'joins it with its parts. Off saves that inference on views with only small objects.',
    }),
    motionGate: Type.Object(
      {
        enabled: Type.Boolean({
          default: false,
          description:
            'Skip the inference of a crop where nothing moved since the last frame (default off): it reuses its ' +
            'last detections, so tracks age as usual and a parked car keeps its box. The motion test is a ' +
            '104x64 grayscale difference of the whole frame, well under a millisecond. Saves the inference of ' +
            'still crops (night, a quiet road); a vehicle that arrives without a pixel changing more than ' +
            '`pixelThreshold` is found at the next refresh.',
        }),
        pixelThreshold: Type.Integer({
          minimum: 1,
          maximum: 255,
          default: 25,
          description:
            'Grey-level change (0..255, default 25) that counts as motion. Lower wakes crops on noise and ' +
            'flicker; higher misses dark vehicles on dark roads.',
        }),
        minChangedPixels: Type.Integer({
          minimum: 1,
          maximum: 1000,
          default: 3,
          description:
            'Changed pixels of the 104x64 image (one is 4x4 model pixels) a crop needs to be detected ' +
            '(default 3).',
        }),
        refreshS: Type.Number({
          minimum: 0.2,
          maximum: 60,
          default: 2,
          description:
            'Seconds (default 2) after which a still crop is detected anyway: bounds how long a missed arrival ' +
            'or a stale box can last. Longer saves more inference on still views.',
        }),
      },
      { additionalProperties: false, default: {}, description: 'Motion gating of the crops (default off).' },
    ),
    overlapNorm: Type.Number({
      minimum: 0,
      maximum: 0.5,
      default: 0.2,
      description:
        'Share of a tile (0..0.5 of its width or height, default 0.2) its neighbour also covers. An object ' +
        'smaller than the overlap is seen whole by one of the two tiles; a larger one is cut and its parts are ' +
        'joined. More overlap makes each tile larger (more shrink) for the same grid.',
    }),
  },
  {
    additionalProperties: false,
    description:
      'Detection regions of this camera (edge/detect/detect-regions.ts): the crops of the frame the detector ' +
      'runs on, each scaled to the model input by ffmpeg. Default: frame (turn on auto or tiles where riders are small).',
  },
);
export type RegionsConfig = Static<typeof RegionsSchema>;

/** mode, rects and tiles must agree, and every rectangle must have an area. */
export function checkRegions(r: RegionsConfig, at: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (r.mode === 'rects' && !r.rects)
    issues.push({ path: `${at}.rects`, value: undefined, reason: 'mode rects needs at least one rectangle' });
  if (r.mode !== 'rects' && r.rects)
    issues.push({
      path: `${at}.rects`,
      value: r.rects,
      reason: `is only used with mode rects (mode is ${r.mode}); set mode: rects or remove rects`,
    });
  if (r.mode === 'frame' && r.tiles)
    issues.push({
      path: `${at}.tiles`,
      value: r.tiles,
      reason:
        'is only used with mode auto or rects (mode is frame, the default); set mode: auto or remove tiles',
    });
  r.rects?.forEach((rect, i) => {
    const [x1, y1, x2, y2] = rect;
    if (!(x1 < x2) || !(y1 < y2))
      issues.push({
        path: `${at}.rects[${i}]`,
        value: rect,
        reason: 'needs x1 < x2 and y1 < y2 ([x1, y1, x2, y2], normalised 0..1)',
      });
  });
  return issues;
}
