// Bad values at central's doors, each stored safely or refused with its reason, and central keeps serving:
// ingest (absurd timestamps, deep nesting, oversized payloads) through a real broker, the HTTP query parameters,
// an evidence upload announcing 2 GB and one the client abandons halfway, over a real socket.
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { type MatthanEvent, Topics } from '../../contract/index.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';

const SITE = 'bad-site';
const creds = new TestCredentials();
const ADMIN = creds.person('admin', 'ops').token;
const BOX = creds.box(SITE);
const EDGE = BOX.token;
const CAMERA = 'cam-b';
const auth = (t: string) => ({ authorization: `Bearer ${t}` });

/** Everything central logs, as parsed JSON lines. */
const logLines: { level: number; msg: string; [k: string]: unknown }[] = [];
const log = pino(
  { level: 'debug' },
  new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      cb();
    },
  }),
);

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const eventAt = (id: string, patch: Record<string, unknown> = {}): Buffer => {
  const now = Date.now();
  const e: MatthanEvent = sampleEvent({ id, site: SITE, camera: CAMERA, ts: now, startTs: now });
  return Buffer.from(JSON.stringify({ ...e, ...patch }));
};

/** A raw HTTP exchange, so the test controls exactly what is sent and when the socket closes. */
function rawHttp(
  port: number,
  head: string,
  body: Buffer | undefined,
  opts: { destroyAfterBody?: boolean } = {},
) {
  return new Promise<{ response: string; closedByServer: boolean; ms: number }>((resolve, reject) => {
    const t0 = Date.now();
    let response = '';
    let done = false;
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(head);
      if (body) s.write(body);
      if (opts.destroyAfterBody) {
        // The client gives up mid-upload.
        setTimeout(() => {
          done = true;
          s.destroy();
          resolve({ response, closedByServer: false, ms: Date.now() - t0 });
        }, 200);
      }
    });
    s.on('data', (d) => {
      response += d.toString();
    });
    s.on('end', () => {
      if (done) return;
      done = true;
      resolve({ response, closedByServer: true, ms: Date.now() - t0 });
    });
    s.on('error', (err) => {
      if (!done) reject(err);
    });
    setTimeout(() => {
      if (done) return;
      done = true;
      s.destroy();
      resolve({ response, closedByServer: false, ms: Date.now() - t0 });
    }, 10_000);
  });
}

