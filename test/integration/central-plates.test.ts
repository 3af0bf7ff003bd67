// Central plates over inject(): the machine read from edge events (v2) and none from v1 edges, partial normalised
// search, reviewer corrections kept with who and when beside the machine read, roles, bad input.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { type MatthanEvent, Topics } from '../../contract/index.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';

const creds = new TestCredentials();
const PEOPLE = {
  viewer: creds.person('viewer', 'viewer-lan'),
  reviewer: creds.person('reviewer', 'reviewer-lan'),
  admin: creds.person('admin', 'admin-lan'),
};
const BOX = creds.box('hcmc-d1');
type Role = keyof typeof PEOPLE | 'edge';
const bearer = (role: Role) => ({
  authorization: `Bearer ${role === 'edge' ? BOX.token : PEOPLE[role].token}`,
});
const T0 = 1_763_700_000_000;
const HOUR = 3_600_000;

/** One red_light incident per plate: start (no plate yet), then the end that carries the vote. */
function incident(i: number, plate: MatthanEvent['plate'], schemaVersion: 1 | 2 = 2): MatthanEvent[] {
  const id = `evt_plate_${String(i).padStart(4, '0')}`;
  const base = {
    schemaVersion,
    id,
    camera: 'cam-01',
    rule: 'red-light',
    ruleType: 'red_light' as const,
    startTs: T0 + i * HOUR,
    trackId: i,
    label: 'car',
  };
  const end: MatthanEvent = sampleEvent({
    ...base,
    seq: 1,
    phase: 'end',
    ts: T0 + i * HOUR + 2000,
    endTs: T0 + i * HOUR + 2000,
  });
  if (plate) {
    end.plate = plate;
    end.evidence = { plate: `${id}_p` };
  }
  return [sampleEvent({ ...base, seq: 0, phase: 'start', ts: T0 + i * HOUR }), end];
}

const EVENTS = [
  ...incident(0, { text: '30E-586.70', kind: 'car', confidence: 0.98, colour: 'white', reads: 8 }),
  ...incident(1, { text: '30F-621.51', kind: 'car', confidence: 0.92, colour: 'yellow', reads: 8 }),
  ...incident(2, { text: '59-X1 123.45', kind: 'motorbike', confidence: 0.7, colour: 'white', reads: 6 }),
  ...incident(3, { confidence: 0.3, colour: 'white', reads: 5 }), // unreadable
  ...incident(4, undefined, 1), // an older edge: schema 1, no plate
];

