// JSON schemas of the incident resources (request validation, response serialisation, the OpenAPI document).
import { Type } from '@sinclair/typebox';
import { INCIDENT_STATUSES } from '../../store/incident-store.ts';
import { IncidentPlateSchema, PlateCorrectionSchema } from '../plates/schemas.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const IncidentStatusSchema = Type.Union(INCIDENT_STATUSES.map((s) => Type.Literal(s)));

export const IncidentSchema = Type.Object({
  id: Type.String(),
  site: Type.String(),
  camera: Type.String(),
  rule: Type.String(),
  ruleType: Type.String(),
  label: Type.String(),
  status: IncidentStatusSchema,
  firstTs: Type.Integer({ description: 'epoch ms the violation started' }),
  lastTs: Type.Integer({ description: 'epoch ms of the latest message' }),
  lastSeenTs: Type.Integer({ description: 'epoch ms the violation was last seen' }),
  ended: Type.Boolean({ description: 'every merged fragment has ended' }),
  confidence: Type.Number(),
  boxXyxyNorm: Type.Array(Type.Number(), { minItems: 4, maxItems: 4 }),
  details: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  evidence: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
  eventCount: Type.Integer(),
  fragments: Type.Integer({ description: 'event ids merged into this incident' }),
  group: Nullable(Type.String()),
  reviewedBy: Nullable(Type.String()),
  reviewedAt: Type.Union([Type.Integer(), Type.Null()]),
  reviewNote: Nullable(Type.String()),
  version: Type.Integer({
    minimum: 1,
    description: 'changes to what the edge reported (1 = as created); verdicts record the version seen',
  }),
  lateMessages: Type.Integer({
    minimum: 0,
    description: 'messages that arrived after the verdict: kept with the events, not applied (frozen)',
  }),
  plate: Type.Optional(Type.Union([IncidentPlateSchema, Type.Null()])),
  lockedBy: Type.Optional(Type.String({ description: 'reviewer holding a live soft lock on it' })),
  evidenceAvailable: Type.Optional(
    Type.Array(Type.String(), { description: 'list items: the evidence kinds central holds the file of' }),
  ),
});

export const MergeSchema = Type.Object({
  eventId: Type.String(),
  kind: Type.String({
    description:
      'continuation (the edge stated the event continues this violation), camera-group (overlapping cameras), ' +
      'continuation-refused (a stated continuation naming another camera or rule, kept apart), unmerged (split out ' +
      'on upgrade: merged by position before); incidents reviewed before the upgrade keep track-switch, ' +
      'same-track and split',
  }),
  gapMs: Type.Integer(),
  distance: Type.Union([Type.Number(), Type.Null()], {
    description: 'box-centre distance of the removed position merge; null for every merge since',
  }),
  reason: Type.String(),
  createdAt: Type.Integer(),
});

export const ReviewSchema = Type.Object({
  id: Type.Integer(),
  kind: Type.String({ description: 'verdict, or undo (the status went back to `verdict`)' }),
  verdict: Type.String(),
  reviewer: Type.String(),
  note: Nullable(Type.String()),
  reason: Nullable(Type.String({ description: 'reject reason code' })),
  override: Type.Boolean({ description: 'confirmed although evidence was missing' }),
  bulk: Type.Boolean(),
  incidentVersion: Type.Union([Type.Integer(), Type.Null()]),
  handlingMs: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.Integer(),
});

const EvidenceStatusSchema = Type.Object({
  id: Type.String(),
  state: Type.Union(['available', 'pending', 'failed', 'expired', 'missing'].map((s) => Type.Literal(s))),
  reason: Type.Optional(Type.String()),
  contentType: Type.Optional(Type.String()),
  bytes: Type.Optional(Type.Integer()),
  sha256: Type.Optional(Type.String()),
  startMs: Type.Optional(Type.Integer({ description: 'clips: wall-clock ms of the first frame' })),
});

export const LockSchema = Type.Object({
  incidentId: Type.String(),
  reviewer: Type.String(),
  acquiredAt: Type.Integer(),
  expiresAt: Type.Integer(),
});

const SceneSchema = Type.Object({}, { additionalProperties: true });

export const IncidentDetailSchema = Type.Intersect([
  IncidentSchema,
  Type.Object({
    events: Type.Array(Type.Object({}, { additionalProperties: true }), {
      description: 'the stored event messages (contract matthan/event), ordered by time',
    }),
    lateEvents: Type.Array(Type.Object({}, { additionalProperties: true }), {
      description:
        'messages that arrived after the verdict: kept, not applied (a reviewed incident is frozen)',
    }),
    merges: Type.Array(MergeSchema),
    reviews: Type.Array(ReviewSchema),
    plateCorrections: Type.Optional(Type.Array(PlateCorrectionSchema, { description: 'oldest first' })),
    timeline: Type.Object({
      boxes: Type.Array(Type.Array(Type.Number()), { description: '[epoch ms, x1, y1, x2, y2] per frame' }),
      signal: Type.Array(Type.Tuple([Type.Integer(), Type.String()]), {
        description: '[epoch ms, state] changes',
      }),
    }),
    evidenceStatus: Type.Record(Type.String(), EvidenceStatusSchema),
    scene: Type.Union([SceneSchema, Type.Null()], {
      description: 'the camera scene in force at the incident',
    }),
    lock: Type.Union([LockSchema, Type.Null()]),
  }),
]);

export const ErrorSchema = Type.Object({ error: Type.String(), message: Type.String() });

export const IncidentIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }) });
