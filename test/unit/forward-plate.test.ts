// Plates in the IOC formats: CAP parameters + the plate-crop resource (still valid against the CAP 1.2 XSD),
// NGSI-LD data.licensePlate (still valid against the FIWARE Alert schema), the webhook's plate, and Updates.
import { describe, expect, it } from 'vitest';
import { CapForwarder } from '../../central/forward/cap-forwarder.ts';
import { incidentFingerprint, planMessage } from '../../central/forward/forward-plan.ts';
import {
  CapForwarderSchema,
  NgsiLdForwarderSchema,
  WebhookForwarderSchema,
} from '../../central/forward/forward-schema.ts';
import type { AlertMessage, MessageKind } from '../../central/forward/forwarder.ts';
import { NgsiLdForwarder } from '../../central/forward/ngsi-ld-forwarder.ts';
import { WebhookForwarder } from '../../central/forward/webhook-forwarder.ts';
import type { IncidentPlate } from '../../central/plates/plate-store.ts';
import type { Incident } from '../../central/store/incident-store.ts';
import { parseConfig } from '../../config/load.ts';
import { fiwareAlertValidator, validateCap, xpathString } from '../helpers/forward-validators.ts';

const cap = new CapForwarder(
  parseConfig(
    'id: c\ntype: cap\nurl: http://127.0.0.1:1/cap\nsender: matthan@ioc.example',
    '<t>',
    CapForwarderSchema,
  ) as never,
);
const ngsi = new NgsiLdForwarder(
  parseConfig('id: n\ntype: ngsi-ld\nurl: http://127.0.0.1:1/ngsi', '<t>', NgsiLdForwarderSchema) as never,
);
const webhook = new WebhookForwarder(
  parseConfig(
    'id: w\ntype: webhook\nurl: http://127.0.0.1:1/hook\nsecret: s3cret-0123456789',
    '<t>',
    WebhookForwarderSchema,
  ) as never,
);

const MACHINE: IncidentPlate = {
  text: '30F-621.51',
  colour: 'yellow',
  crop: 'evt_0123456789abcdef_p',
  machine: {
    text: '30F-621.51',
    confidence: 0.921,
    colour: 'yellow',
    kind: 'car',
    reads: 8,
    eventId: 'evt_0123456789abcdef',
    ts: 1,
  },
  correction: null,
};
const CORRECTED: IncidentPlate = {
  ...MACHINE,
  text: '30F-621.57',
  correction: { text: '30F-621.57', colour: 'yellow', by: 'officer-lan', at: 2, note: null },
};
const UNREADABLE: IncidentPlate = {
  ...MACHINE,
  text: null,
  colour: 'white',
  machine: { ...MACHINE.machine, text: null, colour: 'white' },
};

function message(kind: MessageKind, plate: IncidentPlate | null): AlertMessage {
  const base = 'http://central.example:8080';
  const evidence = { snapshot: 'evt_0123456789abcdef_s', ...(plate?.crop ? { plate: plate.crop } : {}) };
  const incident = {
    id: 'evt_0123456789abcdef',
    site: 'hcmc-d1',
    camera: 'cam-01',
    rule: 'red-light',
    ruleType: 'red_light',
    label: 'car',
    status: 'open',
    firstTs: 1_763_700_000_123,
    lastTs: 1_763_700_004_000,
    lastSeenTs: 1_763_700_004_000,
    ended: true,
    confidence: 0.87,
    boxXyxyNorm: [0.1, 0.5, 0.3, 0.8],
    details: null,
    evidence,
    eventCount: 2,
    fragments: 1,
    group: null,
    reviewedBy: null,
    reviewedAt: null,
    reviewNote: null,
    plate,
  } as unknown as Incident;
  return {
    kind,
    messageId: `fwd.${incident.id}.1`,
    seq: 1,
    sentMs: 1_763_700_010_999,
    incident,
    camera: { site: 'hcmc-d1', id: 'cam-01', name: 'Nguyễn Huệ', location: { lat: 10.77, lon: 106.7 } },
    references: kind === 'alert' ? [] : [{ messageId: `fwd.${incident.id}.0`, sentMs: 1_763_700_005_000 }],
    links: {
      incident: `${base}/api/incidents/${incident.id}`,
      evidence: Object.fromEntries(
        Object.entries(evidence).map(([k, v]) => [k, `${base}/api/evidence/${v}`]),
      ),
    },
  };
}

const param = (xml: string, name: string) =>
  xpathString(
    xml,
    `string(//*[local-name()='info'][1]/*[local-name()='parameter'][*[local-name()='valueName']='${name}']/*[local-name()='value'])`,
  );

