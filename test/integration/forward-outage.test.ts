// The IOC receiver is down for 30 s and central restarts meanwhile: afterwards every alert and update arrives
// exactly once (checked by the receiver's Idempotency-Key dedup and HMAC check), in order per incident, and
// every CAP and NGSI-LD body validates against its schema.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForwardingConfigSchema } from '../../central/forward/forward-schema.ts';
import { type ForwardingHandle, startForwarding } from '../../central/forward/start-forwarding.ts';
import { IngestService } from '../../central/ingest/ingest-service.ts';
import { CameraStatusStore } from '../../central/store/camera-status-store.ts';
import { type Db, openDatabase } from '../../central/store/database.ts';
import { IncidentStore } from '../../central/store/incident-store.ts';
import { QuarantineStore } from '../../central/store/quarantine-store.ts';
import { parseConfig } from '../../config/load.ts';
import { Topics } from '../../contract/topics.ts';
import { logger } from '../../lib/log.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';
import { IocReceiver, waitFor } from '../helpers/forward-receiver.ts';
import { fiwareAlertValidator, validateCap } from '../helpers/forward-validators.ts';

const OUTAGE_MS = 30_000;
const SECRET = 'outage-test-secret-123456';
const SITE = 'qnam-tamky';
const T0 = 1_763_700_000_000;
const FORWARDERS = ['hook', 'cap', 'ngsi'] as const;

