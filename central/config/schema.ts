// The central service config: HTTP, broker subscription, database, evidence store, auth tokens, dedup.
import { type Static, Type } from '@sinclair/typebox';
import type { ConfigIssue } from '../../config/errors.ts';
import { SLUG_PATTERN } from '../../contract/ids.ts';
import { parseNetwork } from '../auth/network-allow-list.ts';
import { weakSecretReason } from '../auth/secret-strength.ts';
import { EvidenceStoreConfigSchema } from '../evidence/evidence-store-schema.ts';
import { ForwardingConfigSchema } from '../forward/forward-schema.ts';

export const ROLES = ['viewer', 'reviewer', 'admin', 'monitor', 'edge'] as const;
export type Role = (typeof ROLES)[number];
/** Roles of `auth.tokens` (people and scrapers); edge boxes are listed under `edges`, one token per box and site. */
export const TOKEN_ROLES = ['viewer', 'reviewer', 'admin', 'monitor'] as const;

const Secret = (description: string) =>
  Type.String({
    minLength: 16,
    maxLength: 512,
    description: `${description}; use \${ENV_VAR}. At least 96 bits (e.g. openssl rand -hex 32): central refuses placeholders and guessable values`,
  });

export const CentralConfigSchema = Type.Object(
  {
    http: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1', description: 'listen address; 0.0.0.0 to serve the LAN' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: '0 picks a free port' }),
        trustProxy: Type.Union([Type.Boolean(), Type.Array(Type.String({ minLength: 1 }))], {
          default: false,
          description:
            'behind a reverse proxy (TLS terminator): true trusts X-Forwarded-For/-Proto from any peer, a list trusts ' +
            'only those addresses or CIDRs (safer). Then client IPs (login limit, allow-list, audit) and https (the ' +
            'Secure cookie flag, HSTS) come from the proxy. Default false: a direct client could forge those headers',
        }),
        opsAllowCidrs: Type.Array(Type.String({ minLength: 1 }), {
          default: ['127.0.0.1/32', '::1/128'],
          description:
            'networks (CIDR or single address) that may read /metrics and /api/openapi.json without a token; ' +
            'anyone else needs a token of role monitor or admin. Default loopback only. Add the Prometheus host; ' +
            '[] demands a token from everyone',
        }),
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
        username: Type.String({
          pattern: '^[a-z0-9][a-z0-9_-]{0,62}$',
          default: 'matthan-central',
          description:
            "central's MQTT user (default matthan-central): may read every site's events and status and publish its acknowledgements (matthan/v1/_central/{site}/acks)",
        }),
        password: Type.Optional(
          Secret(
            "central's MQTT password. With the embedded broker and none set, a random one is made at each start",
          ),
        ),
        clientId: Type.Optional(
          Type.String({
            minLength: 1,
            maxLength: 128,
            description:
              'id of the persistent session (must start with the username, e.g. matthan-central.main). Default: ' +
              'the username, a dot and 16 random hex characters kept in the database, so the session cannot be ' +
              'guessed and taken over by another client',
          }),
        ),
        caFile: Type.Optional(
          Type.String({ description: 'PEM CA bundle that signed the broker certificate (mqtts://, wss://)' }),
        ),
        certFile: Type.Optional(
          Type.String({
            description: 'PEM client certificate, for a broker that requires client certificates',
          }),
        ),
        keyFile: Type.Optional(Type.String({ description: 'PEM private key of certFile' })),
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
        queueProbeMessages: Type.Optional(
          Type.Integer({
            minimum: 0,
            maximum: 100_000,
            default: 2000,
            description:
              'at start central queues this many tiny QoS 1 messages for an offline probe session (on ' +
              'matthan/v1/_central/_probe/acks) and warns if the broker keeps fewer: a stock mosquitto keeps 1000 ' +
              '(max_queued_messages) and drops the rest while central is away (default 2000; 0 skips the probe). ' +
              "It logs in as {username}-probe (its password derived from central's), which the embedded broker and " +
              'matthan broker-files create',
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
        store: EvidenceStoreConfigSchema, // where the bytes live: evidence.dir or S3 (central/evidence/evidence-store-schema.ts)
      },
      { additionalProperties: false, default: {} },
    ),
    auth: Type.Object(
      {
        tokens: Type.Array(
          Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 100 }),
              role: Type.Union(
                TOKEN_ROLES.map((r) => Type.Literal(r)),
                {
                  description:
                    'viewer (read), reviewer (verdicts), admin (everything, audit log), monitor (/metrics and ' +
                    'the OpenAPI document only, for a scraper)',
                },
              ),
              token: Secret('the API token'),
            },
            { additionalProperties: false },
          ),
          { default: [], description: 'API tokens of people and scrapers; edge boxes are under edges' },
        ),
        sessionMaxAgeS: Type.Integer({
          minimum: 60,
          maximum: 30 * 24 * 3600,
          default: 12 * 3600,
          description:
            'seconds a review-page session lasts after sign-in (default 43200, one 12 h shift). Sessions are ' +
            'server-side and end at logout; longer means fewer sign-ins on a shared workstation and a longer ' +
            'window for a stolen cookie',
        }),
        loginMaxFailures: Type.Integer({
          minimum: 1,
          maximum: 10_000,
          default: 10,
          description:
            'bad tokens (sign-ins and Bearer headers) one client address may present per loginWindowS before ' +
            'every sign-in from it is answered 429 (default 10). Lower slows guessing more and locks out a ' +
            'mistyping user sooner',
        }),
        loginWindowS: Type.Integer({
          minimum: 1,
          maximum: 24 * 3600,
          default: 900,
          description: 'seconds over which loginMaxFailures are counted (default 900, a sliding window)',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    edges: Type.Array(
      Type.Object(
        {
          name: Type.String({
            pattern: '^[a-z0-9][a-z0-9_-]{0,62}$',
            description: 'the box: its MQTT username and the name in the audit log (e.g. box-hcmc-d1-01)',
          }),
          site: Type.String({ pattern: SLUG_PATTERN, description: 'the one site this box reports for' }),
          token: Secret("the box's API token (its central.token: evidence uploads for its site only)"),
          mqttPassword: Secret(
            "the box's MQTT password (its broker.password); it may publish only under matthan/v1/{site}/#",
          ),
        },
        { additionalProperties: false },
      ),
      {
        default: [],
        description:
          'one entry per edge box, each with its own token and MQTT login, scoped to its site. The embedded ' +
          'broker admits exactly these (and signalControllers); matthan broker-files writes them for mosquitto',
      },
    ),
    signalControllers: Type.Array(
      Type.Object(
        {
          name: Type.String({
            pattern: '^[a-z0-9][a-z0-9_-]{0,62}$',
            description: "the controller's MQTT username",
          }),
          site: Type.String({ pattern: SLUG_PATTERN, description: 'site whose boxes read its topics' }),
          topics: Type.Array(
            Type.String({
              minLength: 1,
              maxLength: 256,
              pattern: '^[^+#$][^+#]*$',
              description: 'exact topic (no wildcards), as in the edge camera signal.topic',
            }),
            { minItems: 1, description: 'topics this controller alone may publish on' },
          ),
          mqttPassword: Secret("the controller's MQTT password"),
        },
        { additionalProperties: false },
      ),
      {
        default: [],
        description:
          'traffic-signal controllers: only they may publish their topics, and only the boxes of their site ' +
          'may read them, so a red light cannot be spoofed by another client',
      },
    ),
    dedup: Type.Object(
      {
        mergeWindowS: Type.Number({
          minimum: 0,
          default: 10,
          description:
            'seconds (default 10): an event of a camera in a group (cameras[].group) starting this close to an ' +
            'incident of the same rule type on another camera of the group joins it (the cameras overlap). Events of ' +
            'one camera are never merged by time or position: the edge states when an event continues another ' +
            '(`continues`). Raising it joins views that see a vehicle further apart in time, and risks joining two ' +
            'vehicles that violate one after the other in view of different poles',
        }),
        mergeDistance: Type.Optional(
          Type.Unknown({
            description:
              'removed: central no longer merges events of one camera by position and time (the next vehicle in a ' +
              'lane passes the same place). Delete it; the edge states continuations',
          }),
        ),
        overlapToleranceMs: Type.Optional(
          Type.Unknown({
            description: 'removed with mergeDistance (it bounded the same-camera position merge). Delete it',
          }),
        ),
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
        maxMessageBytes: Type.Integer({
          minimum: 1024,
          maximum: 268_435_455,
          default: 65_536,
          description:
            'bytes (default 65536, 64 KiB): a larger payload is quarantined unparsed, before JSON.parse. Events are ' +
            '~400 bytes and at most a few KiB; raising it lets a hostile or broken publisher make central parse ' +
            "megabytes (a 10 MB JSON.parse blocks the process for a second). Keep the broker's message_size_limit " +
            'near it (config/examples/mosquitto.conf)',
        }),
        maxClockSkewS: Type.Number({
          minimum: 1,
          maximum: 86_400,
          default: 300,
          description:
            "seconds (default 300) an event or status timestamp may be ahead of central's clock; later ones are " +
            'quarantined with the reason (a far-future ts would sit on top of the review queue for ever). Raise it ' +
            'for edges with a badly set clock; lower it when every box runs NTP',
        }),
        maxEventAgeDays: Type.Number({
          minimum: 0,
          default: 0,
          description:
            'days (default 0: no bound) an event or status timestamp may lie in the past; older ones are ' +
            'quarantined. Off by default because an edge replays its outbox oldest first after an outage of any ' +
            'length; the contract already refuses anything before 2000-01-01',
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
    review: Type.Object(
      {
        undoWindowS: Type.Number({
          minimum: 0,
          maximum: 300,
          default: 10,
          description:
            'seconds (default 10) a reviewer can undo a verdict; forwarders hear of a verdict only after it. Longer ' +
            'forgives slower second thoughts but delays CAP/NGSI-LD updates; 0 disables undo',
        }),
        lockLeaseS: Type.Number({
          minimum: 5,
          maximum: 3600,
          default: 60,
          description:
            "seconds (default 60) an incident open in a reviewer's page stays locked to them (the page renews it " +
            'while open). Longer keeps a lock through a slow review but leaves incidents of a closed page locked longer',
        }),
        evidencePendingMaxS: Type.Number({
          minimum: 60,
          default: 1800,
          description:
            'seconds (default 1800) after an incident was last seen that evidence not received and not explained by ' +
            'the edge is shown as missing rather than "uploading"; raise it for edges on slow uplinks',
        }),
        timezone: Type.String({
          default: 'Asia/Ho_Chi_Minh',
          description: 'IANA time zone of printed records (PDF exports)',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    map: Type.Object(
      {
        tileUrl: Type.Optional(
          Type.String({
            pattern: '^(https?://|/)',
            maxLength: 500,
            description:
              'XYZ tile URL template of the IOC tile server, e.g. https://tiles.ioc.local/{z}/{x}/{y}.png; without ' +
              'it the cameras page plots positions on a plain offline map',
          }),
        ),
        outline: Type.Optional(
          Type.Array(
            Type.Tuple([
              Type.Number({ minimum: -90, maximum: 90 }),
              Type.Number({ minimum: -180, maximum: 180 }),
            ]),
            {
              minItems: 3,
              maxItems: 500,
              description: 'site outline as [lat, lon] points, drawn under the camera markers',
            },
          ),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    forwarding: ForwardingConfigSchema, // IOC forwarders and policy per rule (central/forward/forward-schema.ts)
  },
  { additionalProperties: false },
);
export type CentralConfig = Static<typeof CentralConfigSchema>;

export interface CentralCheckOptions {
  /** The demo makes its own secrets; outside it, placeholders and guessable secrets are refused. */
  demo?: boolean;
}

export function checkCentralConfig(config: CentralConfig, opts: CentralCheckOptions = {}): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  issues.push(...checkIdentities(config));
  if (!opts.demo) issues.push(...checkSecrets(config));
  issues.push(...checkNetworks(config));
  const b = config.broker;
  if (b.clientId !== undefined && b.clientId !== b.username && !b.clientId.startsWith(`${b.username}.`))
    issues.push({
      path: 'broker.clientId',
      value: b.clientId,
      reason: `must be the username or start with "${b.username}." (the brokers bind a client id to its user)`,
    });
  if ((b.certFile === undefined) !== (b.keyFile === undefined))
    issues.push({
      path: b.certFile === undefined ? 'broker.certFile' : 'broker.keyFile',
      value: undefined,
      reason: 'certFile and keyFile go together (the client certificate and its key)',
    });
  const st = config.evidence.store;
  if (st.kind === 's3' && !st.s3)
    issues.push({
      path: 'evidence.store.s3',
      value: undefined,
      reason: 'kind "s3" needs the bucket: evidence.store.s3 { endpoint, bucket, ... }',
    });
  if (st.s3 && (st.s3.accessKeyId === undefined) !== (st.s3.secretAccessKey === undefined))
    issues.push({
      path:
        st.s3.accessKeyId === undefined
          ? 'evidence.store.s3.accessKeyId'
          : 'evidence.store.s3.secretAccessKey',
      value: undefined,
      reason: 'accessKeyId and secretAccessKey go together (or neither, for the SDK default chain)',
    });
  // Fields of the removed same-camera position merge: refused by name, so an upgrade says what changed.
  for (const field of ['mergeDistance', 'overlapToleranceMs'] as const)
    if (config.dedup[field] !== undefined)
      issues.push({
        path: `dedup.${field}`,
        value: config.dedup[field],
        reason:
          'removed: central no longer merges events of one camera by position and time; the edge states ' +
          'continuations (contract field `continues`). Delete this line',
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

/** Every token and MQTT user is one principal: no token or username used twice, signal topics owned once. */
function checkIdentities(config: CentralConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const tokens = new Set<string>();
  const token = (value: string, path: string) => {
    if (tokens.has(value)) issues.push({ path, value: '***', reason: 'duplicate token' });
    tokens.add(value);
  };
  for (const [i, t] of config.auth.tokens.entries()) token(t.token, `auth.tokens[${i}].token`);
  for (const [i, e] of config.edges.entries()) token(e.token, `edges[${i}].token`);
  const users = new Map<string, string>([[config.broker.username, 'broker.username']]);
  const user = (name: string, path: string) => {
    const other = users.get(name);
    if (other) issues.push({ path, value: name, reason: `MQTT user ${name} is already ${other}` });
    else users.set(name, path);
  };
  for (const [i, e] of config.edges.entries()) user(e.name, `edges[${i}].name`);
  const topics = new Map<string, string>();
  config.signalControllers.forEach((c, i) => {
    user(c.name, `signalControllers[${i}].name`);
    c.topics.forEach((t, ti) => {
      const at = `signalControllers[${i}].topics[${ti}]`;
      if (t === 'matthan' || t.startsWith('matthan/'))
        issues.push({
          path: at,
          value: t,
          reason: 'lies under matthan/, where edge boxes publish; give the controller a topic of its own',
        });
      const owner = topics.get(t);
      if (owner) issues.push({ path: at, value: t, reason: `topic already belongs to ${owner}` });
      else topics.set(t, c.name);
    });
  });
  return issues;
}

function checkSecrets(config: CentralConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const check = (value: string | undefined, path: string) => {
    const reason = value === undefined ? undefined : weakSecretReason(value);
    if (reason) issues.push({ path, value: '***', reason });
  };
  check(config.broker.password, 'broker.password');
  for (const [i, t] of config.auth.tokens.entries()) check(t.token, `auth.tokens[${i}].token`);
  config.edges.forEach((e, i) => {
    check(e.token, `edges[${i}].token`);
    check(e.mqttPassword, `edges[${i}].mqttPassword`);
  });
  for (const [i, c] of config.signalControllers.entries())
    check(c.mqttPassword, `signalControllers[${i}].mqttPassword`);
  return issues;
}

function checkNetworks(config: CentralConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const lists: [string, readonly string[]][] = [['http.opsAllowCidrs', config.http.opsAllowCidrs]];
  if (Array.isArray(config.http.trustProxy)) lists.push(['http.trustProxy', config.http.trustProxy]);
  for (const [path, list] of lists)
    list.forEach((n, i) => {
      if (!parseNetwork(n))
        issues.push({
          path: `${path}[${i}]`,
          value: n,
          reason: 'is not an IP address or CIDR (e.g. 10.0.0.0/8)',
        });
    });
  return issues;
}
