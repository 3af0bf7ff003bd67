// /api/session: sign-in for the review page (POST a token -> server-side session), who am I (GET), logout (DELETE).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AuditLog } from '../../audit/audit-log.ts';
import { tooManyAttempts } from '../../auth/auth-plugin.ts';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from '../../auth/cookie.ts';
import type { LoginLimiter } from '../../auth/login-limiter.ts';
import type { SessionStore } from '../../auth/session-store.ts';
import { tokenDigest } from '../../auth/token-registry.ts';
import { ROLES } from '../../config/schema.ts';

export interface SessionRoutesOptions {
  sessions: SessionStore;
  limiter: LoginLimiter;
  audit?: AuditLog;
}

const Principal = Type.Object({
  name: Type.String(),
  role: Type.Union(ROLES.map((r) => Type.Literal(r))),
  site: Type.Optional(Type.String()),
});
const ErrorBody = Type.Object({ error: Type.String(), message: Type.String() });

const sessionRoutes: FastifyPluginAsync<SessionRoutesOptions> = async (app, { sessions, limiter, audit }) => {
  app.post<{ Body: { token: string } }>(
    '/',
    {
      config: { public: true },
      schema: {
        tags: ['session'],
        summary:
          'Sign in with an API token; sets the HttpOnly matthan_session cookie (a server-side session id)',
        security: [],
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 512 }) },
          { additionalProperties: false },
        ),
        response: { 200: Principal, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const wait = limiter.retryAfterMs(req.ip);
      if (wait > 0) {
        audit?.append({ actor: 'anonymous', action: 'login.limited', ip: req.ip });
        return tooManyAttempts(reply, wait);
      }
      const session = sessions.start(tokenDigest(req.body.token));
      if (!session) {
        limiter.fail(req.ip);
        audit?.append({ actor: 'anonymous', action: 'login.failed', ip: req.ip });
        return reply.code(401).send({ error: 'unauthorized', message: 'unknown token' });
      }
      const { principal } = session;
      audit?.append({ actor: principal.name, role: principal.role, action: 'login', ip: req.ip });
      reply.header(
        'set-cookie',
        sessionCookie(session.id, {
          maxAgeS: Math.floor(sessions.maxAgeMs / 1000),
          // req.protocol is https behind a TLS proxy when http.trustProxy lets X-Forwarded-Proto through.
          secure: req.protocol === 'https',
        }),
      );
      return principal;
    },
  );

  app.get(
    '/',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['session'],
        summary: 'The caller (name, role, site of an edge box)',
        response: { 200: Principal },
      },
    },
    async (req) => req.principal!,
  );

  app.get(
    '/state',
    {
      // Public: the review page asks before showing the login form, without a 401 in the browser console.
      config: { public: true },
      schema: {
        tags: ['session'],
        summary: 'Whether the caller is signed in, and as whom (never 401)',
        security: [],
        response: {
          200: Type.Object({
            signedIn: Type.Boolean(),
            name: Type.Optional(Type.String()),
            role: Type.Optional(Principal.properties.role),
          }),
        },
      },
    },
    async (req) =>
      req.principal
        ? { signedIn: true, name: req.principal.name, role: req.principal.role }
        : { signedIn: false },
  );

  app.delete(
    '/',
    {
      // Public: ending a session harms no one, and an expired one must still be able to clear its cookie.
      config: { public: true },
      schema: {
        tags: ['session'],
        summary: 'Log out: ends the session on the server and clears its cookie',
        security: [],
        response: { 200: Type.Object({ ok: Type.Boolean() }) },
      },
    },
    async (req, reply) => {
      const id = readCookie(req.headers.cookie, SESSION_COOKIE);
      const who = sessions.lookup(id);
      if (sessions.revoke(id) && who)
        audit?.append({ actor: who.name, role: who.role, action: 'logout', ip: req.ip });
      reply.header('set-cookie', clearedSessionCookie(req.protocol === 'https'));
      return { ok: true };
    },
  );
};

export default sessionRoutes;
