// Token auth for every route: Bearer header or the session cookie -> principal; route `config.roles` enforced.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from '../../lib/log.ts';
import type { Role } from '../config/schema.ts';
import { readCookie, SESSION_COOKIE } from './cookie.ts';
import { authorize, type RouteAccess, routeAccess } from './route-access.ts';
import type { Principal, TokenRegistry } from './token-registry.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, when a valid token came with the request. */
    principal: Principal | undefined;
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
  log?: Logger;
}

/** The token a request carries: `Authorization: Bearer X` first, else the session cookie. */
export function requestToken(headers: { authorization?: string; cookie?: string }): string | undefined {
  const auth = headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : undefined;
  }
  return readCookie(headers.cookie, SESSION_COOKIE);
}

const authPlugin: FastifyPluginAsync<AuthPluginOptions> = async (app, { tokens, log }) => {
  const routes: RegisteredRoute[] = [];
  app.decorateRequest('principal', undefined);
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
    req.principal = tokens.lookup(requestToken(req.headers));
    // Unmatched URLs have no route options; they fall through to the 404 handler and reveal nothing.
    if (req.routeOptions.url === undefined) return;
    const access = routeAccess(req.method, req.routeOptions.url, req.routeOptions.config);
    const verdict = authorize(access, req.principal?.role);
    if (verdict === 401)
      return reply.code(401).send({ error: 'unauthorized', message: 'a valid API token is required' });
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
