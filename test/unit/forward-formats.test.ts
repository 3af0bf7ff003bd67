// The three IOC formats: every CAP message validates against the OASIS CAP 1.2 XSD (xmllint), every NGSI-LD
// entity against the FIWARE Alert schema (ajv), and the webhook body and headers carry what integrators verify.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { alertMapping } from '../../central/forward/alert-mapping.ts';
import { CapForwarder, capTime } from '../../central/forward/cap-forwarder.ts';
import {
  CapForwarderSchema,
  NgsiLdForwarderSchema,
  WebhookForwarderSchema,
} from '../../central/forward/forward-schema.ts';
import type { AlertMessage, Forwarder, MessageKind } from '../../central/forward/forwarder.ts';
import { NgsiLdForwarder } from '../../central/forward/ngsi-ld-forwarder.ts';
import { WebhookForwarder } from '../../central/forward/webhook-forwarder.ts';
import type { Incident } from '../../central/store/incident-store.ts';
import { parseConfig } from '../../config/load.ts';
import { RULE_TYPES } from '../../contract/event.ts';
import { fiwareAlertValidator, validateCap, xpathString } from '../helpers/forward-validators.ts';

const SECRET = 'webhook-secret-0123456789';
const parse = <T>(schema: Parameters<typeof parseConfig>[2], yaml: string) =>
  parseConfig(yaml, '<test>', schema) as T;
const cap = new CapForwarder(
  parse(
    CapForwarderSchema,
    'id: ioc-cap\ntype: cap\nurl: http://127.0.0.1:1/cap\nsender: matthan@ioc.quangnam.gov.vn',
  ),
);
const capPublic = new CapForwarder(
  parse(
    CapForwarderSchema,
    'id: ioc-cap2\ntype: cap\nurl: http://127.0.0.1:1/cap\nscope: Public\nlanguages: [en-US]',
  ),
);
const ngsi = new NgsiLdForwarder(
  parse(NgsiLdForwarderSchema, 'id: ioc-ngsi\ntype: ngsi-ld\nurl: http://127.0.0.1:1/ngsi\ntoken: tok-123'),
);
const webhook = new WebhookForwarder(
  parse(
    WebhookForwarderSchema,
    `id: ioc-hook\ntype: webhook\nurl: http://127.0.0.1:1/hook\nsecret: ${SECRET}`,
  ),
);

function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'evt_0123456789abcdef',
    site: 'qnam-tamky',
    camera: 'cam-01',
    rule: 'stop-line-north',
    ruleType: 'red_light',
    label: 'motorcycle',
    status: 'open',
    firstTs: 1_763_700_000_123,
    lastTs: 1_763_700_004_000,
    ended: false,
    confidence: 0.8712,
    boxXyxyNorm: [0.1, 0.5, 0.3, 0.8],
    details: { speedKmh: 42.3 },
    evidence: { snapshot: 'ev_snapshot_0001', clip: 'ev_clip_000001' },
    eventCount: 3,
    ...overrides,
  } as Incident;
}

function message(kind: MessageKind, i: Incident, withLocation = true, seq = 1): AlertMessage {
  const base = 'http://central.example:8080';
  return {
    kind,
    messageId: `fwd.${i.id}.${seq}`,
    seq,
    sentMs: 1_763_700_010_999,
    incident: i,
    camera: {
      site: i.site,
      id: i.camera,
      name: 'Ngã tư Phan Chu Trinh & <Hùng Vương>',
      ...(withLocation ? { location: { lat: 15.5736, lon: 108.474 } } : {}),
    },
    review:
      kind === 'cancel'
        ? { verdict: 'rejected', reviewer: 'reviewer-1', note: 'shadow, not a vehicle & no "violation"' }
        : undefined,
    references: Array.from({ length: seq - 1 }, (_, k) => ({
      messageId: `fwd.${i.id}.${k + 1}`,
      sentMs: 1_763_700_005_000 + k,
    })),
    links: {
      incident: `${base}/api/incidents/${i.id}`,
      evidence: Object.fromEntries(
        Object.entries(i.evidence ?? {}).map(([k, v]) => [k, `${base}/api/evidence/${v}`]),
      ),
    },
    // The snapshot is stored; the clip is still uploading (no size or digest yet).
    evidenceFiles: i.evidence?.snapshot ? { snapshot: SNAPSHOT_FILE } : {},
  };
}

const SNAPSHOT_FILE = {
  bytes: 48_213,
  sha256: 'a'.repeat(64),
  sha1: '2fd4e1c67a2d28fced849ee1bb76e7391b93eb12',
};

const KINDS: MessageKind[] = ['alert', 'update', 'cancel'];
const LABEL_BY_RULE: Record<string, string[]> = {
  object_present: ['fire', 'smoke', 'flood', 'garbage', 'dog'],
};
// every rule type (and every object class with its own mapping) x every message kind x with/without a position
const CASES = RULE_TYPES.flatMap((ruleType) =>
  (LABEL_BY_RULE[ruleType] ?? ['car']).flatMap((label) =>
    KINDS.flatMap((kind) => [true, false].map((loc) => ({ ruleType, label, kind, loc }))),
  ),
);

