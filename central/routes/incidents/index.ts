// /api/incidents: list with filters, one incident with everything a reviewer needs, verdicts (bound to a version,
// with reason codes and an evidence override), undo, soft locks, bulk verdicts and the work queue's next incident.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditAction, AuditLog } from '../../audit/audit-log.ts';
import type { PlateStore } from '../../plates/plate-store.ts';
import type { DecideOutcome } from '../../reviews/review-service.ts';
import type { ReviewWorkstation } from '../../reviews/review-workstation.ts';
import { REJECT_REASONS, type Verdict } from '../../store/review-store.ts';
import { EpochMsQuery, LimitQuery, OffsetQuery } from '../query-bounds.ts';
import {
  ErrorSchema,
  IncidentDetailSchema,
  IncidentIdParams,
  IncidentSchema,
  IncidentStatusSchema,
  LockSchema,
} from './schemas.ts';

const ID = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' });

/** The queue's filters, shared by the list, the work queue, bulk selections and exports. */
export const IncidentFilterQuery = {
  camera: Type.Optional(Type.String({ maxLength: 64 })),
  rule: Type.Optional(Type.String({ maxLength: 64, description: 'rule type, e.g. red_light' })),
  status: Type.Optional(IncidentStatusSchema),
  reviewer: Type.Optional(Type.String({ maxLength: 200, description: 'who gave the current verdict' })),
  from: Type.Optional(EpochMsQuery('first_ts >= from')),
  to: Type.Optional(EpochMsQuery('first_ts < to')),
  plate: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 32,
      description:
        'partial plate, any separators and case (30e586 finds 30E-586.70; corrected or machine read)',
    }),
  ),
};
export interface IncidentFilterParams {
  camera?: string;
  rule?: string;
  status?: string;
  reviewer?: string;
  from?: number;
  to?: number;
  plate?: string;
}

const ListQuery = Type.Object(
  {
    ...IncidentFilterQuery,
    order: Type.Optional(Type.Union([Type.Literal('newest'), Type.Literal('oldest')], { default: 'newest' })),
    limit: LimitQuery(),
    offset: OffsetQuery(),
  },
  { additionalProperties: false },
);

const VerdictSchema = Type.Union([Type.Literal('confirmed'), Type.Literal('rejected')]);
const ReasonSchema = Type.Union(
  REJECT_REASONS.map((r) => Type.Literal(r)),
  { description: 'rejections: why (other needs a note)' },
);

const ReviewBody = Type.Object(
  {
    verdict: VerdictSchema,
    version: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'the incident version on screen; 409 when it changed since',
      }),
    ),
    reason: Type.Optional(ReasonSchema),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    override: Type.Optional(
      Type.Boolean({ description: 'confirm although snapshot or clip is missing; needs a note' }),
    ),
    handlingMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 86_400_000, description: 'ms the reviewer had it open' }),
    ),
  },
  { additionalProperties: false },
);

