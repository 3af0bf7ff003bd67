// The fields every rule config has (id, class/confidence/size filters, schedule, cooldown); imported by each rule's
// own schema file without importing rule-schema.ts (which imports those files for the union: an ESM cycle).
import { type Static, Type } from '@sinclair/typebox';

export const GeoId = Type.String({
  pattern: '^[A-Za-z0-9_-]{1,64}$',
  description: 'id, unique within the camera',
});

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
  name: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'name shown to reviewers, e.g. "Vượt đèn đỏ hướng Bắc"; default the rule type',
    }),
  ),
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