describe('bad values: refused with a reason or stored safely, central keeps serving', () => {
  const dir = tempDir('matthan-bad-values-');
  let central: CentralHandle;
  let pub: mqtt.MqttClient;
  let port: number;

  beforeAll(async () => {
    central = await startCentral(
      defaultCentralConfig({
        ...creds.central(),
        http: { host: '127.0.0.1', port: 0 },
        broker: {
          ...creds.central().broker,
          url: 'mqtt://127.0.0.1:0',
          embedded: true,
          protocolVersion: 4,
          clientId: `${creds.centralUsername}.bad-values`,
        },
        database: { path: path.join(dir, 'central.sqlite') },
        evidence: { dir: path.join(dir, 'evidence'), retentionDays: 0, maxBytes: 0 },
      }),
      { log },
    );
    await central.subscribed;
    port = Number(new URL(central.url).port);
    // The box of the site, logged in as in production (the embedded broker admits only configured accounts).
    pub = await mqtt.connectAsync(central.brokerUrl, BOX.mqtt);
  });

  afterAll(async () => {
    await pub?.endAsync();
    await central?.stop();
  });

  const now = Date.now();
  it.each([
    [
      'ts 1e300',
      eventAt('evt_bad_ts_1e300', { ts: 1e300, startTs: 1e300 }),
      '/ts: must be <= 253402300799999',
    ],
    ['ts 9e15', eventAt('evt_bad_ts_9e15x', { ts: 9e15 }), '/ts: must be <= 253402300799999'],
    ['negative ts', eventAt('evt_bad_ts_negat', { ts: -1 }), '/ts: must be >= 946684800000'],
    ['ts a day ahead', eventAt('evt_bad_ts_ahead', { ts: now + 86_400_000 }), "ahead of central's clock"],
    ['endTs 9e15 on an end', eventAt('evt_bad_endts_9e', { phase: 'end', seq: 1, endTs: 9e15 }), '/endTs'],
    [
      '200,000-deep nesting',
      Buffer.from(`{"schemaVersion":1,"details":${'['.repeat(200_000)}${']'.repeat(200_000)}}`),
      'payload is 400030 bytes, above the limit of 65536',
    ],
    [
      '30,000-deep nesting within the size limit',
      Buffer.from(`{"schemaVersion":1,"details":${'['.repeat(30_000)}${']'.repeat(30_000)}}`),
      'payload nests deeper than 16 levels',
    ],
    ['a 1 MB payload', Buffer.alloc(1_000_000, 0x20), 'payload is 1000000 bytes'],
  ])('ingest: %s is quarantined with the reason', async (_name, payload, reason) => {
    const before = central.ingest.counters.quarantined;
    await pub.publishAsync(Topics.events(SITE, CAMERA), payload, { qos: 1 });
    await until('quarantined', () => central.ingest.counters.quarantined === before + 1);
    const q = await central.app.inject({ url: '/api/quarantine?limit=1', headers: auth(ADMIN) });
    expect(q.statusCode).toBe(200);
    const row = q.json().items[0] as { reason: string };
    expect(row.reason).toContain(reason);
    expect(row.reason.length).toBeLessThan(400);
  });

  it('a deep payload does not roll back its batch neighbours', async () => {
    const storedBefore = central.ingest.counters.stored;
    const quarantinedBefore = central.ingest.counters.quarantined;
    const deep = Buffer.from(`{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}`);
    // One batch: ingest them together, as a broker burst would hand them over.
    const results = central.ingest.handleBatch([
      { topic: Topics.events(SITE, CAMERA), payload: eventAt('evt_neighbour_01') },
      { topic: Topics.events(SITE, CAMERA), payload: deep },
      { topic: Topics.events(SITE, CAMERA), payload: eventAt('evt_neighbour_02') },
    ]);
    expect(results).toEqual(['stored', 'quarantined', 'stored']);
    expect(central.ingest.counters.stored - storedBefore).toBe(2);
    expect(central.ingest.counters.quarantined - quarantinedBefore).toBe(1);
    expect(central.ingest.counters.failedBatches).toBe(0);
  });

  it('status messages: a far-future or absurd ts is refused, the last will (ts 0) is stamped on receipt', async () => {
    const status = (ts: number) =>
      Buffer.from(JSON.stringify({ schemaVersion: 1, site: SITE, camera: CAMERA, state: 'online', ts }));
    const results = central.ingest.handleBatch([
      { topic: Topics.status(SITE, CAMERA), payload: status(Date.now() + 86_400_000) },
      { topic: Topics.status(SITE, CAMERA), payload: status(9e15) },
      { topic: Topics.status(SITE, CAMERA), payload: status(0) },
    ]);
    expect(results).toEqual(['quarantined', 'quarantined', 'status']);
    const cams = await central.app.inject({ url: '/api/cameras', headers: auth(ADMIN) });
    const cam = (cams.json() as { camera: string; ts: number }[]).find((c) => c.camera === CAMERA)!;
    expect(Math.abs(cam.ts - Date.now())).toBeLessThan(60_000);
  });

  it('the incident list stays valid: only sane timestamps were stored', async () => {
    const r = await central.app.inject({ url: '/api/incidents?limit=500', headers: auth(ADMIN) });
    expect(r.statusCode).toBe(200);
    const items = r.json().items as { id: string; firstTs: number; lastTs: number }[];
    expect(items.map((i) => i.id).sort()).toEqual(['evt_neighbour_01', 'evt_neighbour_02']);
    for (const i of items) {
      expect(Number.isSafeInteger(i.firstTs)).toBe(true);
      expect(new Date(i.lastTs).toISOString()).toMatch(/^20\d\d-/);
    }
  });

  it.each([
    ['/api/incidents?offset=1e30', 'querystring/offset must be <= 1000000'],
    ['/api/incidents?limit=1e30', 'querystring/limit must be <= 500'],
    ['/api/incidents?from=1e300', 'querystring/from must be <= 253402300799999'],
    ['/api/incidents?to=-5', 'querystring/to must be >= 0'],
    ['/api/incidents?offset=abc', 'querystring/offset must be integer'],
    ['/api/incidents?offset=1.5', 'querystring/offset must be integer'],
    ['/api/quarantine?offset=1e30', 'querystring/offset must be <= 1000000'],
    ['/api/stats?from=9e15', 'querystring/from must be <= 253402300799999'],
    ['/api/forwarding?offset=1e30', 'querystring/offset must be <= 1000000'],
    ['/api/audit?before=1e30', 'querystring/before must be <= 9007199254740991'],
    ['/api/export.zip?from=1e300', 'querystring/from must be <= 253402300799999'],
  ])('HTTP: %s is a 400 naming the field', async (url, message) => {
    const r = await central.app.inject({ url, headers: auth(ADMIN) });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toContain(message);
  });

  it.each([
    [
      '/api/incidents/evt_any_incident/review',
      { verdict: 'confirmed', version: 1e30 },
      'body/version must be <=',
    ],
    [
      '/api/incidents/evt_any_incident/review',
      { verdict: 'confirmed', handlingMs: 1e30 },
      'body/handlingMs must be <= 86400000',
    ],
    [
      '/api/incidents/bulk-review',
      { ids: ['evt_any_incident'], expectedCount: 1e30, verdict: 'confirmed' },
      'body/expectedCount must be <= 500',
    ],
  ])('HTTP: POST %s with %j is a 400 naming the field', async (url, payload, message) => {
    const r = await central.app.inject({ method: 'POST', url, payload, headers: auth(ADMIN) });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toContain(message);
  });

  it('HTTP: the largest allowed offset is served', async () => {
    const r = await central.app.inject({ url: '/api/incidents?offset=1000000', headers: auth(ADMIN) });
    expect(r.statusCode).toBe(200);
    expect(r.json().items).toEqual([]);
  });

  it('evidence: Content-Length 2 GB gets an early 413 and a closed connection, nothing read or written', async () => {
    const head =
      'PUT /api/evidence/evt_big_upload_v HTTP/1.1\r\nHost: x\r\n' +
      `Authorization: Bearer ${EDGE}\r\nContent-Type: video/mp4\r\nContent-Length: 2147483648\r\n\r\n`;
    const r = await rawHttp(port, head, Buffer.alloc(64 * 1024, 1));
    expect(r.response).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.response).toContain('content-length 2147483648 is above the evidence limit');
    expect(r.closedByServer).toBe(true);
    expect(r.ms).toBeLessThan(5000);
    expect(central.evidence.get('evt_big_upload_v')).toBeUndefined();
  });

  it('evidence: a client that aborts mid-upload is one info line, no error and no stack; nothing is left', async () => {
    // Chain of custody: an upload is taken only for an id a stored event of the box's site names.
    expect(
      central.ingest.handle(
        Topics.events(SITE, CAMERA),
        eventAt('evt_names_aborted', { evidence: { clip: 'evt_aborted_up_v' } }),
      ),
    ).toBe('stored');
    const before = logLines.length;
    const head =
      'PUT /api/evidence/evt_aborted_up_v HTTP/1.1\r\nHost: x\r\n' +
      `Authorization: Bearer ${EDGE}\r\nContent-Type: video/mp4\r\nContent-Length: 1000000\r\n\r\n`;
    await rawHttp(port, head, Buffer.alloc(100_000, 2), { destroyAfterBody: true });
    await until('the abort logged', () =>
      logLines.slice(before).some((l) => l.msg === 'evidence upload aborted by the client; nothing stored'),
    );
    const after = logLines.slice(before);
    expect(after.filter((l) => l.level >= 50)).toEqual([]);
    expect(JSON.stringify(after)).not.toContain('    at ');
    expect(central.evidence.get('evt_aborted_up_v')).toBeUndefined();
    const evDir = path.join(dir, 'evidence', 'ev');
    if (existsSync(evDir)) expect(readdirSync(evDir).filter((f) => f.endsWith('.part'))).toEqual([]);
    // The same id uploads fine afterwards (the edge's retry).
    const ok = await central.app.inject({
      method: 'PUT',
      url: '/api/evidence/evt_aborted_up_v',
      headers: { ...auth(EDGE), 'content-type': 'video/mp4' },
      payload: Buffer.alloc(1000, 3),
    });
    expect(ok.statusCode).toBe(201);
  });

  it('logged nothing longer than a few KiB', () => {
    expect(logLines.length).toBeGreaterThan(5);
    for (const l of logLines) expect(JSON.stringify(l).length).toBeLessThan(4096);
  });
});
