// JSON schemas of the incident resources (request validation, response serialisation, the OpenAPI document).
import { Type } from '@sinclair/typebox';
import { INCIDENT_STATUSES } from '../../store/incident-store.ts';

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
});

export const MergeSchema = Type.Object({
  eventId: Type.String(),
  kind: Type.String({ description: 'same-track, track-switch or camera-group' }),
  gapMs: Type.Integer(),
  distance: Type.Union([Type.Number(), Type.Null()]),
  reason: Type.String(),
  createdAt: Type.Integer(),
});

export const ReviewSchema = Type.Object({
  verdict: Type.String(),
  reviewer: Type.String(),
  note: Nullable(Type.String()),
  createdAt: Type.Integer(),
});

export const IncidentDetailSchema = Type.Intersect([
  IncidentSchema,
  Type.Object({
    events: Type.Array(Type.Object({}, { additionalProperties: true }), {
      description: 'the stored event messages (contract matthan/event), ordered by time',
    }),
    merges: Type.Array(MergeSchema),
    reviews: Type.Array(ReviewSchema),
  }),
]);

export const ErrorSchema = Type.Object({ error: Type.String(), message: Type.String() });

export const IncidentIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }) });
