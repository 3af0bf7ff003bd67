// The central HTTP app as a fastify plugin tree: tests build it with inject(), server.ts gives it a socket.
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from '../lib/log.ts';
import { auditAdminRequests } from './audit/audit-admin-requests.ts';
import type { AuditLog } from './audit/audit-log.ts';
import { auditVerdicts } from './audit/audit-verdicts.ts';
import authPlugin from './auth/auth-plugin.ts';
import type { LoginLimiter } from './auth/login-limiter.ts';
import type { NetworkAllowList } from './auth/network-allow-list.ts';
import type { SessionStore } from './auth/session-store.ts';
import type { TokenRegistry } from './auth/token-registry.ts';
import type { CameraInventory } from './config/camera-inventory.ts';
import type { ForwardingService } from './forward/forwarding-service.ts';
import type { PlateService } from './plates/plate-service.ts';
import type { ReviewService } from './reviews/review-service.ts';
import type { ReviewWorkstation } from './reviews/review-workstation.ts';
import auditRoutes from './routes/audit/index.ts';
import cameraRoutes from './routes/cameras/index.ts';
import evidenceRoutes from './routes/evidence/index.ts';
import exportRoutes from './routes/export/index.ts';
import forwardingRoutes from './routes/forwarding/index.ts';
import healthRoutes from './routes/health/index.ts';
import incidentRoutes from './routes/incidents/index.ts';
import liveRoutes, { type IncidentFeed } from './routes/live/index.ts';
import plateRoutes from './routes/plates/index.ts';
import quarantineRoutes from './routes/quarantine/index.ts';
import sessionRoutes from './routes/session/index.ts';
import statsRoutes from './routes/stats/index.ts';
import type { CameraSceneStore } from './store/camera-scene-store.ts';
import type { CameraStatusStore } from './store/camera-status-store.ts';
import type { CameraViewStore } from './store/camera-view-store.ts';
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
  /** Server-side sessions of the review page (the cookie holds a session id, never a token). */
  sessions: SessionStore;
  /** Bad tokens per client address (sign-in and Bearer): over the limit, 429. */
  limiter: LoginLimiter;
  /** Networks that read /metrics and the OpenAPI document without a token (http.opsAllowCidrs). */
  opsAllow: NetworkAllowList;
  /** The hash-chained audit log: sign-ins, verdicts, evidence downloads, admin actions; GET /api/audit. */
  audit: AuditLog;
  /** http.trustProxy: client address and protocol from X-Forwarded-* of these proxies. */
  trustProxy?: boolean | string[];
  reviews: ReviewService;
  reviewStore: ReviewStore;
  /** The review workstation (queries, locks, evidence states, scenes) behind the incident and export routes. */
  workstation: ReviewWorkstation;
  scenes: CameraSceneStore;
  views?: CameraViewStore;
  stats: StatsStore;
  /** Central config `map` (cameras page) and `review.timezone` (printed records). */
  map?: { tileUrl?: string; outline?: [number, number][] };
  timezone?: string;
  /** Evidence upload hooks (review page notices, clip start times, failure notes from the edge). */
  evidenceHooks?: {
    onStored?: (id: string, contentType: string) => void;
    onFailure?: (id: string, reason: string, site: string | undefined) => 'ok' | 'unknown' | 'other_site';
  };
  inventory: CameraInventory;
  statuses: CameraStatusStore;
  quarantine: QuarantineStore;
  /** Evidence files (snapshots, clips) uploaded by edges; /api/evidence is served when present. */
  evidence?: EvidenceStore;
  /** Sources of incident changes pushed to review pages over GET /api/live (ingest, verdicts). */
  liveFeeds?: IncidentFeed[];
  /** Licence plates of incidents (read, corrected, searched); POST /api/incidents/:id/plate when present. */
  plates?: PlateService;
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
    // Behind a TLS proxy: req.ip and req.protocol from X-Forwarded-For/-Proto, only when configured (else forgeable).
    trustProxy: deps.trustProxy ?? false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Security headers on every response (API, UI, errors). The review page loads only its own modules, styles,
  // evidence and API; nothing may frame it (clickjacking a verdict button). HSTS is ignored by browsers over plain
  // http (RFC 6797 §8.1), so it is harmless on a LAN and binding behind TLS; no upgrade-insecure-requests, which
  // would break a LAN install without TLS.
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        // blob: for evidence clips the page downloads once and plays from memory (ui/public/clip-cache.js).
        mediaSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
  });
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
  await app.register(authPlugin, {
    tokens: deps.tokens,
    sessions: deps.sessions,
    limiter: deps.limiter,
    opsAllow: deps.opsAllow,
    log: deps.log,
  });
  auditAdminRequests(app, deps.audit);
  auditVerdicts(app, { audit: deps.audit, incidents: deps.incidents, evidence: deps.evidence });
  await app.register(swagger, {
    openapi: {
      info: { title: 'matthan central API', version: '1' },
      // api-conventions.md: a Bearer token, or the matthan_session cookie set by POST /api/session.
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'matthan_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  // An ops route (central/auth/route-access.ts): from http.opsAllowCidrs, or with a monitor or admin token.
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes, { ready: deps.ready });
  await app.register(sessionRoutes, {
    prefix: '/api/session',
    sessions: deps.sessions,
    limiter: deps.limiter,
    audit: deps.audit,
  });
  await app.register(auditRoutes, { prefix: '/api/audit', audit: deps.audit });
  await app.register(incidentRoutes, {
    prefix: '/api/incidents',
    workstation: deps.workstation,
    audit: deps.audit,
    ...(deps.plates ? { plates: deps.plates.store } : {}),
  });
  await app.register(exportRoutes, {
    prefix: '/api',
    workstation: deps.workstation,
    inventory: deps.inventory,
    timezone: deps.timezone ?? 'Asia/Ho_Chi_Minh',
  });
  if (deps.plates) await app.register(plateRoutes, { prefix: '/api/incidents', plates: deps.plates });
  await app.register(cameraRoutes, {
    prefix: '/api/cameras',
    inventory: deps.inventory,
    statuses: deps.statuses,
    scenes: deps.scenes,
    ...(deps.views ? { views: deps.views } : {}),
    workstation: deps.workstation,
    ...(deps.map ? { map: deps.map } : {}),
  });
  await app.register(statsRoutes, { prefix: '/api/stats', stats: deps.stats });
  await app.register(quarantineRoutes, { prefix: '/api/quarantine', quarantine: deps.quarantine });
  if (deps.evidence)
    await app.register(evidenceRoutes, {
      prefix: '/api/evidence',
      evidence: deps.evidence,
      audit: deps.audit,
      ...deps.evidenceHooks,
    });
  if (deps.forwarding)
    await app.register(forwardingRoutes, { prefix: '/api/forwarding', forwarding: deps.forwarding });
  await app.register(liveRoutes, { prefix: '/api/live', feeds: deps.liveFeeds ?? [] });
  // The review page's static files at /, the charting library from node_modules; map tiles from the IOC's server.
  await app.register(uiPlugin, { ...(deps.map?.tileUrl ? { tileUrl: deps.map.tileUrl } : {}) });
  return app;
}