describe('CAP 1.2 forwarder', () => {
  const docs = CASES.map(
    (c) =>
      cap.render(
        message(
          c.kind,
          incident({ ruleType: c.ruleType, label: c.label }),
          c.loc,
          c.kind === 'alert' ? 1 : 3,
        ),
      ).body,
  );
  const publicDocs = CASES.map(
    (c) =>
      capPublic.render(message(c.kind, incident({ ruleType: c.ruleType, label: c.label }), c.loc, 2)).body,
  );
  const results = validateCap([...docs, ...publicDocs]);

  it.each(
    CASES.map((c, i) => [`${c.ruleType}/${c.label} ${c.kind} location=${c.loc}`, i] as const),
  )('%s validates against the CAP 1.2 XSD', (_name, i) => {
    expect(results[i]!.output).toMatch(/ validates$/);
    expect(results[i]!.ok).toBe(true);
    expect(results[CASES.length + i]!.ok).toBe(true);
  });

  it.each(
    CASES.filter((c) => c.kind === 'alert').map((c) => [c.ruleType, c.label] as const),
  )('%s/%s carries the mapped category, urgency and severity', (ruleType, label) => {
    const xml = cap.render(message('alert', incident({ ruleType, label }))).body;
    const m = alertMapping(ruleType, label);
    expect(
      xpathString(xml, "/*[local-name()='alert']/*[local-name()='info'][1]/*[local-name()='category']"),
    ).toBe(m.cap.category);
    expect(xpathString(xml, "//*[local-name()='info'][1]/*[local-name()='urgency']")).toBe(m.cap.urgency);
    expect(xpathString(xml, "//*[local-name()='info'][1]/*[local-name()='severity']")).toBe(m.cap.severity);
    expect(xpathString(xml, "//*[local-name()='msgType']")).toBe('Alert');
  });

  it.each([
    ['open', 'Likely'],
    ['confirmed', 'Observed'],
  ] as const)('an incident in status %s has certainty %s', (status, certainty) => {
    const xml = cap.render(message('alert', incident({ status }))).body;
    expect(xpathString(xml, "//*[local-name()='info'][1]/*[local-name()='certainty']")).toBe(certainty);
  });

  it('a Cancel references every earlier message as sender,identifier,sent and says who rejected it', () => {
    const m = message('cancel', incident(), true, 3);
    const xml = cap.render(m).body;
    expect(xpathString(xml, "//*[local-name()='msgType']")).toBe('Cancel');
    const refs = xpathString(xml, "//*[local-name()='references']").split(' ');
    expect(refs).toEqual(
      m.references.map((r) => `matthan@ioc.quangnam.gov.vn,${r.messageId},${capTime(r.sentMs)}`),
    );
    expect(xpathString(xml, "//*[local-name()='note']")).toContain('reviewer-1');
    expect(xpathString(xml, "//*[local-name()='note']")).toContain('no "violation"');
  });

  it('puts the camera position in a circle and the evidence in resources', () => {
    const xml = cap.render(message('alert', incident())).body;
    expect(xpathString(xml, "//*[local-name()='info'][1]//*[local-name()='circle']")).toBe(
      '15.5736,108.474 0',
    );
    expect(xpathString(xml, "//*[local-name()='info'][1]//*[local-name()='areaDesc']")).toContain(
      '<Hùng Vương>',
    );
    expect(xpathString(xml, "count(//*[local-name()='info'][1]/*[local-name()='resource'])")).toBe('2');
    expect(
      xpathString(
        xml,
        "//*[local-name()='info'][1]/*[local-name()='resource'][2]/*[local-name()='mimeType']",
      ),
    ).toBe('video/mp4');
  });

  it.each([
    [0, '1970-01-01T00:00:00-00:00'],
    [1_763_700_010_999, '2025-11-21T04:40:10-00:00'],
    [951_782_400_000, '2000-02-29T00:00:00-00:00'],
  ])('capTime(%d) = %s (explicit -00:00, no fraction)', (ms, text) => {
    expect(capTime(ms)).toBe(text);
  });
});

