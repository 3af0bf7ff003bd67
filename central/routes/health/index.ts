// /healthz (process alive) and /readyz (database answers, broker subscribed); public, for probes.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';

export interface HealthRoutesOptions {
  ready: () => { ok: boolean; checks: Record<string, boolean> };
}

const Ready = Type.Object({
  ok: Type.Boolean(),
  checks: Type.Record(Type.String(), Type.Boolean(), { description: 'each dependency: true when usable' }),
});

const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { ready }) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'The process is alive',
        security: [],
        response: { 200: Type.Object({ ok: Type.Literal(true) }) },
      },
    },
    async () => ({ ok: true as const }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Ready to serve: database open and broker connected (503 otherwise)',
        security: [],
        response: { 200: Ready, 503: Ready },
      },
    },
    async (_req, reply) => {
      const r = ready();
      return reply.code(r.ok ? 200 : 503).send(r);
    },
  );
};

export default healthRoutes;
