// The event message an edge publishes for each rule hit lifecycle (start/update/end), validated by both sides.
import { type Static, Type } from '@sinclair/typebox';
import { ID_PATTERN, Id, Slug } from './ids.ts';
import { TsMs } from './timestamp.ts';
import { SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS } from './version.ts';

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
      Type.Number({
        minimum: 0,
        maximum: 31_536_000,
        description: 'seconds the object has been in the zone',
      }),
    ),
    speedKmh: Type.Optional(Type.Number({ minimum: 0, maximum: 400 })),
    signal: Type.Optional(Type.Union(SIGNAL_STATES.map((s) => Type.Literal(s)))),
    signalSource: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 300,
        description:
          'red_light: where the signal state came from: mqtt:{topic} (the controller), lamp:{region} (the lamp in ' +
          'the picture), fixed:{state} (configured)',
      }),
    ),
    count: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 100_000, description: 'objects counted (crowding, occupancy)' }),
    ),
    headingDeg: Type.Optional(Type.Number({ minimum: -360, maximum: 360 })),
    attribute: Type.Optional(Type.String({ maxLength: 64, description: 'second-stage classifier verdict' })),
    pathNorm: Type.Optional(
      Type.Array(PointNorm, { maxItems: 32, description: 'recent anchor points of the track, oldest first' }),
    ),
  },
  { additionalProperties: false },
);

/** Offsets in ms from the message's `ts`: timed samples stay small numbers and need no absolute clock. */
const OffsetMs = Type.Integer({ minimum: -600_000, maximum: 600_000 });

/** At most this many timed boxes per message (about 10 s at 5 fps); each message carries the boxes since the last. */
export const MAX_TRACK_BOXES = 48;
/** At most this many signal changes per message. */
export const MAX_SIGNAL_CHANGES = 16;

/**
 * The track behind the event, frame by frame, so a reviewer's overlay follows the vehicle through the clip and
 * shows the signal state at each moment. Optional and bounded (under ~1.5 KB): centrals that predate the field
 * reject it (`additionalProperties: false`), so upgrade central before the edges.
 */
export const TrackTimelineSchema = Type.Object(
  {
    boxes: Type.Array(Type.Tuple([OffsetMs, Norm, Norm, Norm, Norm]), {
      maxItems: MAX_TRACK_BOXES,
      description:
        '[offsetMs from ts, x1, y1, x2, y2] per analysed frame since the previous message, oldest first',
    }),
    signal: Type.Optional(
      Type.Array(Type.Tuple([OffsetMs, Type.Union(SIGNAL_STATES.map((s) => Type.Literal(s)))]), {
        maxItems: MAX_SIGNAL_CHANGES,
        description: '[offsetMs from ts, state]: the state at the first box, then each change, oldest first',
      }),
    ),
  },
  { additionalProperties: false },
);

/** MP4 metadata key in which the edge writes the wall-clock ms of a clip's first frame (read back by central). */
export const CLIP_START_TAG = 'matthan_start_ms';

export const EvidenceRefSchema = Type.Object(
  {
    snapshot: Type.Optional(Id('evidence id of the annotated snapshot JPEG')),
    snapshotClean: Type.Optional(Id('evidence id of the clean snapshot JPEG')),
    clip: Type.Optional(Id('evidence id of the MP4 clip with pre-roll')),
    best: Type.Optional(Id('evidence id of the annotated snapshot at the most confident frame (on end)')),
    plate: Type.Optional(Id('evidence id of the licence-plate crop JPEG (with the plate, schema 2)')),
  },
  { additionalProperties: false },
);

// --- Licence plate (schema version 2; issue 15) -------------------------------------------------------------
/** Vietnamese plate grounds: white private, yellow commercial (taxis, trucks), blue state, red military. */
export const PLATE_COLOURS = ['white', 'yellow', 'blue', 'red', 'unknown'] as const;
export type PlateColour = (typeof PLATE_COLOURS)[number];
export const PLATE_KINDS = ['car', 'special', 'motorbike', 'military'] as const;
export type PlateKind = (typeof PLATE_KINDS)[number];

