// /api/audit: the audit log for admins (newest first, paged) and a check of its hash chain.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { AUDIT_ACTIONS, type AuditLog } from '../../audit/audit-log.ts';

export interface AuditRoutesOptions {
  audit: AuditLog;
}

const Entry = Type.Object({
  seq: Type.Integer(),
  ts: Type.Integer({ description: 'wall-clock ms' }),
  actor: Type.String(),
  role: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  prevHash: Type.String(),
  hash: Type.String(),
});

const Verdict = Type.Object({
  ok: Type.Boolean(),
  rows: Type.Integer(),
  head: Type.Object({ seq: Type.Integer(), hash: Type.String() }),
  problems: Type.Array(Type.Object({ seq: Type.Integer(), problem: Type.String() })),
  triggers: Type.Boolean({ description: 'the append-only triggers are in place' }),
});

const auditRoutes: FastifyPluginAsync<AuditRoutesOptions> = async (app, { audit }) => {
  app.get<{ Querystring: { limit: number; before?: number; action?: string; target?: string } }>(
    '/',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['audit'],
        summary: 'Audit log entries, newest first',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
            before: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: Number.MAX_SAFE_INTEGER,
                description: 'entries with seq below this',
              }),
            ),
            action: Type.Optional(Type.Union(AUDIT_ACTIONS.map((a) => Type.Literal(a)))),
            target: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            entries: Type.Array(Entry),
            head: Type.Object({ seq: Type.Integer(), hash: Type.String() }),
          }),
        },
      },
    },
    async (req) => ({
      entries: audit.list({
        limit: req.query.limit,
        beforeSeq: req.query.before,
        action: req.query.action,
        target: req.query.target,
      }),
      head: audit.head(),
    }),
  );

  app.get(
    '/verify',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['audit'],
        summary: 'Walks the hash chain: an edited, inserted or deleted row is reported with its seq',
        response: { 200: Verdict },
      },
    },
    async () => audit.verify(),
  );
};

export default auditRoutes;
