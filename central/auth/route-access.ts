// Who may call a route: pure rules over (method, url, route config), so every route's access is decided one way.
import type { Role } from '../config/schema.ts';

export type RouteAccess = { kind: 'public' } | { kind: 'roles'; roles: readonly Role[]; declared: boolean };

/** API routes that answer without a token (the login itself and the API description). */
export const PUBLIC_API_ROUTES: readonly string[] = [
  'POST /api/session',
  'GET /api/openapi.json',
  'HEAD /api/openapi.json',
];

/** Roles of an /api route that forgot to declare any: admin only, so a missing declaration never opens data. */
export const UNDECLARED_ROLES: readonly Role[] = ['admin'];

export interface RouteConfigRoles {
  roles?: readonly Role[];
  public?: boolean;
}

/**
 * Every /api/ route needs a token with one of its declared `config.roles`, unless it is listed in
 * PUBLIC_API_ROUTES or marked `config.public`. Outside /api/ only the UI's static files, /healthz, /readyz and
 * /metrics live: GET/HEAD there are public (no incident data is served outside /api/); other methods need admin.
 */
export function routeAccess(method: string, url: string, config: RouteConfigRoles | undefined): RouteAccess {
  const m = method.toUpperCase();
  if (config?.roles && config.roles.length > 0) return { kind: 'roles', roles: config.roles, declared: true };
  if (config?.public === true) return { kind: 'public' };
  if (PUBLIC_API_ROUTES.includes(`${m} ${url}`)) return { kind: 'public' };
  const isApi = url === '/api' || url.startsWith('/api/');
  if (!isApi && (m === 'GET' || m === 'HEAD')) return { kind: 'public' };
  return { kind: 'roles', roles: UNDECLARED_ROLES, declared: false };
}

/** 'ok', or the HTTP status to refuse with: 401 without a known principal, 403 when its role is not allowed. */
export function authorize(access: RouteAccess, role: Role | undefined): 'ok' | 401 | 403 {
  if (access.kind === 'public') return 'ok';
  if (!role) return 401;
  return access.roles.includes(role) ? 'ok' : 403;
}
