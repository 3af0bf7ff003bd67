// Config schema of zones, lines and rules (coordinates normalised 0..1 so configs survive resolution changes).
import { type Static, Type } from '@sinclair/typebox';
import { DiscriminatedUnion, PointNorm } from '../../config/schema-helpers.ts';

import { CrowdingRuleSchema } from './crowding.ts';
import { ForbiddenTurnRuleSchema } from './forbidden-turn.ts';
import { IllegalStopRuleSchema } from './illegal-stop.ts';
import { NoHelmetRuleSchema } from './no-helmet.ts';
import { ObjectPresentRuleSchema } from './object-present.ts';
import { RedLightRuleSchema } from './red-light.ts';
import { GeoId, ruleBase } from './rule-base.ts';
import { SidewalkRuleSchema } from './sidewalk.ts';
import { SolidLineRuleSchema } from './solid-line.ts';
import { SpeedingRuleSchema } from './speeding.ts';
import { WrongLaneRuleSchema } from './wrong-lane.ts';
import { WrongWayRuleSchema } from './wrong-way.ts';

// Re-exported: rule files import these from rule-base.ts (no cycle), other code from here.
export { GeoId, ruleBase, type ScheduleConfig, ScheduleSchema } from './rule-base.ts';

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

export const RuleSchema = DiscriminatedUnion('type', [
  ZoneDwellRuleSchema,
  IllegalStopRuleSchema,
  SpeedingRuleSchema,
  SidewalkRuleSchema,
  CrowdingRuleSchema,
  ObjectPresentRuleSchema,
  NoHelmetRuleSchema,
  RedLightRuleSchema,
  WrongWayRuleSchema,
  SolidLineRuleSchema,
  WrongLaneRuleSchema,
  ForbiddenTurnRuleSchema,
]);
export type RuleConfig = Static<typeof RuleSchema>;
export type ZoneDwellRuleConfig = Static<typeof ZoneDwellRuleSchema>;