describe('NGSI-LD Alert forwarder', () => {
  const validate = fiwareAlertValidator();

  it.each(
    CASES.map((c) => [`${c.ruleType}/${c.label} ${c.kind} location=${c.loc}`, c] as const),
  )('%s validates against the FIWARE Alert schema', (_name, c) => {
    const body = JSON.parse(
      ngsi.render(message(c.kind, incident({ ruleType: c.ruleType, label: c.label }), c.loc)).body,
    );
    expect(body).toHaveLength(1);
    expect(validate(body[0])).toEqual([]);
    const m = alertMapping(c.ruleType, c.label);
    expect(body[0].category.value).toBe(m.ngsi.category);
    expect(body[0].subCategory?.value).toBe(m.ngsi.subCategory);
    expect(body[0].location !== undefined).toBe(c.loc);
  });

  it('the validator rejects a wrong category (the schema is really applied)', () => {
    const body = JSON.parse(ngsi.render(message('alert', incident())).body);
    body[0].category.value = 'bogus';
    expect(validate(body[0]).join()).toMatch(/category/);
  });

  it('puts the location as GeoJSON [lon, lat], links the evidence, and closes validity on Cancel', () => {
    const [alert] = JSON.parse(ngsi.render(message('alert', incident())).body);
    expect(alert.location.value.coordinates).toEqual([108.474, 15.5736]);
    expect(alert.seeAlso.value).toEqual([
      'http://central.example:8080/api/evidence/ev_snapshot_0001',
      'http://central.example:8080/api/evidence/ev_clip_000001',
    ]);
    expect(alert.validTo).toBeUndefined();
    const [cancel] = JSON.parse(ngsi.render(message('cancel', incident(), true, 2)).body);
    expect(cancel.id).toBe(alert.id);
    expect(cancel.validTo.value['@value']).toBe(new Date(1_763_700_010_999).toISOString());
    expect(cancel.data.value.reviewStatus).toBe('rejected');
  });
});

describe('Forwarder contract (every format)', () => {
  const all: Array<[string, Forwarder]> = [
    ['webhook', webhook],
    ['cap', cap],
    ['ngsi-ld', ngsi],
  ];

  it.each(all)('%s renders the same bytes for the same message', (_n, f) => {
    const m = message('update', incident(), true, 2);
    expect(f.render(m)).toEqual(f.render(structuredClone(m)));
    expect(f.render(m).body.length).toBeGreaterThan(100);
  });

  it.each(all)('%s renders different bytes for different messages', (_n, f) => {
    expect(f.render(message('alert', incident())).body).not.toBe(
      f.render(message('update', incident(), true, 2)).body,
    );
  });

  it.each(all)('%s sends the message id as Idempotency-Key and the content type', (_n, f) => {
    const r = f.render(message('alert', incident()));
    const h = f.headers('fwd.evt_0123456789abcdef.1', r, 2, 1_763_700_020_000);
    expect(h['idempotency-key']).toBe('fwd.evt_0123456789abcdef.1');
    expect(h['content-type']).toBe(r.contentType);
    expect(h['x-matthan-attempt']).toBe('2');
  });

  it('webhook: the signature is HMAC-SHA256 of "{timestamp}.{body}" with the secret', () => {
    const r = webhook.render(message('alert', incident()));
    const h = webhook.headers('id.x.1', r, 1, 1_763_700_020_500);
    expect(h['x-matthan-timestamp']).toBe('1763700020');
    const expected = createHmac('sha256', SECRET).update(`1763700020.${r.body}`).digest('hex');
    expect(h['x-matthan-signature']).toBe(`sha256=${expected}`);
    const wrong = createHmac('sha256', 'another-secret-000000').update(`1763700020.${r.body}`).digest('hex');
    expect(h['x-matthan-signature']).not.toBe(`sha256=${wrong}`);
  });

  it('ngsi-ld: sends the bearer token', () => {
    const h = ngsi.headers('id.x.1', ngsi.render(message('alert', incident())), 1, 0);
    expect(h.authorization).toBe('Bearer tok-123');
  });

  it('webhook: the body names the message, its references and the incident', () => {
    const body = JSON.parse(webhook.render(message('cancel', incident(), true, 3)).body);
    expect(body.type).toBe('incident.cancel');
    expect(body.messageId).toBe('fwd.evt_0123456789abcdef.3');
    expect(body.references).toEqual(['fwd.evt_0123456789abcdef.1', 'fwd.evt_0123456789abcdef.2']);
    expect(body.incident.id).toBe('evt_0123456789abcdef');
    expect(body.review.verdict).toBe('rejected');
  });
});

describe('evidence size and digest in the alerts', () => {
  const m = message('alert', incident());
  it('CAP resource: size and SHA-1 digest as CAP 1.2 §3.2.3 orders them, only for stored files', () => {
    const xml = cap.render(m).body;
    const res = (kind: string, field: string) =>
      xpathString(
        xml,
        `//*[local-name()='resource'][*[local-name()='uri'][contains(., '${kind}')]]/*[local-name()='${field}']`,
      );
    expect(res('ev_snapshot', 'size')).toBe('48213');
    expect(res('ev_snapshot', 'digest')).toBe(SNAPSHOT_FILE.sha1);
    expect(res('ev_clip', 'size')).toBe('');
    expect(res('ev_clip', 'digest')).toBe('');
    expect(validateCap([xml])[0]!.ok).toBe(true);
  });
  it('webhook and NGSI-LD carry the sha256', () => {
    const hook = JSON.parse(webhook.render(m).body);
    expect(hook.evidenceFiles).toEqual({ snapshot: SNAPSHOT_FILE });
    const [entity] = JSON.parse(ngsi.render(m).body);
    expect(entity.data.value.evidenceSha256).toEqual({ snapshot: SNAPSHOT_FILE.sha256 });
    expect(fiwareAlertValidator()(entity)).toEqual([]);
  });
});
