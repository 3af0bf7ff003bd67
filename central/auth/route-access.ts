// Who may call a route: pure rules over (method, url, route config), so every route's access is decided one way.
import type { Role } from '../config/schema.ts';

export type RouteAccess =
  | { kind: 'public' }
  /** Operations endpoints: from an allowed network, or with a monitor or admin token. */
  | { kind: 'ops' }
  | { kind: 'roles'; roles: readonly Role[]; declared: boolean };

/** API routes that answer without a token: the sign-in itself. */
export const PUBLIC_API_ROUTES: readonly string[] = ['POST /api/session'];

/** Routes that describe or measure the service (GET/HEAD): the scrape target and the API description. */
export const OPS_ROUTES: readonly string[] = ['/metrics', '/api/openapi.json'];

/** Roles that may read the OPS_ROUTES from anywhere. */
export const OPS_ROLES: readonly Role[] = ['monitor', 'admin'];

/** Roles of an /api route that forgot to declare any: admin only, so a missing declaration never opens data. */
export const UNDECLARED_ROLES: readonly Role[] = ['admin'];

export interface RouteConfigRoles {
  roles?: readonly Role[];
  public?: boolean;
}

/**
 * Every /api/ route needs a token with one of its declared `config.roles`, unless it is listed in
 * PUBLIC_API_ROUTES or marked `config.public`. /metrics and the OpenAPI document are OPS_ROUTES. Outside /api/
 * only the UI's static files, /healthz and /readyz live: GET/HEAD there are public (no incident data is served
 * outside /api/); other methods need admin.
 */
export function routeAccess(method: string, url: string, config: RouteConfigRoles | undefined): RouteAccess {
  const m = method.toUpperCase();
  if ((m === 'GET' || m === 'HEAD') && OPS_ROUTES.includes(url)) return { kind: 'ops' };
  if (config?.roles && config.roles.length > 0) return { kind: 'roles', roles: config.roles, declared: true };
  if (config?.public === true) return { kind: 'public' };
  if (PUBLIC_API_ROUTES.includes(`${m} ${url}`)) return { kind: 'public' };
  const isApi = url === '/api' || url.startsWith('/api/');
  if (!isApi && (m === 'GET' || m === 'HEAD')) return { kind: 'public' };
  return { kind: 'roles', roles: UNDECLARED_ROLES, declared: false };
}

/**
 * 'ok', or the HTTP status to refuse with: 401 without a known principal, 403 when its role is not allowed.
 * `allowedNetwork`: the client address is in http.opsAllowCidrs (only OPS_ROUTES care).
 */
export function authorize(
  access: RouteAccess,
  role: Role | undefined,
  allowedNetwork = false,
): 'ok' | 401 | 403 {
  if (access.kind === 'public') return 'ok';
  if (access.kind === 'ops') {
    if (allowedNetwork) return 'ok';
    if (!role) return 401;
    return OPS_ROLES.includes(role) ? 'ok' : 403;
  }
  if (!role) return 401;
  return access.roles.includes(role) ? 'ok' : 403;
}
