// GET /api/quarantine: the payloads central refused, newest first, with the reason (admins debugging an edge).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { QuarantineStore } from '../../store/quarantine-store.ts';
import { LimitQuery, OffsetQuery } from '../query-bounds.ts';

export interface QuarantineRoutesOptions {
  quarantine: QuarantineStore;
}

const quarantineRoutes: FastifyPluginAsync<QuarantineRoutesOptions> = async (app, { quarantine }) => {
  app.get<{ Querystring: { limit: number; offset: number } }>(
    '/',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['quarantine'],
        summary: 'Refused MQTT payloads with the reason, newest first',
        querystring: Type.Object(
          {
            limit: LimitQuery(),
            offset: OffsetQuery(),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.Integer(),
                topic: Type.String(),
                receivedAt: Type.Integer(),
                reason: Type.String(),
                payload: Type.String({ description: 'as received (UTF-8), first 16 KiB' }),
              }),
            ),
            total: Type.Integer(),
            limit: Type.Integer(),
            offset: Type.Integer(),
          }),
        },
      },
    },
    async (req) => ({
      items: quarantine.list(req.query.limit, req.query.offset),
      total: quarantine.count(),
      limit: req.query.limit,
      offset: req.query.offset,
    }),
  );
};

export default quarantineRoutes;
