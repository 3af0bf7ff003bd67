// /api/incidents: list with filters and pagination, one incident with its events and merges, review verdicts.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { ReviewService } from '../../reviews/review-service.ts';
import type { IncidentStore } from '../../store/incident-store.ts';
import type { ReviewStore, Verdict } from '../../store/review-store.ts';
import {
  ErrorSchema,
  IncidentDetailSchema,
  IncidentIdParams,
  IncidentSchema,
  IncidentStatusSchema,
} from './schemas.ts';

const ListQuery = Type.Object(
  {
    camera: Type.Optional(Type.String({ maxLength: 64 })),
    rule: Type.Optional(Type.String({ maxLength: 64, description: 'rule type, e.g. red_light' })),
    status: Type.Optional(IncidentStatusSchema),
    from: Type.Optional(Type.Integer({ minimum: 0, description: 'first_ts >= from (epoch ms)' })),
    to: Type.Optional(Type.Integer({ minimum: 0, description: 'first_ts < to (epoch ms)' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);

const ReviewBody = Type.Object(
  {
    verdict: Type.Union([Type.Literal('confirmed'), Type.Literal('rejected')]),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

const VIEWERS = ['viewer', 'reviewer', 'admin'] as const;

export interface IncidentRoutesOptions {
  incidents: IncidentStore;
  reviews: ReviewService;
  reviewStore: ReviewStore;
}

const incidentRoutes: FastifyPluginAsync<IncidentRoutesOptions> = async (
  app,
  { incidents, reviews, reviewStore },
) => {
  app.get<{
    Querystring: {
      camera?: string;
      rule?: string;
      status?: string;
      from?: number;
      to?: number;
      limit: number;
      offset: number;
    };
  }>(
    '/',
    {
      config: { roles: VIEWERS },
      schema: {
        querystring: ListQuery,
        tags: ['incidents'],
        summary: 'List incidents, newest first',
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
      const { items, total } = incidents.list({
        camera: q.camera,
        ruleType: q.rule,
        status: q.status,
        fromTs: q.from,
        toTs: q.to,
        limit: q.limit,
        offset: q.offset,
      });
      return { items, total, limit: q.limit, offset: q.offset };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/:id',
    {
      config: { roles: VIEWERS },
      schema: {
        params: IncidentIdParams,
        tags: ['incidents'],
        summary: 'One incident with its events, merge reasons and review history',
        response: { 200: IncidentDetailSchema, 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const detail = incidents.detail(req.params.id);
      if (!detail)
        return reply.code(404).send({ error: 'not_found', message: `no incident ${req.params.id}` });
      return { ...detail, reviews: reviewStore.history(req.params.id) };
    },
  );

  app.post<{ Params: { id: string }; Body: { verdict: Verdict; note?: string } }>(
    '/:id/review',
    {
      config: { roles: ['reviewer', 'admin'] },
      schema: {
        params: IncidentIdParams,
        body: ReviewBody,
        tags: ['incidents'],
        summary: 'Confirm or reject an incident; the reviewer is the token holder',
        response: { 200: IncidentSchema, 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const updated = reviews.review(req.params.id, req.body.verdict, req.principal!.name, req.body.note);
      if (!updated)
        return reply.code(404).send({ error: 'not_found', message: `no incident ${req.params.id}` });
      return updated;
    },
  );
};

export default incidentRoutes;
