// /api/incidents: list with filters and pagination, and one incident with its events.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { IncidentStore } from '../../store/incident-store.ts';

const ListQuery = Type.Object(
  {
    camera: Type.Optional(Type.String({ maxLength: 64 })),
    rule: Type.Optional(Type.String({ maxLength: 64, description: 'rule type, e.g. red_light' })),
    status: Type.Optional(Type.String({ maxLength: 32 })),
    from: Type.Optional(Type.Integer({ minimum: 0, description: 'first_ts >= from (epoch ms)' })),
    to: Type.Optional(Type.Integer({ minimum: 0, description: 'first_ts < to (epoch ms)' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);

export interface IncidentRoutesOptions {
  incidents: IncidentStore;
}

const incidentRoutes: FastifyPluginAsync<IncidentRoutesOptions> = async (app, { incidents }) => {
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
    { schema: { querystring: ListQuery, tags: ['incidents'], summary: 'List incidents, newest first' } },
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
      schema: {
        params: Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }) }),
        tags: ['incidents'],
        summary: 'One incident',
      },
    },
    async (req, reply) => {
      const incident = incidents.get(req.params.id);
      if (!incident)
        return reply.code(404).send({ error: 'not_found', message: `no incident ${req.params.id}` });
      return incident;
    },
  );
};

export default incidentRoutes;
