// Config schema of a camera's detection filters: class allow-list, per-class score, minimum box size, ROI and masks.
import { type Static, Type } from '@sinclair/typebox';
import { PointNorm } from '../../config/schema-helpers.ts';

const PolygonNorm = Type.Array(PointNorm, {
  minItems: 3,
  maxItems: 64,
  description: 'polygon vertices in order, normalised 0..1 of the frame',
});

export const DetectionFilterSchema = Type.Object(
  {
    classes: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        uniqueItems: true,
        description:
          'Labels this camera keeps (default: all the detector keeps). Fewer classes mean fewer tracks and ' +
          'less rule work; a rule never sees a class dropped here.',
      }),
    ),
    minConfidence: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0,
      description:
        'Minimum score for this camera, 0..1 (default 0: only the detector threshold applies). It can only ' +
        'raise the detector-wide `detector.confidence`, because the detector is shared by all cameras.',
    }),
    classConfidence: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.Number({ minimum: 0, maximum: 1 }), {
        description:
          'Per-class minimum score for this camera by label, e.g. {person: 0.6}; raises (never lowers) the ' +
          'detector thresholds. Use it where one class gives false alarms on this view only.',
      }),
    ),
    minBoxWidthNorm: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0,
      description:
        'Minimum box width as a fraction of the frame width (default 0). Raising it drops far-away and ' +
        'spurious tiny boxes, and also real objects far from the camera.',
    }),
    minBoxHeightNorm: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0,
      description:
        'Minimum box height as a fraction of the frame height (default 0). Same trade-off as the width.',
    }),
    roi: Type.Array(PolygonNorm, {
      default: [],
      maxItems: 32,
      description:
        'Regions of interest: a detection is kept only when its anchor (box bottom-centre, where it touches ' +
        'the road) lies in one of these polygons. Default [] = the whole frame. Cuts tracks on parallel roads ' +
        'and reflections that would otherwise feed the rules.',
    }),
    masks: Type.Array(PolygonNorm, {
      default: [],
      maxItems: 32,
      description:
        'Masked areas: a detection whose anchor (box bottom-centre) lies in one is dropped (default none). ' +
        'For billboards, parked rows, timestamps. Applied after `roi`.',
    }),
  },
  { additionalProperties: false },
);
export type DetectionFilterConfig = Static<typeof DetectionFilterSchema>;
