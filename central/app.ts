// The central HTTP app as a fastify plugin tree: tests build it with inject(), server.ts gives it a socket.
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from '../lib/log.ts';
import authPlugin from './auth/auth-plugin.ts';
import type { TokenRegistry } from './auth/token-registry.ts';
import type { CameraInventory } from './config/camera-inventory.ts';
import type { ForwardingService } from './forward/forwarding-service.ts';
import type { ReviewService } from './reviews/review-service.ts';
import cameraRoutes from './routes/cameras/index.ts';
import evidenceRoutes from './routes/evidence/index.ts';
import forwardingRoutes from './routes/forwarding/index.ts';
import healthRoutes from './routes/health/index.ts';
import incidentRoutes from './routes/incidents/index.ts';
import liveRoutes, { type IncidentFeed } from './routes/live/index.ts';
import quarantineRoutes from './routes/quarantine/index.ts';
import sessionRoutes from './routes/session/index.ts';
import statsRoutes from './routes/stats/index.ts';
import type { CameraStatusStore } from './store/camera-status-store.ts';
import type { EvidenceStore } from './store/evidence-store.ts';
import type { IncidentStore } from './store/incident-store.ts';
import type { QuarantineStore } from './store/quarantine-store.ts';
import type { ReviewStore } from './store/review-store.ts';
import type { StatsStore } from './store/stats-store.ts';
import uiPlugin from './ui/plugin.ts';

export interface AppDeps {
  incidents: IncidentStore;
  /** API tokens; every route but the public ones needs one (central/auth). */
  tokens: TokenRegistry;
  reviews: ReviewService;
  reviewStore: ReviewStore;
  stats: StatsStore;
  inventory: CameraInventory;
  statuses: CameraStatusStore;
  quarantine: QuarantineStore;
  /** Evidence files (snapshots, clips) uploaded by edges; /api/evidence is served when present. */
  evidence?: EvidenceStore;
  /** Sources of incident changes pushed to review pages over GET /api/live (ingest, verdicts). */
  liveFeeds?: IncidentFeed[];
  /** IOC forwarding outbox; /api/forwarding is served when present. */
  forwarding?: ForwardingService;
  ready: () => { ok: boolean; checks: Record<string, boolean> };
  log?: Logger;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger | undefined,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    // Access logs at debug: at info, every evidence upload and UI poll would drown the operational log.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onResponse', async (req, reply) => {
    req.log.debug(
      { method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });
  // A 5xx body stays generic; the full error goes to the log.
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      return reply.code(status).send({ error: 'internal_error', message: 'internal error' });
    }
    return reply.code(status).send({ error: err.validation ? 'bad_request' : 'error', message: err.message });
  });
  // First, so its onRoute hook sees every route registered after it.
  await app.register(authPlugin, { tokens: deps.tokens, log: deps.log });
  await app.register(swagger, {
    openapi: {
      info: { title: 'matthan central API', version: '1' },
      // api-conventions.md: a Bearer token, or the matthan_token cookie set by POST /api/session.
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'matthan_token' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  await app.register(healthRoutes, { ready: deps.ready });
  await app.register(sessionRoutes, { prefix: '/api/session', tokens: deps.tokens });
  await app.register(incidentRoutes, {
    prefix: '/api/incidents',
    incidents: deps.incidents,
    reviews: deps.reviews,
    reviewStore: deps.reviewStore,
  });
  await app.register(cameraRoutes, {
    prefix: '/api/cameras',
    inventory: deps.inventory,
    statuses: deps.statuses,
  });
  await app.register(statsRoutes, { prefix: '/api/stats', stats: deps.stats });
  await app.register(quarantineRoutes, { prefix: '/api/quarantine', quarantine: deps.quarantine });
  if (deps.evidence) await app.register(evidenceRoutes, { prefix: '/api/evidence', evidence: deps.evidence });
  if (deps.forwarding)
    await app.register(forwardingRoutes, { prefix: '/api/forwarding', forwarding: deps.forwarding });
  await app.register(liveRoutes, { prefix: '/api/live', feeds: deps.liveFeeds ?? [] });
  await app.register(uiPlugin); // the review page's static files at /
  return app;
}
