// /api/forwarding (admin): the IOC forwarders' outbox (pending, delivered, dead-lettered) and manual retry.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Delivery, DeliveryState } from '../../forward/forward-outbox.ts';
import type { ForwardingService } from '../../forward/forwarding-service.ts';
import { LimitQuery, OffsetQuery } from '../query-bounds.ts';

// {forwarderId}.{incidentId}.{seq}
const MESSAGE_ID = '^[a-z0-9][a-z0-9-]{0,31}\\.[A-Za-z0-9_-]{1,64}\\.[0-9]{1,9}$';
const ADMIN = { roles: ['admin'] as const };

const ListQuery = Type.Object(
  {
    state: Type.Optional(
      Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')]),
    ),
    forwarder: Type.Optional(Type.String({ maxLength: 32 })),
    incident: Type.Optional(Type.String({ maxLength: 64 })),
    limit: LimitQuery(),
    offset: OffsetQuery(),
  },
  { additionalProperties: false },
);

/** A delivery without its body (the list stays small; GET /:id has the body). */
const withoutBody = ({ body: _body, ...rest }: Delivery) => rest;

export interface ForwardingRoutesOptions {
  forwarding: ForwardingService;
}

const forwardingRoutes: FastifyPluginAsync<ForwardingRoutesOptions> = async (app, { forwarding }) => {
  app.get<{
    Querystring: {
      state?: DeliveryState;
      forwarder?: string;
      incident?: string;
      limit: number;
      offset: number;
    };
  }>(
    '/',
    {
      config: ADMIN,
      schema: {
        querystring: ListQuery,
        tags: ['forwarding'],
        summary: 'Forwarders with their outbox counts, and the deliveries (newest first) with the last error',
      },
    },
    async (req) => {
      const q = req.query;
      const { items, total } = forwarding.outbox.list({
        state: q.state,
        forwarderId: q.forwarder,
        incidentId: q.incident,
        limit: q.limit,
        offset: q.offset,
      });
      return {
        forwarders: forwarding.summary(),
        items: items.map(withoutBody),
        total,
        limit: q.limit,
        offset: q.offset,
      };
    },
  );

  const IdParams = Type.Object({ id: Type.String({ pattern: MESSAGE_ID }) });

  app.get<{ Params: { id: string } }>(
    '/:id',
    {
      config: ADMIN,
      schema: { params: IdParams, tags: ['forwarding'], summary: 'One delivery with its body' },
    },
    async (req, reply) => {
      const d = forwarding.outbox.get(req.params.id);
      if (!d) return reply.code(404).send({ error: 'not_found', message: `no delivery ${req.params.id}` });
      return d;
    },
  );

  app.post<{ Params: { id: string } }>(
    '/:id/retry',
    {
      config: ADMIN,
      schema: {
        params: IdParams,
        tags: ['forwarding'],
        summary: 'Queue a dead-lettered delivery again with a fresh attempt budget',
      },
    },
    async (req, reply) => {
      const before = forwarding.outbox.get(req.params.id);
      if (!before)
        return reply.code(404).send({ error: 'not_found', message: `no delivery ${req.params.id}` });
      if (before.state !== 'dead')
        return reply.code(409).send({
          error: 'conflict',
          message: `delivery ${req.params.id} is ${before.state}; only dead-lettered deliveries can be retried`,
        });
      const d = forwarding.retry(req.params.id);
      return withoutBody(d ?? before);
    },
  );
};

export default forwardingRoutes;
