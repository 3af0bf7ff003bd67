// Auth for every route: Bearer token or session cookie -> principal; route roles, ops allow-list, bad-token limit.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../lib/log.ts';
import type { Role } from '../config/schema.ts';
import { readCookie, SESSION_COOKIE } from './cookie.ts';
import type { LoginLimiter } from './login-limiter.ts';
import type { NetworkAllowList } from './network-allow-list.ts';
import { authorize, type RouteAccess, routeAccess } from './route-access.ts';
import type { SessionStore } from './session-store.ts';
import type { Principal, TokenRegistry } from './token-registry.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, when a valid token or a live session came with the request. */
    principal: Principal | undefined;
    /** The live session id of the request's cookie, when the principal came from one. */
    sessionId: string | undefined;
  }
  interface FastifyContextConfig {
    /** Roles allowed to call this route (api-conventions.md). */
    roles?: readonly Role[];
    /** Explicitly public (no token needed). */
    public?: boolean;
  }
}

export interface RegisteredRoute {
  method: string;
  url: string;
  access: RouteAccess;
}

export interface AuthPluginOptions {
  tokens: TokenRegistry;
  sessions: SessionStore;
  /** Bad tokens per client address; over the limit, requests carrying a token get 429. */
  limiter: LoginLimiter;
  /** Networks that read the ops routes (/metrics, OpenAPI) without a token. */
  opsAllow: NetworkAllowList;
  /** Called for each bad token (the session route audits failed sign-ins itself). */
  onBadToken?: (req: FastifyRequest) => void;
  log?: Logger;
}

/** The Bearer token of an Authorization header; '' for a malformed header (counted as a bad token). */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return m ? m[1] : '';
}

/** 429 with Retry-After, for a client over its bad-token limit. */
export function tooManyAttempts(reply: FastifyReply, retryAfterMs: number) {
  return reply
    .code(429)
    .header('retry-after', Math.max(1, Math.ceil(retryAfterMs / 1000)))
    .send({ error: 'too_many_requests', message: 'too many bad tokens from this address; try again later' });
}

const authPlugin: FastifyPluginAsync<AuthPluginOptions> = async (app, opts) => {
  const { tokens, sessions, limiter, opsAllow, log } = opts;
  const routes: RegisteredRoute[] = [];
  app.decorateRequest('principal', undefined);
  app.decorateRequest('sessionId', undefined);
  app.decorate('authRoutes', () => routes.slice());

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const access = routeAccess(method, route.url, route.config as { roles?: readonly Role[] } | undefined);
      routes.push({ method: method.toUpperCase(), url: route.url, access });
      if (access.kind === 'roles' && !access.declared)
        log?.warn({ method, url: route.url }, 'route declares no roles; admin only');
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    const bearer = bearerToken(req.headers.authorization);
    if (bearer !== undefined) {
      // A token guesser is stopped before its guess is even looked up, so the limit holds for valid guesses too.
      const wait = limiter.retryAfterMs(req.ip);
      if (wait > 0) return tooManyAttempts(reply, wait);
      req.principal = tokens.lookup(bearer);
      if (!req.principal) {
        limiter.fail(req.ip);
        opts.onBadToken?.(req);
      }
    } else {
      // Session ids are 256-bit random: an unknown one is an expired or revoked session, not a guess, so it is
      // not counted (a review page left open past its session would otherwise lock its workstation out).
      const sessionId = readCookie(req.headers.cookie, SESSION_COOKIE);
      req.principal = sessions.lookup(sessionId);
      if (req.principal) req.sessionId = sessionId;
    }
    // Unmatched URLs have no route options; they fall through to the 404 handler and reveal nothing.
    if (req.routeOptions.url === undefined) return;
    const access = routeAccess(req.method, req.routeOptions.url, req.routeOptions.config);
    const verdict = authorize(access, req.principal?.role, access.kind === 'ops' && opsAllow.has(req.ip));
    if (verdict === 401)
      return reply
        .code(401)
        .send({ error: 'unauthorized', message: 'a valid API token or session is required' });
    if (verdict === 403)
      return reply.code(403).send({
        error: 'forbidden',
        message: `role ${req.principal?.role} may not ${req.method} ${req.routeOptions.url}`,
      });
  });
};

// Like fastify-plugin: the hooks must apply to the whole app, not only to this plugin's own context.
(authPlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered after the auth plugin, with its access rule (tests iterate these). */
    authRoutes(): RegisteredRoute[];
  }
}

export default authPlugin;

/** Convenience for tests and tools: the routes of a built app. */
export const registeredRoutes = (app: FastifyInstance): RegisteredRoute[] => app.authRoutes();
