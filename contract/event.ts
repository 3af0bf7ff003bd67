// The event message an edge publishes for each rule hit lifecycle (start/update/end), validated by both sides.
import { type Static, Type } from '@sinclair/typebox';
import { Id, Slug } from './ids.ts';
import { SCHEMA_VERSION } from './version.ts';

/** Every rule type the product ships (see ../shared/DESIGN.md, "The rules"). */
export const RULE_TYPES = [
  'zone_dwell',
  'red_light',
  'wrong_way',
  'solid_line',
  'wrong_lane',
  'illegal_stop',
  'forbidden_turn',
  'speeding',
  'sidewalk',
  'crowding',
  'object_present',
  'no_helmet',
] as const;
export type RuleType = (typeof RULE_TYPES)[number];

export const EVENT_PHASES = ['start', 'update', 'end'] as const;
export type EventPhase = (typeof EVENT_PHASES)[number];

export const SIGNAL_STATES = ['red', 'amber', 'green', 'unknown'] as const;
export type SignalState = (typeof SIGNAL_STATES)[number];

const Norm = Type.Number({ minimum: 0, maximum: 1 });
const PointNorm = Type.Tuple([Norm, Norm]);

export const EventDetailsSchema = Type.Object(
  {
    dwellS: Type.Optional(
      Type.Number({ minimum: 0, description: 'seconds the object has been in the zone' }),
    ),
    speedKmh: Type.Optional(Type.Number({ minimum: 0, maximum: 400 })),
    signal: Type.Optional(Type.Union(SIGNAL_STATES.map((s) => Type.Literal(s)))),
    count: Type.Optional(Type.Integer({ minimum: 0, description: 'objects counted (crowding, occupancy)' })),
    headingDeg: Type.Optional(Type.Number({ minimum: -360, maximum: 360 })),
    attribute: Type.Optional(Type.String({ maxLength: 64, description: 'second-stage classifier verdict' })),
    pathNorm: Type.Optional(
      Type.Array(PointNorm, { maxItems: 32, description: 'recent anchor points of the track, oldest first' }),
    ),
  },
  { additionalProperties: false },
);

export const EvidenceRefSchema = Type.Object(
  {
    snapshot: Type.Optional(Id('evidence id of the annotated snapshot JPEG')),
    snapshotClean: Type.Optional(Id('evidence id of the clean snapshot JPEG')),
    clip: Type.Optional(Id('evidence id of the MP4 clip with pre-roll')),
    best: Type.Optional(Id('evidence id of the annotated snapshot at the most confident frame (on end)')),
  },
  { additionalProperties: false },
);

export const EventSchema = Type.Object(
  {
    schemaVersion: Type.Literal(SCHEMA_VERSION),
    id: Id('stable event id minted by the edge when the event starts; kept for update and end'),
    seq: Type.Integer({ minimum: 0, description: '0 for start, +1 for each later message of this event' }),
    phase: Type.Union(EVENT_PHASES.map((p) => Type.Literal(p))),
    site: Slug('site id'),
    camera: Slug('camera id'),
    rule: Type.String({ minLength: 1, maxLength: 64, description: 'rule id from the edge config' }),
    ruleType: Type.Union(RULE_TYPES.map((r) => Type.Literal(r))),
    ts: Type.Integer({ minimum: 0, description: 'wall-clock ms of the frame this message describes' }),
    startTs: Type.Integer({ minimum: 0, description: 'wall-clock ms of the frame the event started on' }),
    endTs: Type.Optional(Type.Integer({ minimum: 0 })),
    trackId: Type.Optional(Type.Integer({ minimum: 0 })),
    label: Type.String({ minLength: 1, maxLength: 64, description: 'class name of the object' }),
    confidence: Type.Number({ minimum: 0, maximum: 1 }),
    boxXyxyNorm: Type.Tuple([Norm, Norm, Norm, Norm]),
    zone: Type.Optional(Type.String({ maxLength: 64 })),
    line: Type.Optional(Type.String({ maxLength: 64 })),
    details: Type.Optional(EventDetailsSchema),
    best: Type.Optional(
      Type.Object(
        {
          ts: Type.Integer({ minimum: 0, description: 'wall-clock ms of the most confident frame' }),
          confidence: Type.Number({ minimum: 0, maximum: 1 }),
          boxXyxyNorm: Type.Tuple([Norm, Norm, Norm, Norm]),
        },
        { additionalProperties: false, description: 'end events: where the object was seen best' },
      ),
    ),
    evidence: Type.Optional(EvidenceRefSchema),
  },
  { additionalProperties: false, $id: 'matthan/event' },
);
export type MatthanEvent = Static<typeof EventSchema>;
export type EventDetails = Static<typeof EventDetailsSchema>;
export type EvidenceRef = Static<typeof EvidenceRefSchema>;
