// The central service config: HTTP, broker subscription, database, evidence store, auth tokens, dedup.
import { type Static, Type } from '@sinclair/typebox';
import type { ConfigIssue } from '../../config/errors.ts';
import { SLUG_PATTERN } from '../../contract/ids.ts';
import { ForwardingConfigSchema } from '../forward/forward-schema.ts';

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
          description:
            'seconds (default 10): a new event of one camera and rule starting this soon after an incident was last seen ' +
            '(and within mergeDistance) joins it, as do events of grouped cameras; raising it rejoins longer tracker ' +
            'dropouts but risks merging two vehicles that violate one after the other',
        }),
        mergeDistance: Type.Number({
          minimum: 0,
          maximum: 2,
          default: 0.15,
          description:
            'normalised box-centre distance (default 0.15 of the frame) between the last sighting and the new start; ' +
            'raising it survives faster objects and longer gaps, lowering it keeps neighbours in a queue apart',
        }),
        overlapToleranceMs: Type.Integer({
          minimum: 0,
          default: 1000,
          description:
            'ms (default 1000) a new event may start before the incident was last seen and still be a tracker id switch; ' +
            'beyond it both objects were seen at once, so they are two violations. Raise it above the edge update interval ' +
            'if switches are missed',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    ingest: Type.Object(
      {
        batchSize: Type.Integer({
          minimum: 1,
          maximum: 10_000,
          default: 500,
          description:
            'messages per SQLite transaction (default 500); a batch commits when full or when the socket has no more ' +
            'queued messages, and each message is acknowledged only after its batch commits. Larger batches raise ' +
            'throughput, but a failed commit makes the broker redeliver more',
        }),
        quarantineMaxRows: Type.Integer({
          minimum: 1000,
          default: 100_000,
          description:
            'refused payloads kept (default 100000, each at most 16 KiB; the oldest are dropped, the counters keep ' +
            'counting): more keeps a longer history of a broken edge at the cost of disk',
        }),
        receiveMaximum: Type.Integer({
          minimum: 1,
          maximum: 65_535,
          default: 1000,
          description:
            'MQTT 5 Receive Maximum (default 1000): unacknowledged QoS 1 messages the broker may have in flight to ' +
            'central, which caps a batch. MQTT 3.1.1 brokers use their own limit (mosquitto max_inflight_messages, 20)',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    cameras: Type.Array(
      Type.Object(
        {
          site: Type.String({ pattern: SLUG_PATTERN, description: 'site id, as in the edge config' }),
          id: Type.String({ pattern: SLUG_PATTERN, description: 'camera id, as in the edge config' }),
          name: Type.Optional(Type.String({ maxLength: 200, description: 'display name for reviewers' })),
          location: Type.Optional(
            Type.Object(
              {
                lat: Type.Number({ minimum: -90, maximum: 90, description: 'WGS84 degrees' }),
                lon: Type.Number({ minimum: -180, maximum: 180, description: 'WGS84 degrees' }),
              },
              { additionalProperties: false },
            ),
          ),
          group: Type.Optional(
            Type.String({
              pattern: '^[A-Za-z0-9_-]{1,64}$',
              description:
                'cameras with the same group overlap (one intersection seen from two poles): the same rule type ' +
                'within mergeWindowS on any of them is merged into one incident',
            }),
          ),
        },
        { additionalProperties: false },
      ),
      {
        default: [],
        description:
          'camera inventory: names, positions (for CAP/NGSI-LD areas) and overlap groups; optional',
      },
    ),
    forwarding: ForwardingConfigSchema, // IOC forwarders and policy per rule (central/forward/forward-schema.ts)
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
  const cams = new Set<string>();
  config.cameras.forEach((c, i) => {
    const key = `${c.site}/${c.id}`;
    if (cams.has(key))
      issues.push({ path: `cameras[${i}].id`, value: c.id, reason: `camera ${key} is listed twice` });
    cams.add(key);
  });
  return issues;
}
