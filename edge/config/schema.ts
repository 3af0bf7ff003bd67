// The edge box config: one typed tree (site, broker, detector, cameras with zones/lines/rules), every field described.
import { type Static, Type } from '@sinclair/typebox';
import type { ConfigIssue } from '../../config/errors.ts';
import { SLUG_PATTERN } from '../../contract/ids.ts';
import { ClassifierSchema } from '../classify/classifier-schema.ts';
import { DetectionFilterSchema } from '../detect/detection-filter-schema.ts';
import { DetectorSchema } from '../detect/detector-schema.ts';
import { checkRegions, RegionsSchema } from '../detect/region-schema.ts';
import { EvidenceSchema } from '../evidence/evidence-schema.ts';
import { checkRing, RingSchema } from '../ingest/ring-schema.ts';
import { SourceSchema } from '../ingest/source-schema.ts';
import { OutboxSchema } from '../outbox/outbox-schema.ts';
import { CameraPlatesSchema, PlatesSchema } from '../plate/plate-schema.ts';
import { CentralUploadSchema } from '../publish/central-upload-schema.ts';
import { checkRedLight } from '../rules/red-light.ts';
import { LineSchema, RuleSchema, ZoneSchema } from '../rules/rule-schema.ts';
import { checkSpeeding } from '../rules/speeding.ts';
import { checkSignal, SignalSchema } from '../signal/signal-schema.ts';
import { checkTracker, TrackerSchema } from '../track/tracker-schema.ts';
import { checkViewGuard, ViewGuardSchema } from '../view/view-guard-schema.ts';

export const BrokerSchema = Type.Object(
  {
    url: Type.String({
      default: 'mqtt://127.0.0.1:1883',
      description: 'mqtt://, mqtts://, ws:// or wss:// URL of the broker',
    }),
    username: Type.Optional(
      Type.String({ description: "this box's MQTT user (its edges[].name in the central config)" }),
    ),
    password: Type.Optional(
      Type.String({ description: "this box's MQTT password (edges[].mqttPassword); use ${ENV_VAR}" }),
    ),
    clientId: Type.Optional(
      Type.String({
        description:
          'default: the username (the brokers bind a client id to its user: the username, or the username, a dot ' +
          'and anything), else matthan-edge-{site}',
      }),
    ),
    caFile: Type.Optional(Type.String({ description: 'PEM CA bundle for mqtts:// with a private CA' })),
    certFile: Type.Optional(
      Type.String({ description: 'PEM client certificate, for a broker that requires client certificates' }),
    ),
    keyFile: Type.Optional(Type.String({ description: 'PEM private key of certFile' })),
    keepaliveS: Type.Integer({
      minimum: 5,
      maximum: 3600,
      default: 30,
      description: 'MQTT keepalive seconds',
    }),
  },
  { additionalProperties: false },
);

export const CameraSchema = Type.Object(
  {
    id: Type.String({ pattern: SLUG_PATTERN, description: 'camera id: lower-case letters, digits, - and _' }),
    name: Type.Optional(Type.String({ description: 'human name shown to reviewers' })),
    enabled: Type.Boolean({ default: true }),
    source: SourceSchema,
    ring: { ...RingSchema, default: {} },
    fps: Type.Number({
      exclusiveMinimum: 0,
      maximum: 60,
      default: 5,
      description: 'frames per second analysed. Higher catches faster crossings and costs CPU linearly.',
    }),
    location: Type.Optional(
      Type.Object(
        {
          lat: Type.Number({ minimum: -90, maximum: 90 }),
          lon: Type.Number({ minimum: -180, maximum: 180 }),
        },
        { additionalProperties: false, description: 'camera position (WGS84), forwarded in IOC alerts' },
      ),
    ),
    zones: Type.Array(ZoneSchema, { default: [] }),
    lines: Type.Array(LineSchema, { default: [] }),
    rules: Type.Array(RuleSchema, { default: [] }),
    classifier: Type.Optional(ClassifierSchema),
    tracker: { ...TrackerSchema, default: {} },
    viewGuard: { ...ViewGuardSchema, default: {} },
    signal: Type.Optional(SignalSchema),
    detections: {
      ...DetectionFilterSchema,
      default: {},
      description:
        'Filters on the detections of this camera before tracking: classes, minimum scores, box size, ' +
        'ROI polygons and masks (edge/detect/detection-filter-schema.ts). Default: keep everything.',
    },
    plates: { ...CameraPlatesSchema, default: {} },
    regions: { ...RegionsSchema, default: {} },
  },
  { additionalProperties: false },
);

