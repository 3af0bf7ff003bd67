// The central service config: HTTP, broker subscription, database, evidence store, auth tokens, dedup.
import { type Static, Type } from '@sinclair/typebox';
import type { ConfigIssue } from '../../config/errors.ts';

export const ROLES = ['viewer', 'reviewer', 'admin', 'edge'] as const;
export type Role = (typeof ROLES)[number];

export const CentralConfigSchema = Type.Object(
  {
    http: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1', description: 'listen address; 0.0.0.0 to serve the LAN' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: '0 picks a free port' }),
      },
      { additionalProperties: false, default: {} },
    ),
    broker: Type.Object(
      {
        url: Type.String({ default: 'mqtt://127.0.0.1:1883' }),
        embedded: Type.Boolean({
          default: false,
          description: 'run an in-process aedes broker on the URL port (single-box installs, the demo)',
        }),
        username: Type.Optional(Type.String()),
        password: Type.Optional(Type.String()),
        clientId: Type.Optional(
          Type.String({
            description: 'stable id for the persistent session; default matthan-central-{hostname}',
          }),
        ),
        protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], {
          default: 4,
          description:
            'MQTT 3.1.1 (4) works with every broker incl. the embedded aedes; 5 adds session expiry',
        }),
        sharedGroup: Type.Optional(
          Type.String({
            pattern: '^[A-Za-z0-9_-]+$',
            description:
              'MQTT 5 shared subscription group ($share/GROUP/...): several central instances split the load',
          }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    database: Type.Object(
      {
        path: Type.String({
          default: './data/central/matthan.sqlite',
          description: 'SQLite file (WAL mode)',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    evidence: Type.Object(
      {
        dir: Type.String({ default: './data/central/evidence' }),
        retentionDays: Type.Number({ minimum: 0, default: 30, description: '0 keeps forever' }),
        maxBytes: Type.Integer({
          minimum: 0,
          default: 50_000_000_000,
          description: 'oldest evidence deleted above this; 0 = no limit',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    auth: Type.Object(
      {
        tokens: Type.Array(
          Type.Object(
            {
              name: Type.String({ minLength: 1 }),
              role: Type.Union(ROLES.map((r) => Type.Literal(r))),
              token: Type.String({ minLength: 16, description: 'use ${ENV_VAR}; at least 16 characters' }),
            },
            { additionalProperties: false },
          ),
          { default: [] },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    dedup: Type.Object(
      {
        mergeWindowS: Type.Number({
          minimum: 0,
          default: 10,
          description: 'events of one camera and rule closer than this (and mergeDistance) join one incident',
        }),
        mergeDistance: Type.Number({
          minimum: 0,
          maximum: 2,
          default: 0.15,
          description: 'normalised box-centre distance',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);
export type CentralConfig = Static<typeof CentralConfigSchema>;

export function checkCentralConfig(config: CentralConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  config.auth.tokens.forEach((t, i) => {
    if (seen.has(t.token))
      issues.push({ path: `auth.tokens[${i}].token`, value: '***', reason: 'duplicate token' });
    seen.add(t.token);
  });
  return issues;
}