const BulkBody = Type.Object(
  {
    ids: Type.Array(ID, { minItems: 1, maxItems: 500, uniqueItems: true }),
    expectedCount: Type.Integer({
      minimum: 1,
      maximum: 500,
      description: 'the count the reviewer confirmed; must equal ids',
    }),
    verdict: VerdictSchema,
    reason: Type.Optional(ReasonSchema),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

const NextBody = Type.Object(
  {
    camera: Type.Optional(Type.String({ maxLength: 64 })),
    rule: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(EpochMsQuery('first_ts >= from')),
    to: Type.Optional(EpochMsQuery('first_ts < to')),
    skip: Type.Optional(Type.Array(ID, { maxItems: 200, description: 'ids the reviewer passed over' })),
  },
  { additionalProperties: false },
);

const VIEWERS = ['viewer', 'reviewer', 'admin'] as const;
const REVIEWERS = ['reviewer', 'admin'] as const;
const Params = IncidentIdParams;
const ConflictSchema = Type.Object({
  error: Type.String(),
  message: Type.String(),
  incident: Type.Optional(IncidentSchema),
  heldBy: Type.Optional(LockSchema),
});

export interface IncidentRoutesOptions {
  workstation: ReviewWorkstation;
  /**
   * The audit log: undos and bulk verdicts are recorded here with the version and evidence digests of each
   * incident (single verdicts are audited by central/audit/audit-verdicts.ts on the review route).
   */
  audit?: AuditLog;
  /** The plates area; without it incidents carry no plate and the plate filter matches nothing. */
  plates?: PlateStore;
}

/** The HTTP answer for a refused verdict. */
function refuse(reply: FastifyReply, out: Exclude<DecideOutcome, { ok: true }>, id: string) {
  switch (out.code) {
    case 'not_found':
      return reply.code(404).send({ error: 'not_found', message: `no incident ${id}` });
    case 'version_conflict':
      return reply.code(409).send({
        error: 'version_conflict',
        message: `incident ${id} changed (now version ${out.incident.version}); review it again`,
        incident: out.incident,
      });
    case 'locked':
      return reply.code(423).send({
        error: 'locked',
        message: `incident ${id} is being reviewed by ${out.heldBy.reviewer}`,
        heldBy: out.heldBy,
      });
    case 'not_open':
      return reply.code(409).send({ error: 'not_open', message: `incident ${id} was already decided` });
    default:
      return reply.code(422).send({ error: out.code, message: out.message });
  }
}

const incidentRoutes: FastifyPluginAsync<IncidentRoutesOptions> = async (
  app,
  { workstation: ws, audit, plates },
) => {
  const { reviews, locks } = ws.d;
  const leaseMs = () => reviews.options.lockLeaseMs;
  /** One audit row for a verdict-changing action on an incident, with what the reviewer was shown. */
  const audited = (
    req: FastifyRequest,
    action: AuditAction,
    id: string,
    details: Record<string, unknown>,
  ) => {
    const inc = ws.d.reviewStore.get(id);
    if (!audit || !inc || !req.principal) return;
    const evidence = Object.fromEntries(
      Object.entries(ws.evidenceOf(inc)).map(([k, st]) => [k, { id: st.id, sha256: st.sha256 ?? null }]),
    );
    audit.append({
      actor: req.principal.name,
      role: req.principal.role,
      action,
      target: id,
      details: { ...details, incidentVersion: inc.version, evidence },
      ip: req.ip,
    });
  };

  app.get<{
    Querystring: IncidentFilterParams & { order?: 'newest' | 'oldest'; limit: number; offset: number };
  }>(
    '/',
    {
      config: { roles: VIEWERS },
      schema: {
        querystring: ListQuery,
        tags: ['incidents'],
        summary: 'List incidents, newest (or oldest) first',
        response: {
          200: Type.Object({
            items: Type.Array(IncidentSchema),
            total: Type.Integer(),
            limit: Type.Integer(),
            offset: Type.Integer(),
          }),
        },
      },
    },
    async (req) => {
      const q = req.query;
      const { items, total } = ws.query.list({
        camera: q.camera,
        ruleType: q.rule,
        status: q.status,
        reviewer: q.reviewer,
        fromTs: q.from,
        toTs: q.to,
        plate: q.plate,
        order: q.order,
        limit: q.limit,
        offset: q.offset,
      });
      const byId = plates?.many(items.map((i) => i.id));
      const withPlates = byId ? items.map((i) => ({ ...i, plate: byId.get(i.id) ?? null })) : items;
      return { items: ws.withLocks(withPlates), total, limit: q.limit, offset: q.offset };
    },
  );

  app.get(
    '/reviewers',
    {
      config: { roles: VIEWERS },
      schema: {
        tags: ['incidents'],
        summary: 'Reviewers who gave a current verdict (for the filter)',
        response: { 200: Type.Array(Type.String()) },
      },
    },
    async () => ws.query.reviewers(),
  );

  app.get<{ Params: { id: string } }>(
    '/:id',
    {
      config: { roles: VIEWERS },
      schema: {
        params: Params,
        tags: ['incidents'],
        summary: 'One incident: events, merges, verdict history, timed boxes, evidence state, scene, lock',
        response: { 200: IncidentDetailSchema, 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const detail = ws.detail(req.params.id);
      if (!detail)
        return reply.code(404).send({ error: 'not_found', message: `no incident ${req.params.id}` });
      return plates
        ? {
            ...detail,
            plate: plates.get(req.params.id) ?? null,
            plateCorrections: plates.history(req.params.id),
          }
        : detail;
    },
  );

  app.post<{
    Params: { id: string };
    Body: {
      verdict: Verdict;
      version?: number;
      reason?: string;
      note?: string;
      override?: boolean;
      handlingMs?: number;
    };
  }>(
    '/:id/review',
    {
      config: { roles: REVIEWERS },
      schema: {
        params: Params,
        body: ReviewBody,
        tags: ['incidents'],
        summary:
          'Confirm or reject the incident version on screen; the reviewer is the token holder. 409: it changed; ' +
          '423: another reviewer holds it; 422: reason, note or evidence override missing',
        response: {
          200: IncidentSchema,
          404: ErrorSchema,
          409: ConflictSchema,
          422: ErrorSchema,
          423: ConflictSchema,
        },
      },
    },
    async (req, reply) => {
      const out = reviews.decide(req.params.id, { ...req.body, reviewer: req.principal!.name });
      if (!out.ok) return refuse(reply, out, req.params.id);
      return out.incident;
    },
  );

  app.post<{ Params: { id: string } }>(
    '/:id/undo',
    {
      config: { roles: REVIEWERS },
      schema: {
        params: Params,
        tags: ['incidents'],
        summary: `Undo your newest verdict on the incident, within the undo window; recorded in the history`,
        response: { 200: IncidentSchema, 404: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (req, reply) => {
      const out = reviews.undo(req.params.id, req.principal!.name);
      if (out.ok) {
        audited(req, 'verdict.undo', req.params.id, { undone: out.undone.verdict, restored: out.restored });
        return out.incident;
      }
      if (out.code === 'not_found')
        return reply.code(404).send({ error: 'not_found', message: `no incident ${req.params.id}` });
      const why = {
        nothing_to_undo: 'the newest entry of its history is not a verdict',
        not_yours: 'the newest verdict was given by another reviewer',
        too_late: `the undo window (${reviews.options.undoWindowMs / 1000} s) has passed`,
      }[out.code];
      return reply.code(409).send({ error: out.code, message: `cannot undo: ${why}` });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/:id/lock',
    {
      config: { roles: REVIEWERS },
      schema: {
        params: Params,
        tags: ['incidents'],
        summary: 'Take or renew the soft lock (lease) on an incident; 423 while another reviewer holds it',
        response: { 200: LockSchema, 404: ErrorSchema, 423: ConflictSchema },
      },
    },
    async (req, reply) => {
      if (!ws.d.reviewStore.get(req.params.id))
        return reply.code(404).send({ error: 'not_found', message: `no incident ${req.params.id}` });
      const had = locks.holder(req.params.id, ws.now());
      const out = locks.acquire(req.params.id, req.principal!.name, leaseMs(), ws.now());
      if (!out.ok)
        return reply.code(423).send({
          error: 'locked',
          message: `incident ${req.params.id} is being reviewed by ${out.heldBy.reviewer}`,
          heldBy: out.heldBy,
        });
      if (had?.reviewer !== out.lock.reviewer) reviews.lockChanged(req.params.id);
      return out.lock;
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/:id/lock',
    {
      config: { roles: REVIEWERS },
      schema: { params: Params, tags: ['incidents'], summary: 'Release your soft lock on an incident' },
    },
    async (req, reply) => {
      if (locks.release(req.params.id, req.principal!.name)) reviews.lockChanged(req.params.id);
      return reply.code(204).send();
    },
  );

  app.post<{
    Body: { ids: string[]; expectedCount: number; verdict: Verdict; reason?: string; note?: string };
  }>(
    '/bulk-review',
    {
      config: { roles: REVIEWERS },
      schema: {
        body: BulkBody,
        tags: ['incidents'],
        summary:
          'One verdict over a selection; expectedCount must equal the ids (the count the reviewer confirmed). ' +
          'Incidents already decided, held by another reviewer, or (to confirm) without complete evidence are skipped',
        response: {
          200: Type.Object({
            applied: Type.Array(Type.String()),
            skipped: Type.Array(Type.Object({ id: Type.String(), code: Type.String() })),
          }),
          422: ErrorSchema,
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.expectedCount !== b.ids.length)
        return reply.code(422).send({
          error: 'count_mismatch',
          message: `expectedCount ${b.expectedCount} is not the ${b.ids.length} ids sent`,
        });
      if (b.verdict === 'rejected' && !b.reason)
        return reply.code(422).send({ error: 'reason_required', message: 'a bulk rejection needs a reason' });
      if (b.reason === 'other' && !b.note?.trim())
        return reply.code(422).send({ error: 'note_required', message: 'reason "other" needs a note' });
      const result = reviews.bulk(b.ids, {
        verdict: b.verdict,
        reviewer: req.principal!.name,
        ...(b.reason ? { reason: b.reason } : {}),
        ...(b.note ? { note: b.note } : {}),
      });
      for (const id of result.applied)
        audited(req, 'verdict', id, {
          verdict: b.verdict,
          bulk: true,
          ...(b.reason ? { reason: b.reason } : {}),
          ...(b.note ? { note: b.note } : {}),
        });
      return result;
    },
  );

  app.post<{ Body: { camera?: string; rule?: string; from?: number; to?: number; skip?: string[] } }>(
    '/next',
    {
      config: { roles: REVIEWERS },
      schema: {
        body: NextBody,
        tags: ['incidents'],
        summary:
          'Work-queue mode: the oldest open incident nobody else holds, locked to you for the lease (204 when none)',
        response: { 200: LockSchema },
      },
    },
    async (req, reply) => {
      const b = req.body ?? {};
      const lock = locks.next(
        req.principal!.name,
        { camera: b.camera, ruleType: b.rule, fromTs: b.from, toTs: b.to },
        leaseMs(),
        b.skip ?? [],
        ws.now(),
      );
      if (!lock) return reply.code(204).send();
      reviews.lockChanged(lock.incidentId);
      return lock;
    },
  );
};

export default incidentRoutes;
