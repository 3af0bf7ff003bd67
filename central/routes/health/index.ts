// /healthz (process alive) and /readyz (database answers, broker subscribed).
import type { FastifyPluginAsync } from 'fastify';

export interface HealthRoutesOptions {
  ready: () => { ok: boolean; checks: Record<string, boolean> };
}

const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { ready }) => {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const r = ready();
    return reply.code(r.ok ? 200 : 503).send(r);
  });
};

export default healthRoutes;
