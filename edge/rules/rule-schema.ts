// Config schema of zones, lines and rules (coordinates normalised 0..1 so configs survive resolution changes).
import { type Static, Type } from '@sinclair/typebox';
import { DiscriminatedUnion, PointNorm } from '../../config/schema-helpers.ts';

const GeoId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'id, unique within the camera' });

export const ZoneSchema = Type.Object(
  {
    id: GeoId,
    polygon: Type.Array(PointNorm, { minItems: 3, maxItems: 64, description: 'polygon vertices in order' }),
  },
  { additionalProperties: false },
);
export type ZoneConfig = Static<typeof ZoneSchema>;

export const LineSchema = Type.Object(
  {
    id: GeoId,
    points: Type.Array(PointNorm, { minItems: 2, maxItems: 64, description: 'polyline vertices in order' }),
  },
  { additionalProperties: false },
);
export type LineConfig = Static<typeof LineSchema>;

export const ScheduleSchema = Type.Object(
  {
    days: Type.Optional(
      Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), {
        description: 'days of week, 0 = Sunday; default every day',
      }),
    ),
    start: Type.String({
      pattern: '^([01]\\d|2[0-3]):[0-5]\\d$',
      description: 'HH:MM local time, inclusive',
    }),
    end: Type.String({
      pattern: '^([01]\\d|2[0-4]):[0-5]\\d$',
      description: 'HH:MM local time, exclusive; may wrap past midnight',
    }),
  },
  { additionalProperties: false },
);
export type ScheduleConfig = Static<typeof ScheduleSchema>;

/** Fields every rule has. */
export const ruleBase = {
  id: GeoId,
  classes: Type.Optional(
    Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'class names the rule applies to; default all',
    }),
  ),
  minConfidence: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0.3,
    description: 'detections below are ignored',
  }),
  minBoxArea: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0,
    description: 'minimum box area as a fraction of the frame; raises precision on far, tiny objects',
  }),
  schedule: Type.Optional(
    Type.Array(ScheduleSchema, {
      minItems: 1,
      description: 'when the rule is active (local time); default always',
    }),
  ),
  cooldownS: Type.Number({
    minimum: 0,
    default: 30,
    description: 'seconds after an event ends before the same track may fire this rule again',
  }),
};

export const ZoneDwellRuleSchema = Type.Object(
  {
    type: Type.Literal('zone_dwell'),
    ...ruleBase,
    zone: Type.String({ description: 'id of a zone of this camera' }),
    dwellS: Type.Number({
      minimum: 0,
      default: 3,
      description: 'seconds an object must stay in the zone before the event starts. Higher is quieter.',
    }),
  },
  { additionalProperties: false },
);

export const RuleSchema = DiscriminatedUnion('type', [ZoneDwellRuleSchema]);
export type RuleConfig = Static<typeof RuleSchema>;
export type ZoneDwellRuleConfig = Static<typeof ZoneDwellRuleSchema>;