describe('forwarding through a 30 s receiver outage and a central restart', () => {
  const receiver = new IocReceiver({ '/hook': SECRET, '/cap': SECRET });
  const dbFile = path.join(tempDir('matthan-forward-'), 'central.sqlite');
  const log = logger('forward-test');
  let db: Db;
  let ingest: IngestService;
  let forwarding: ForwardingHandle;
  const incidentIds: string[] = [];
  const endedIds: string[] = [];

  function start(): void {
    db = openDatabase(dbFile);
    const incidents = new IncidentStore(db);
    ingest = new IngestService(incidents, new QuarantineStore(db), new CameraStatusStore(db), log);
    const config = parseConfig(
      `
forwarders:
  - { id: hook, type: webhook, url: ${receiver.url('/hook')}, secret: ${SECRET}, timeoutMs: 2000, maxAttempts: 1000,
      backoff: { initialMs: 200, maxMs: 2000, jitter: 0.2 } }
  - { id: cap, type: cap, url: ${receiver.url('/cap')}, secret: ${SECRET}, timeoutMs: 2000, maxAttempts: 1000,
      backoff: { initialMs: 200, maxMs: 2000 }, sender: matthan@ioc.quangnam.gov.vn }
  - { id: ngsi, type: ngsi-ld, url: ${receiver.url('/ngsi')}, token: ngsi-token, timeoutMs: 2000, maxAttempts: 1000,
      backoff: { initialMs: 200, maxMs: 2000 } }
policy: { zone_dwell: immediate }
pollMs: 100
`,
      '<test>',
      ForwardingConfigSchema,
    );
    forwarding = startForwarding({
      db,
      incidents,
      onIncident: (l) => ingest.onIncident(l),
      cameras: [
        { site: SITE, id: 'cam-01', name: 'Phan Chu Trinh', location: { lat: 15.5736, lon: 108.474 } },
      ],
      config,
      publicUrl: 'http://central.test:8080',
      log,
    });
  }

  async function stop(): Promise<void> {
    await forwarding.stop();
    db.close();
  }

  /** One incident: a start event (and an end event for every second one), each on its own camera/minute. */
  function publishIncident(k: number): void {
    const id = `evt_outage_${String(k).padStart(4, '0')}`;
    const camera = `cam-0${(k % 3) + 1}`;
    const startTs = T0 + k * 60_000;
    const base = { id, site: SITE, camera, startTs, evidence: { snapshot: `ev_${id}_s` } };
    const topic = Topics.events(SITE, camera);
    expect(ingest.handle(topic, Buffer.from(JSON.stringify(sampleEvent({ ...base, ts: startTs }))))).toBe(
      'stored',
    );
    incidentIds.push(id);
    if (k % 2 === 0) {
      const end = sampleEvent({ ...base, seq: 1, phase: 'end', ts: startTs + 5_000, endTs: startTs + 5_000 });
      expect(ingest.handle(topic, Buffer.from(JSON.stringify(end)))).toBe('stored');
      endedIds.push(id);
    }
  }

  beforeAll(async () => {
    await receiver.start();
    start();
  });

  afterAll(async () => {
    await stop();
    await receiver.stop();
  });

  it('delivers every message exactly once after the receiver returns', async () => {
    // receiver up: the first incidents go straight through
    for (let k = 0; k < 4; k++) publishIncident(k);
    const expectedNow = () => incidentIds.length + endedIds.length;
    await waitFor(
      () => FORWARDERS.every((f) => receiver.on(`/${f}`).length === expectedNow()),
      20_000,
      'first deliveries',
    );

    // receiver down for 30 s; incidents keep coming, and central restarts in the middle of the outage
    await receiver.stop();
    const downAt = Date.now();
    for (let k = 4; k < 10; k++) publishIncident(k);
    await new Promise((r) => setTimeout(r, OUTAGE_MS / 3));
    await stop();
    start();
    for (let k = 10; k < 16; k++) publishIncident(k);
    await new Promise((r) => setTimeout(r, OUTAGE_MS - (Date.now() - downAt)));

    // during the outage the outbox held everything and kept retrying with backoff
    const pending = forwarding.service.outbox.list({ state: 'pending', limit: 500, offset: 0 });
    expect(pending.total).toBe(FORWARDERS.length * (expectedNow() - 4 - 2));
    const alerts = pending.items.filter((d) => d.kind === 'alert');
    expect(alerts.length).toBe(FORWARDERS.length * 12);
    expect(alerts.every((d) => d.attempts >= 2 && /ECONNREFUSED/.test(d.lastError ?? ''))).toBe(true);
    // an Update waits, unattempted, behind its incident's Alert
    expect(pending.items.filter((d) => d.kind === 'update').every((d) => d.attempts === 0)).toBe(true);

    await receiver.start(); // same port
    await waitFor(
      () => FORWARDERS.every((f) => receiver.on(`/${f}`).length === expectedNow()),
      30_000,
      'deliveries after the outage',
    );
    await waitFor(() => forwarding.service.summary().every((s) => s.pending === 0), 10_000, 'outbox drained');

    expect(receiver.duplicates).toEqual([]);
    expect(receiver.badSignatures).toBe(0);
    for (const f of FORWARDERS) {
      const keys = receiver.on(`/${f}`).map((r) => r.key);
      const expected = [...incidentIds.map((id) => `${f}.${id}.1`), ...endedIds.map((id) => `${f}.${id}.2`)];
      expect([...keys].sort()).toEqual([...expected].sort());
      // order per incident: the Alert before its Update
      for (const id of endedIds)
        expect(keys.indexOf(`${f}.${id}.1`)).toBeLessThan(keys.indexOf(`${f}.${id}.2`));
    }
    expect(forwarding.service.summary().map((s) => [s.id, s.delivered, s.dead])).toEqual(
      FORWARDERS.map((f) => [f, expectedNow(), 0]),
    );
  }, 120_000);

  it('every delivered CAP message validates against the CAP 1.2 XSD', () => {
    const docs = receiver.on('/cap').map((r) => r.body);
    expect(docs.length).toBe(incidentIds.length + endedIds.length);
    const results = validateCap(docs);
    expect(results.filter((r) => !r.ok).map((r) => r.output)).toEqual([]);
    expect(docs.filter((d) => d.includes('<msgType>Update</msgType>')).length).toBe(endedIds.length);
  });

  it('every delivered NGSI-LD entity validates against the FIWARE Alert schema', () => {
    const validate = fiwareAlertValidator();
    const entities = receiver
      .on('/ngsi')
      .flatMap((r) => JSON.parse(r.body) as Array<Record<string, unknown>>);
    expect(entities.length).toBe(incidentIds.length + endedIds.length);
    expect(entities.flatMap((e) => validate(e))).toEqual([]);
    expect(receiver.on('/ngsi').every((r) => r.headers.authorization === 'Bearer ngsi-token')).toBe(true);
    // the camera with a position in the inventory gets a GeoProperty, the others none
    const located = entities.filter((e) => e.location !== undefined);
    expect(located.length).toBeGreaterThan(0);
    expect(located.every((e) => (e.data as { value: { camera: string } }).value.camera === 'cam-01')).toBe(
      true,
    );
  });
});
