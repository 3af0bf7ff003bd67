// GET /api/stats: incident counts per rule type, camera, status and hour.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { StatsStore } from '../../store/stats-store.ts';

const Count = (fields: Record<string, ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>) =>
  Type.Array(Type.Object({ ...fields, count: Type.Integer() }));

export interface StatsRoutesOptions {
  stats: StatsStore;
}

const statsRoutes: FastifyPluginAsync<StatsRoutesOptions> = async (app, { stats }) => {
  app.get<{ Querystring: { from?: number; to?: number } }>(
    '/',
    {
      config: { roles: ['viewer', 'reviewer', 'admin'] },
      schema: {
        tags: ['stats'],
        summary: 'Incident counts per rule type, camera, status and UTC hour (by start time)',
        querystring: Type.Object(
          {
            from: Type.Optional(Type.Integer({ minimum: 0, description: 'first_ts >= from (epoch ms)' })),
            to: Type.Optional(Type.Integer({ minimum: 0, description: 'first_ts < to (epoch ms)' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            from: Type.Union([Type.Integer(), Type.Null()]),
            to: Type.Union([Type.Integer(), Type.Null()]),
            total: Type.Integer(),
            byRule: Count({ ruleType: Type.String() }),
            byCamera: Count({ site: Type.String(), camera: Type.String() }),
            byStatus: Count({ status: Type.String() }),
            byHour: Count({ hour: Type.Integer({ description: 'epoch ms of the UTC hour' }) }),
          }),
        },
      },
    },
    async (req) => stats.incidents(req.query.from, req.query.to),
  );
};

export default statsRoutes;
