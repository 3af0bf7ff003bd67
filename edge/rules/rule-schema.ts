// Config schema of zones, lines and rules (coordinates normalised 0..1 so configs survive resolution changes).
import { type Static, Type } from '@sinclair/typebox';
import { DiscriminatedUnion } from '../../config/schema-helpers.ts';

import { CrowdingRuleSchema } from './crowding.ts';
import { ForbiddenTurnRuleSchema } from './forbidden-turn.ts';
import { IllegalStopRuleSchema } from './illegal-stop.ts';
import { NoHelmetRuleSchema } from './no-helmet.ts';
import { ObjectPresentRuleSchema } from './object-present.ts';
import { RedLightRuleSchema } from './red-light.ts';
import { ruleBase } from './rule-base.ts';
import { SidewalkRuleSchema } from './sidewalk.ts';
import { SolidLineRuleSchema } from './solid-line.ts';
import { SpeedingRuleSchema } from './speeding.ts';
import { WrongLaneRuleSchema } from './wrong-lane.ts';
import { WrongWayRuleSchema } from './wrong-way.ts';

// Re-exported: rule files import these from rule-base.ts and geometry-schema.ts (no cycle), other code from here.
export {
  type LineConfig,
  LineSchema,
  type ZoneConfig,
  ZoneSchema,
} from './geometry-schema.ts';
export { GeoId, ruleBase, type ScheduleConfig, ScheduleSchema } from './rule-base.ts';

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