export const EdgeConfigSchema = Type.Object(
  {
    site: Type.String({ pattern: SLUG_PATTERN, description: 'site id; the first level of every MQTT topic' }),
    timezone: Type.String({ default: 'Asia/Ho_Chi_Minh', description: 'IANA zone for rule schedules' }),
    dataDir: Type.String({
      default: './data/edge',
      description: 'outbox, segment ring buffer and evidence (relative to cwd)',
    }),
    modelsDir: Type.Optional(
      Type.String({ description: 'where model files are; default $MATTHAN_MODELS_DIR or ../shared/models' }),
    ),
    mediaDir: Type.Optional(
      Type.String({
        description: 'where media:NAME sources are; default $MATTHAN_MEDIA_DIR or ../shared/media',
      }),
    ),
    statusIntervalS: Type.Number({
      minimum: 1,
      maximum: 3600,
      default: 15,
      description:
        'seconds between retained camera health messages (fps in/processed, drops, last event). Lower is a livelier camera panel and more uplink traffic.',
    }),
    broker: { ...BrokerSchema, default: {} },
    http: Type.Object(
      {
        host: Type.String({
          default: '127.0.0.1',
          description: 'listen address of /metrics, /healthz, /readyz; 0.0.0.0 for a LAN scraper',
        }),
        port: Type.Integer({
          minimum: 0,
          maximum: 65535,
          default: 9101,
          description:
            'port (default 9101; 0 picks a free one). If it is taken the box logs an error and uses a free port, cameras keep running.',
        }),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'the operator HTTP endpoint (Prometheus metrics and health)',
      },
    ),
    detector: { ...DetectorSchema, default: {} },
    outbox: { ...OutboxSchema, default: {} },
    evidence: { ...EvidenceSchema, default: {} },
    plates: { ...PlatesSchema, default: {} },
    central: Type.Optional({
      ...CentralUploadSchema,
      description: 'central API for evidence uploads; without it evidence stays queued on the box',
    }),
    cameras: Type.Array(CameraSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type EdgeConfig = Static<typeof EdgeConfigSchema>;
export type CameraConfig = Static<typeof CameraSchema>;

/** Cross-field checks: unique ids, rules that reference zones/lines that exist, sane polygons. */
export function checkEdgeConfig(config: EdgeConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if ((config.broker.certFile === undefined) !== (config.broker.keyFile === undefined))
    issues.push({
      path: config.broker.certFile === undefined ? 'broker.certFile' : 'broker.keyFile',
      value: undefined,
      reason: 'certFile and keyFile go together (the client certificate and its key)',
    });
  const cameraIds = new Set<string>();
  config.cameras.forEach((cam, ci) => {
    if (cameraIds.has(cam.id))
      issues.push({ path: `cameras[${ci}].id`, value: cam.id, reason: 'duplicate camera id' });
    cameraIds.add(cam.id);
    issues.push(...checkRing(cam.ring, `cameras[${ci}].ring`));
    issues.push(...checkTracker(cam.tracker, `cameras[${ci}].tracker`));
    issues.push(...checkViewGuard(cam.viewGuard, `cameras[${ci}].viewGuard`));
    issues.push(...checkSignal(cam.signal, `cameras[${ci}].signal`));
    issues.push(...checkRegions(cam.regions, `cameras[${ci}].regions`));
    const zones = new Set<string>();
    cam.zones.forEach((z, zi) => {
      if (zones.has(z.id))
        issues.push({ path: `cameras[${ci}].zones[${zi}].id`, value: z.id, reason: 'duplicate zone id' });
      zones.add(z.id);
    });
    const lines = new Set<string>();
    cam.lines.forEach((l, li) => {
      if (lines.has(l.id))
        issues.push({ path: `cameras[${ci}].lines[${li}].id`, value: l.id, reason: 'duplicate line id' });
      lines.add(l.id);
    });
    const rules = new Set<string>();
    cam.rules.forEach((r, ri) => {
      const at = `cameras[${ci}].rules[${ri}]`;
      if (rules.has(r.id)) issues.push({ path: `${at}.id`, value: r.id, reason: 'duplicate rule id' });
      rules.add(r.id);
      if (r.type === 'red_light') {
        for (const p of checkRedLight(r, cam.lines))
          issues.push({ path: `${at}.${p.field}`, value: p.value, reason: p.reason });
        r.exemptZones.forEach((z, zi) => {
          if (!zones.has(z))
            issues.push({
              path: `${at}.exemptZones[${zi}]`,
              value: z,
              reason: `no zone with this id on camera ${cam.id} (zones: ${[...zones].join(', ') || 'none'})`,
            });
        });
      }
      if (r.type === 'wrong_way' && r.allowedDirection[0] === 0 && r.allowedDirection[1] === 0)
        issues.push({
          path: `${at}.allowedDirection`,
          value: r.allowedDirection,
          reason: 'has no direction; give the travel vector, e.g. [0, -1] for traffic driving up the frame',
        });
      if (r.type === 'forbidden_turn' && r.entryZone === r.exitZone)
        issues.push({
          path: `${at}.exitZone`,
          value: r.exitZone,
          reason: 'is also the entry zone; a turn needs two zones (a U-turn: the two directions of a road)',
        });
      if (r.type === 'speeding') {
        for (const p of checkSpeeding(r, lines))
          issues.push({ path: `${at}.${p.field}`, value: p.value, reason: p.reason });
      }
      if (r.type === 'no_helmet' && !cam.classifier)
        issues.push({
          path: `cameras[${ci}].classifier`,
          value: undefined,
          reason: `rule ${r.id} (no_helmet) needs the camera's classifier block (a helmet classifier model: model, labels, classes)`,
        });
      if (r.type === 'no_helmet' && cam.classifier && !cam.classifier.labels.includes(r.violationLabel))
        issues.push({
          path: `${at}.violationLabel`,
          value: r.violationLabel,
          reason: `not one of classifier.labels (${cam.classifier.labels.join(', ')})`,
        });
      for (const [field, value] of Object.entries(r)) {
        if ((field === 'zone' || field.endsWith('Zone')) && typeof value === 'string' && !zones.has(value)) {
          issues.push({
            path: `${at}.${field}`,
            value,
            reason: `no zone with this id on camera ${cam.id} (zones: ${[...zones].join(', ') || 'none'})`,
          });
        }
        if ((field === 'line' || field.endsWith('Line')) && typeof value === 'string' && !lines.has(value)) {
          issues.push({
            path: `${at}.${field}`,
            value,
            reason: `no line with this id on camera ${cam.id} (lines: ${[...lines].join(', ') || 'none'})`,
          });
        }
      }
    });
  });
  return issues;
}