export const PlateSchema = Type.Object(
  {
    text: Type.Optional(
      Type.String({
        minLength: 4,
        maxLength: 16,
        pattern: '^[0-9A-ZĐ][0-9A-ZĐ. -]*$',
        description: "the plate as the grammar formats it ('30E-586.70', '59-X1 123.45'); absent: unreadable",
      }),
    ),
    kind: Type.Optional(Type.Union(PLATE_KINDS.map((k) => Type.Literal(k)))),
    confidence: Type.Number({
      minimum: 0,
      maximum: 1,
      description: 'agreeing reads / parsed reads x their mean recognition confidence',
    }),
    colour: Type.Union(PLATE_COLOURS.map((c) => Type.Literal(c))),
    reads: Type.Integer({
      minimum: 0,
      maximum: 1000,
      description: 'frames a plate was read on for the vote',
    }),
  },
  { additionalProperties: false },
);
export type PlateInfo = Static<typeof PlateSchema>;
// --- end licence plate ----------------------------------------------------------------------------------------

export const EventSchema = Type.Object(
  {
    schemaVersion: Type.Union(
      SUPPORTED_SCHEMA_VERSIONS.map((v) => Type.Literal(v)),
      {
        description: `${SCHEMA_VERSION} from current edges; older edges' versions stay accepted`,
      },
    ),
    id: Id('stable event id minted by the edge when the event starts; kept for update and end'),
    // Added in schema version 1 without a bump: optional, so centrals that know it accept edges that never send
    // it. An older central (additionalProperties: false) quarantines events that carry it: upgrade central first.
    continues: Type.Optional(
      Id(
        'the first event id of the same violation, when this event continues it (the same subject of the same rule ' +
          'on the same camera fired again after its event had ended: an occlusion, a repaired tracker id switch, a ' +
          're-fire after the cooldown). Always the first id of the chain, never an intermediate one, so central can ' +
          'group a chain whatever order its events arrive in. Never set by instant rules (a crossing is one event).',
      ),
    ),
    seq: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: '0 for start, +1 for each later message of this event',
    }),
    phase: Type.Union(EVENT_PHASES.map((p) => Type.Literal(p))),
    site: Slug('site id'),
    camera: Slug('camera id'),
    rule: Type.String({ minLength: 1, maxLength: 64, description: 'rule id from the edge config' }),
    ruleType: Type.Union(RULE_TYPES.map((r) => Type.Literal(r))),
    ts: TsMs('wall-clock ms of the frame this message describes'),
    startTs: TsMs('wall-clock ms of the frame the event started on'),
    endTs: Type.Optional(TsMs('wall-clock ms the object was last seen (end messages)')),
    trackId: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    label: Type.String({ minLength: 1, maxLength: 64, description: 'class name of the object' }),
    confidence: Type.Number({ minimum: 0, maximum: 1 }),
    boxXyxyNorm: Type.Tuple([Norm, Norm, Norm, Norm]),
    zone: Type.Optional(Type.String({ maxLength: 64 })),
    line: Type.Optional(Type.String({ maxLength: 64 })),
    details: Type.Optional(EventDetailsSchema),
    best: Type.Optional(
      Type.Object(
        {
          ts: TsMs('wall-clock ms of the most confident frame'),
          confidence: Type.Number({ minimum: 0, maximum: 1 }),
          boxXyxyNorm: Type.Tuple([Norm, Norm, Norm, Norm]),
        },
        { additionalProperties: false, description: 'end events: where the object was seen best' },
      ),
    ),
    evidence: Type.Optional(EvidenceRefSchema),
    evidenceSha256: Type.Optional(
      Type.Record(Type.String({ pattern: ID_PATTERN }), Type.String({ pattern: '^[0-9a-f]{64}$' }), {
        maxProperties: 8,
        description:
          'sha256 (lower-case hex) of each evidence file captured so far, taken by the edge when it wrote the file; ' +
          'central accepts the upload only with these bytes',
      }),
    ),
    plate: Type.Optional(PlateSchema),
    track: Type.Optional(TrackTimelineSchema),
  },
  { additionalProperties: false, $id: 'matthan/event' },
);
export type MatthanEvent = Static<typeof EventSchema>;
export type EventDetails = Static<typeof EventDetailsSchema>;
export type EvidenceRef = Static<typeof EvidenceRefSchema>;
export type TrackTimeline = Static<typeof TrackTimelineSchema>;
