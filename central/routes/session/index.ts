// /api/session: cookie login for the review page (POST with a token), who am I (GET), logout (DELETE).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { clearedSessionCookie, sessionCookie } from '../../auth/cookie.ts';
import type { TokenRegistry } from '../../auth/token-registry.ts';
import { ROLES } from '../../config/schema.ts';

export interface SessionRoutesOptions {
  tokens: TokenRegistry;
  /** Cookie lifetime (s); default 12 h, one reviewer shift. Longer means fewer logins on a shared workstation. */
  maxAgeS?: number;
}

const Principal = Type.Object({ name: Type.String(), role: Type.Union(ROLES.map((r) => Type.Literal(r))) });
const ErrorBody = Type.Object({ error: Type.String(), message: Type.String() });

const sessionRoutes: FastifyPluginAsync<SessionRoutesOptions> = async (
  app,
  { tokens, maxAgeS = 12 * 3600 },
) => {
  app.post<{ Body: { token: string } }>(
    '/',
    {
      config: { public: true },
      schema: {
        tags: ['session'],
        summary: 'Log in with an API token; sets the HttpOnly matthan_token cookie',
        security: [],
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 512 }) },
          { additionalProperties: false },
        ),
        response: { 200: Principal, 401: ErrorBody },
      },
    },
    async (req, reply) => {
      const p = tokens.lookup(req.body.token);
      if (!p) return reply.code(401).send({ error: 'unauthorized', message: 'unknown token' });
      reply.header(
        'set-cookie',
        sessionCookie(req.body.token, { maxAgeS, secure: req.protocol === 'https' }),
      );
      return { name: p.name, role: p.role };
    },
  );

  app.get(
    '/',
    {
      config: { roles: ROLES },
      schema: { tags: ['session'], summary: 'The caller (name and role)', response: { 200: Principal } },
    },
    async (req) => ({ name: req.principal!.name, role: req.principal!.role }),
  );

  app.delete(
    '/',
    {
      // Public: clearing a cookie harms no one, and a revoked token must still be able to log out.
      config: { public: true },
      schema: {
        tags: ['session'],
        summary: 'Log out: clears the session cookie',
        security: [],
        response: { 200: Type.Object({ ok: Type.Boolean() }) },
      },
    },
    async (req, reply) => {
      reply.header('set-cookie', clearedSessionCookie(req.protocol === 'https'));
      return { ok: true };
    },
  );
};

export default sessionRoutes;
