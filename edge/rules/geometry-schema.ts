// Config schema of a camera's zones and lines (coordinates normalised 0..1 so configs survive resolution changes).
// Rule files import these types from here: rule-schema.ts imports every rule file for the union.
import { type Static, Type } from '@sinclair/typebox';
import { PointNorm } from '../../config/schema-helpers.ts';
import { GeoId } from './rule-base.ts';

export const ZoneSchema = Type.Object(
  {
    id: GeoId,
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'name shown to reviewers, e.g. "Vạch dừng hướng Bắc"; default the id',
      }),
    ),
    polygon: Type.Array(PointNorm, { minItems: 3, maxItems: 64, description: 'polygon vertices in order' }),
  },
  { additionalProperties: false },
);
export type ZoneConfig = Static<typeof ZoneSchema>;

export const LineSchema = Type.Object(
  {
    id: GeoId,
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'name shown to reviewers, e.g. "Vạch dừng hướng Bắc"; default the id',
      }),
    ),
    points: Type.Array(PointNorm, { minItems: 2, maxItems: 64, description: 'polyline vertices in order' }),
  },
  { additionalProperties: false },
);
export type LineConfig = Static<typeof LineSchema>;
