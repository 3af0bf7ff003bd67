// Audits every change an admin makes through the API (any method but GET/HEAD), with the route and the outcome.
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from './audit-log.ts';

export function auditAdminRequests(app: FastifyInstance, audit: AuditLog): void {
  app.addHook('onResponse', async (req, reply) => {
    if (req.principal?.role !== 'admin' || req.method === 'GET' || req.method === 'HEAD') return;
    // The sign-in and sign-out are audited as login/logout by their route.
    if (req.routeOptions.url === '/api/session') return;
    audit.append({
      actor: req.principal.name,
      role: 'admin',
      action: 'admin.request',
      target: `${req.method} ${req.routeOptions.url ?? req.url}`,
      details: { url: req.url, status: reply.statusCode },
      ip: req.ip,
    });
  });
}