describe('CAP 1.2 with a plate', () => {
  const cases = [
    ['machine read', MACHINE],
    ['reviewer correction', CORRECTED],
    ['unreadable', UNREADABLE],
    ['no plate', null],
  ] as const;
  const docs = cases.flatMap(([, p]) =>
    (['alert', 'update'] as const).map((k) => cap.render(message(k, p)).body),
  );

  it('every message still validates against the OASIS CAP 1.2 XSD', () => {
    const results = validateCap(docs);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results).toHaveLength(docs.length);
  });

  it.each([
    [MACHINE, '30F-621.51', 'yellow', '0.921', 'machine'],
    [CORRECTED, '30F-621.57', 'yellow', '1.000', 'reviewer'],
  ])('carries the plate as parameters (%#)', (plate, text, colour, confidence, source) => {
    const xml = cap.render(message('alert', plate)).body;
    expect([
      param(xml, 'licensePlate'),
      param(xml, 'licensePlateColour'),
      param(xml, 'licensePlateConfidence'),
      param(xml, 'licensePlateSource'),
    ]).toEqual([text, colour, confidence, source]);
  });

  it('an unreadable plate says so; no plate, no parameter', () => {
    expect(param(cap.render(message('alert', UNREADABLE)).body, 'licensePlate')).toBe('unreadable');
    expect(param(cap.render(message('alert', null)).body, 'licensePlate')).toBe('');
  });

  it('links the plate crop as an image resource', () => {
    const xml = cap.render(message('alert', MACHINE)).body;
    const r =
      "//*[local-name()='info'][1]/*[local-name()='resource'][*[local-name()='uri']='http://central.example:8080/api/evidence/evt_0123456789abcdef_p']";
    expect(xpathString(xml, `string(${r}/*[local-name()='mimeType'])`)).toBe('image/jpeg');
    expect(xpathString(xml, `string(${r}/*[local-name()='resourceDesc'])`)).toBe('Ảnh biển số');
  });
});

describe('NGSI-LD Alert with a plate', () => {
  const validate = fiwareAlertValidator();
  it.each([
    ['machine read', MACHINE],
    ['reviewer correction', CORRECTED],
    ['unreadable', UNREADABLE],
    ['no plate', null],
  ] as const)('%s validates against the FIWARE Alert schema and carries data.licensePlate', (_n, plate) => {
    const [entity] = JSON.parse(ngsi.render(message('update', plate)).body);
    expect(validate(entity)).toEqual([]);
    if (plate) expect(entity.data.value.licensePlate.text).toBe(plate.correction?.text ?? plate.machine.text);
    else expect(entity.data.value.licensePlate).toBeUndefined();
  });

  it('the plate crop is among the evidence it links', () => {
    const [entity] = JSON.parse(ngsi.render(message('alert', MACHINE)).body);
    expect(entity.seeAlso.value).toContain('http://central.example:8080/api/evidence/evt_0123456789abcdef_p');
  });
});

describe('webhook with a plate', () => {
  it.each([
    [MACHINE, { text: '30F-621.51', colour: 'yellow', confidence: 0.921, source: 'machine' }],
    [
      CORRECTED,
      { text: '30F-621.57', colour: 'yellow', confidence: 1, source: 'reviewer', machineText: '30F-621.51' },
    ],
    [null, null],
  ])('%# body.plate', (plate, expected) => {
    expect(JSON.parse(webhook.render(message('alert', plate)).body).plate).toEqual(expected);
  });
});

describe('the plate is news to the IOC', () => {
  const view = (plate: IncidentPlate | null) => ({ status: 'open', ended: true, evidence: null, plate });
  it('a plate arriving, or being corrected, changes the fingerprint and asks for an Update', () => {
    const none = incidentFingerprint(view(null));
    const read = incidentFingerprint(view(MACHINE));
    const fixed = incidentFingerprint(view(CORRECTED));
    expect(new Set([none, read, fixed]).size).toBe(3);
    expect(
      planMessage(
        'immediate',
        view(CORRECTED),
        { kind: 'incident' },
        { seq: 1, fingerprint: read, cancelled: false },
      ),
    ).toBe('update');
    expect(
      planMessage(
        'immediate',
        view(MACHINE),
        { kind: 'incident' },
        { seq: 1, fingerprint: read, cancelled: false },
      ),
    ).toBeNull();
  });

  it('an incident without a plate keeps the fingerprint of before (no Update storm after the upgrade)', () => {
    expect(incidentFingerprint({ status: 'open', ended: true, evidence: null })).toBe(
      incidentFingerprint(view(null)),
    );
  });
});
