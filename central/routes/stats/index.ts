// GET /api/stats: incident counts per rule type, camera, status and hour.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { StatsStore } from '../../store/stats-store.ts';
import { EpochMsQuery } from '../query-bounds.ts';

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
        summary:
          'Incident counts per rule type, camera, status and UTC hour (by start time); confirmation rate, median review times',
        querystring: Type.Object(
          {
            from: Type.Optional(EpochMsQuery('first_ts >= from')),
            to: Type.Optional(EpochMsQuery('first_ts < to')),
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
            review: Type.Object({
              confirmed: Type.Integer(),
              rejected: Type.Integer(),
              confirmationRate: Type.Union([Type.Number(), Type.Null()], {
                description: 'confirmed / (confirmed + rejected)',
              }),
              medianTimeToVerdictMs: Type.Union([Type.Integer(), Type.Null()], {
                description: 'median ms from arrival at central to the current verdict',
              }),
              medianHandlingMs: Type.Union([Type.Integer(), Type.Null()], {
                description: 'median ms the reviewer had the incident open before deciding',
              }),
              byReviewer: Type.Array(
                Type.Object({ reviewer: Type.String(), confirmed: Type.Integer(), rejected: Type.Integer() }),
              ),
              byRule: Type.Array(
                Type.Object({ ruleType: Type.String(), confirmed: Type.Integer(), rejected: Type.Integer() }),
              ),
            }),
          }),
        },
      },
    },
    async (req) => stats.incidents(req.query.from, req.query.to),
  );
};

export default statsRoutes;
