// The `forwarding` block of the central config: IOC forwarders (webhook, CAP 1.2, NGSI-LD), policy per rule, outbox.
import { type Static, Type } from '@sinclair/typebox';
import { DiscriminatedUnion } from '../../config/schema-helpers.ts';
import { RULE_TYPES } from '../../contract/event.ts';

export const FORWARD_POLICIES = ['immediate', 'after-confirm'] as const;
export type ForwardPolicy = (typeof FORWARD_POLICIES)[number];

const Policy = (description: string, defaultValue?: ForwardPolicy) =>
  Type.Union(
    FORWARD_POLICIES.map((p) => Type.Literal(p)),
    defaultValue ? { description, default: defaultValue } : { description },
  );

export const BackoffSchema = Type.Object(
  {
    initialMs: Type.Integer({
      minimum: 10,
      default: 2_000,
      description:
        'ms before the 2nd attempt; doubles (factor) per failure. Lower recovers faster after a short outage, at the cost of more requests against a receiver that is down',
    }),
    maxMs: Type.Integer({
      minimum: 10,
      default: 300_000,
      description:
        'ms cap on the delay between attempts (5 min); a lower cap finds a returning receiver sooner',
    }),
    factor: Type.Number({
      minimum: 1,
      maximum: 10,
      default: 2,
      description: 'growth of the delay per failure',
    }),
    jitter: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.2,
      description:
        'fraction of the delay randomised (±) so many deliveries do not retry in lock-step after an outage',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type BackoffConfig = Static<typeof BackoffSchema>;

const common = {
  id: Type.String({
    pattern: '^[a-z0-9][a-z0-9-]{0,31}$',
    description: 'forwarder id (kebab-case); part of every message id, so keep it stable',
  }),
  url: Type.String({ pattern: '^https?://', description: 'receiver URL (POST)' }),
  token: Type.Optional(
    Type.String({ minLength: 1, description: 'sent as `Authorization: Bearer ...`; use ${ENV_VAR}' }),
  ),
  timeoutMs: Type.Integer({
    minimum: 100,
    default: 10_000,
    description:
      'ms per HTTP attempt; a timed-out attempt is retried with the same idempotency key (the receiver dedups)',
  }),
  maxAttempts: Type.Integer({
    minimum: 1,
    default: 12,
    description:
      'attempts before a delivery is dead-lettered (retry it with POST /api/forwarding/:id/retry). With the default backoff, 12 attempts span ~25 min',
  }),
  concurrency: Type.Integer({
    minimum: 1,
    maximum: 32,
    default: 4,
    description:
      'deliveries in flight to this receiver at once (messages of one incident always go in order)',
  }),
  backoff: BackoffSchema,
};

const Secret = Type.String({
  minLength: 16,
  description: 'HMAC-SHA256 key for the X-Matthan-Signature header; use ${ENV_VAR}; at least 16 characters',
});

export const WebhookForwarderSchema = Type.Object(
  { ...common, type: Type.Literal('webhook'), secret: Secret },
  { additionalProperties: false },
);

export const CapForwarderSchema = Type.Object(
  {
    ...common,
    type: Type.Literal('cap'),
    secret: Type.Optional(Secret),
    sender: Type.String({
      pattern: '^[^\\s,<&]+$',
      default: 'matthan@ioc.local',
      description:
        'CAP <sender>: globally unique id of this central (CAP 1.2 §3.2.1: no spaces, commas, < or &)',
    }),
    senderName: Type.String({ default: 'matthan', description: 'CAP <senderName>, human-readable' }),
    status: Type.Union([Type.Literal('Actual'), Type.Literal('Exercise'), Type.Literal('Test')], {
      default: 'Actual',
      description: 'CAP <status>; Test or Exercise while an IOC commissions the link',
    }),
    scope: Type.Union([Type.Literal('Public'), Type.Literal('Restricted')], {
      default: 'Restricted',
      description: 'CAP <scope>; Restricted adds <restriction>',
    }),
    restriction: Type.String({ default: 'IOC operators only', description: 'CAP <restriction> text' }),
    languages: Type.Array(Type.Union([Type.Literal('vi-VN'), Type.Literal('en-US')]), {
      minItems: 1,
      default: ['vi-VN', 'en-US'],
      description: 'one CAP <info> block per language, in this order',
    }),
  },
  { additionalProperties: false },
);

export const NgsiLdForwarderSchema = Type.Object(
  {
    ...common,
    type: Type.Literal('ngsi-ld'),
    secret: Type.Optional(Secret),
    tenant: Type.Optional(
      Type.String({ description: 'NGSILD-Tenant header (multi-tenant context brokers)' }),
    ),
    context: Type.Array(Type.String(), {
      default: [
        'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld',
        'https://raw.githubusercontent.com/smart-data-models/dataModel.Alert/master/context.jsonld',
      ],
      description: '@context of each entity',
    }),
  },
  { additionalProperties: false },
);

export const ForwarderConfigSchema = DiscriminatedUnion('type', [
  WebhookForwarderSchema,
  CapForwarderSchema,
  NgsiLdForwarderSchema,
]);
export type WebhookForwarderConfig = Static<typeof WebhookForwarderSchema>;
export type CapForwarderConfig = Static<typeof CapForwarderSchema>;
export type NgsiLdForwarderConfig = Static<typeof NgsiLdForwarderSchema>;
export type ForwarderConfig = WebhookForwarderConfig | CapForwarderConfig | NgsiLdForwarderConfig;

export const ForwardingConfigSchema = Type.Object(
  {
    forwarders: Type.Array(ForwarderConfigSchema, {
      default: [],
      description: 'IOC receivers; each gets every forwarded incident in its own format',
    }),
    defaultPolicy: Policy(
      'when to forward an incident of a rule type not listed in `policy`: at once (immediate; CAP certainty Likely) or only after a reviewer confirms (after-confirm; certainty Observed). Immediate is faster, after-confirm sends no false alarms',
      'after-confirm',
    ),
    policy: Type.Partial(
      Type.Object(Object.fromEntries(RULE_TYPES.map((r) => [r, Policy(`policy for ${r}`)]))),
      {
        default: {},
        additionalProperties: false,
        description: 'policy per rule type, e.g. {crowding: immediate}',
      },
    ),
    publicUrl: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description:
          'base URL of this central as the IOC reaches it, for links to incidents and evidence; default http://{http.host}:{http.port}',
      }),
    ),
    catchUpHours: Type.Number({
      minimum: 0,
      default: 24,
      description:
        'hours of incidents (by start time) re-checked at start-up, so a crash between storing an incident and writing its message loses nothing; a new forwarder also receives these. 0 disables; more costs a longer scan at start',
    }),
    pollMs: Type.Integer({
      minimum: 10,
      default: 1_000,
      description: 'ms between outbox scans when idle; new messages wake the sender at once',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type ForwardingConfig = Static<typeof ForwardingConfigSchema>;
