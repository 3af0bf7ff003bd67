// GET /metrics for Prometheus (public on the ops network, like /healthz; put it behind the reverse proxy's ACL).
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';

const metricsPlugin: FastifyPluginAsync<{ registry: Registry }> = async (app, { registry }) => {
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
};

export default metricsPlugin;