describe('central: plates of incidents', () => {
  let central: CentralHandle;
  const dir = tempDir('matthan-central-plates-');
  const get = (url: string, role: Role = 'viewer') =>
    central.app.inject({ method: 'GET', url, headers: bearer(role) });
  const correct = (id: string, body: unknown, role: Role = 'reviewer') =>
    central.app.inject({
      method: 'POST',
      url: `/api/incidents/${id}/plate`,
      headers: bearer(role),
      payload: body as object,
    });

  beforeAll(async () => {
    central = await startCentral(
      defaultCentralConfig({
        http: { host: '127.0.0.1', port: 0 },
        ...creds.central(),
        broker: { ...creds.central().broker, url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
        database: { path: path.join(dir, 'central.sqlite') },
        evidence: { dir: path.join(dir, 'evidence'), retentionDays: 30, maxBytes: 0 },
      }),
    );
    for (const e of EVENTS)
      expect(central.ingest.handle(Topics.events(e.site, e.camera), Buffer.from(JSON.stringify(e)))).toBe(
        'stored',
      );
  });
  afterAll(async () => {
    await central?.stop();
  });

  it('an incident carries the machine read of its end message, with the crop id', async () => {
    const r = (await get('/api/incidents/evt_plate_0001')).json();
    expect(r.plate).toMatchObject({
      text: '30F-621.51',
      colour: 'yellow',
      crop: 'evt_plate_0001_p',
      machine: { text: '30F-621.51', confidence: 0.92, colour: 'yellow', kind: 'car', reads: 8 },
      correction: null,
    });
    expect(r.evidence.plate).toBe('evt_plate_0001_p');
    expect(r.plateCorrections).toEqual([]);
  });

  it('an unreadable plate is stored without text; a version 1 edge gives no plate at all', async () => {
    expect((await get('/api/incidents/evt_plate_0003')).json().plate).toMatchObject({
      text: null,
      machine: { text: null, reads: 5 },
    });
    expect((await get('/api/incidents/evt_plate_0004')).json().plate).toBeNull();
  });

  it.each([
    ['30E586', ['evt_plate_0000']],
    ['30e-586.7', ['evt_plate_0000']],
    ['586.70', ['evt_plate_0000']],
    ['62151', ['evt_plate_0001']],
    ['59X1', ['evt_plate_0002']],
    ['59-x1 123', ['evt_plate_0002']],
    ['30', ['evt_plate_0001', 'evt_plate_0000']],
    ['99Z999', []],
    ['%', []], // no letter or digit: matches nothing (never everything)
    ['_', []],
  ])('search %j finds %j', async (q, ids) => {
    const r = await get(`/api/incidents?plate=${encodeURIComponent(q)}`);
    expect(r.statusCode).toBe(200);
    expect(r.json().items.map((i: { id: string }) => i.id)).toEqual(ids);
    expect(r.json().total).toBe(ids.length);
  });

  it('the list carries each incident plate (null where there is none)', async () => {
    const items = (await get('/api/incidents?limit=10')).json().items as {
      id: string;
      plate: { text: string | null } | null;
    }[];
    expect(Object.fromEntries(items.map((i) => [i.id, i.plate?.text ?? null]))).toEqual({
      evt_plate_0004: null,
      evt_plate_0003: null,
      evt_plate_0002: '59-X1 123.45',
      evt_plate_0001: '30F-621.51',
      evt_plate_0000: '30E-586.70',
    });
  });

  it('a reviewer corrects the plate: the machine read stays, the correction has who and when, search finds both', async () => {
    const before = Date.now();
    const r = await correct('evt_plate_0003', { text: '51g 123 45', note: 'read on the crop' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      text: '51G-123.45',
      machine: { text: null, reads: 5 },
      correction: { text: '51G-123.45', by: 'reviewer-lan', note: 'read on the crop' },
    });
    expect(r.json().correction.at).toBeGreaterThanOrEqual(before);
    // A second correction (another reviewer) supersedes it; both stay in the history.
    expect(
      (await correct('evt_plate_0003', { text: '51G-123.46', colour: 'white' }, 'admin')).statusCode,
    ).toBe(200);
    const d = (await get('/api/incidents/evt_plate_0003')).json();
    expect(d.plate.text).toBe('51G-123.46');
    expect(
      d.plateCorrections.map((c: { text: string; previousText: string | null; by: string }) => [
        c.text,
        c.previousText,
        c.by,
      ]),
    ).toEqual([
      ['51G-123.45', null, 'reviewer-lan'],
      ['51G-123.46', '51G-123.45', 'admin-lan'],
    ]);
    expect(
      (await get('/api/incidents?plate=51G12346')).json().items.map((i: { id: string }) => i.id),
    ).toEqual(['evt_plate_0003']);
  });

  it('a corrected machine read is still found by what the machine read', async () => {
    expect((await correct('evt_plate_0002', { text: '59-X1 / 123.46' })).json().text).toBe('59-X1 123.46');
    expect(
      (await get('/api/incidents?plate=59X112345')).json().items.map((i: { id: string }) => i.id),
    ).toEqual(['evt_plate_0002']);
    const p = (await get('/api/incidents/evt_plate_0002')).json().plate;
    expect([p.text, p.machine.text]).toEqual(['59-X1 123.46', '59-X1 123.45']);
  });

  it('an incident of an older edge can be given a plate by hand', async () => {
    const r = await correct('evt_plate_0004', { text: '30A-153.96', colour: 'white' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ text: '30A-153.96', machine: { text: null, reads: 0 } });
  });

  it('a plate that arrives after the verdict changes nothing: the reviewed incident is frozen', async () => {
    const [start, end] = incident(5, {
      text: '29D-044.88',
      kind: 'car',
      confidence: 0.9,
      colour: 'white',
      reads: 8,
    });
    central.ingest.handle(Topics.events(start!.site, start!.camera), Buffer.from(JSON.stringify(start)));
    const v = await central.app.inject({
      method: 'POST',
      url: `/api/incidents/${start!.id}/review`,
      headers: bearer('reviewer'),
      // No evidence is uploaded in this test, so the confirmation needs the override and a note.
      payload: { verdict: 'confirmed', override: true, note: 'không có ảnh trong bài kiểm tra' },
    });
    expect(v.statusCode).toBe(200);
    central.ingest.handle(Topics.events(end!.site, end!.camera), Buffer.from(JSON.stringify(end)));
    const d = (await get(`/api/incidents/${start!.id}`)).json();
    expect(d.lateEvents?.length ?? d.lateMessages).toBeGreaterThanOrEqual(1);
    expect(d.plate).toBeNull();
  });

  it.each([
    ['garbage text', { text: 'HELLO' }, 400, /not a Vietnamese plate/],
    [
      'free form outside the alphabet',
      { text: '30E<script>', freeForm: true },
      400,
      /not a Vietnamese plate/,
    ],
    ['an unknown colour', { text: '30E-586.70', colour: 'green' }, 400, /colour/],
    ['an extra field', { text: '30E-586.70', owner: 'x' }, 400, /owner|additional/],
    ['no text', {}, 400, /text/],
  ])('refuses %s with 400 naming the field', async (_n, body, status, message) => {
    const r = await correct('evt_plate_0000', body);
    expect(r.statusCode).toBe(status);
    expect(r.body).toMatch(message);
  });

  it('takes a foreign plate with freeForm', async () => {
    const r = await correct('evt_plate_0001', { text: 'ABC 1234', freeForm: true });
    expect(r.json().text).toBe('ABC 1234');
  });

  it('404 for an unknown incident; viewers may not correct', async () => {
    expect((await correct('evt_plate_9999', { text: '30E-586.70' })).statusCode).toBe(404);
    expect((await correct('evt_plate_0000', { text: '30E-586.70' }, 'viewer')).statusCode).toBe(403);
    expect((await correct('evt_plate_0000', { text: '30E-586.70' }, 'edge')).statusCode).toBe(403);
  });
});
