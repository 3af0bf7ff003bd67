// The central HTTP app as a fastify plugin tree: tests build it with inject(), server.ts gives it a socket.
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../lib/log.ts';
import healthRoutes from './routes/health/index.ts';
import evidenceRoutes from './routes/evidence/index.ts';
import incidentRoutes from './routes/incidents/index.ts';
import type { EvidenceStore } from './store/evidence-store.ts';
import type { IncidentStore } from './store/incident-store.ts';

export interface AppDeps {
  incidents: IncidentStore;
  /** Evidence files (snapshots, clips) uploaded by edges; /api/evidence is served when present. */
  evidence?: EvidenceStore;
  ready: () => { ok: boolean; checks: Record<string, boolean> };
  log?: Logger;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger | undefined,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // A 5xx body stays generic; the full error goes to the log.
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      return reply.code(status).send({ error: 'internal_error', message: 'internal error' });
    }
    return reply.code(status).send({ error: err.validation ? 'bad_request' : 'error', message: err.message });
  });
  await app.register(swagger, {
    openapi: { info: { title: 'matthan central API', version: '1' } },
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes, { ready: deps.ready });
  await app.register(incidentRoutes, { prefix: '/api/incidents', incidents: deps.incidents });
  if (deps.evidence) await app.register(evidenceRoutes, { prefix: '/api/evidence', evidence: deps.evidence });
  return app;
}
