// Forwarding failures that happen before any HTTP attempt are dead letters, visible on /api/forwarding and
// /metrics: a CAP message that cannot be built from an incident (a timestamp no ISO date can carry, as stored
// before central bounded timestamps), and an outbox write the database refuses. Retrying builds it again.
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForwardingConfigSchema } from '../../central/forward/forward-schema.ts';
import { ForwardingService } from '../../central/forward/forwarding-service.ts';
import { CentralMetrics } from '../../central/metrics/central-metrics.ts';
import forwardingRoutes from '../../central/routes/forwarding/index.ts';
import { type Db, openDatabase } from '../../central/store/database.ts';
import { IncidentStore } from '../../central/store/incident-store.ts';
import { parseConfig } from '../../config/load.ts';
import { logger } from '../../lib/log.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';
import { IocReceiver, waitFor } from '../helpers/forward-receiver.ts';

describe('forwarding: messages that cannot be made are dead letters', () => {
  const receiver = new IocReceiver();
  let db: Db;
  let incidents: IncidentStore;
  let service: ForwardingService;
  const app = Fastify();
  const metrics = () =>
    new CentralMetrics(
      {
        ingest: () => ({ received: 0, stored: 0, duplicates: 0, quarantined: 0, incidentsCreated: 0 }),
        brokerConnected: () => true,
        forwarding: () => service.metricsSnapshot(),
      },
      { defaultMetrics: false },
    );

  beforeAll(async () => {
    await receiver.start();
    db = openDatabase(path.join(tempDir('matthan-forward-dead-'), 'central.sqlite'));
    incidents = new IncidentStore(db);
    service = new ForwardingService({
      db,
      incidents,
      config: parseConfig(
        `
forwarders:
  - { id: cap, type: cap, url: ${receiver.url('/cap')} }
  - { id: hook, type: webhook, url: ${receiver.url('/hook')}, secret: dead-letter-secret-0000 }
policy: { zone_dwell: immediate }
pollMs: 50
`,
        '<test>',
        ForwardingConfigSchema,
      ),
      publicUrl: 'http://central.test',
      log: logger('forward-dead-test'),
    });
    service.start();
    await app.register(forwardingRoutes, { prefix: '/api/forwarding', forwarding: service });
  });

  afterAll(async () => {
    await service.stop();
    await app.close();
    db.close();
    await receiver.stop();
  });

  /** An incident written straight into the store, as an older central did before ingest bounded timestamps. */
  const storeRaw = (id: string, ts: number) => {
    const e = sampleEvent({ id, ruleType: 'zone_dwell', ts, startTs: ts });
    incidents.ingest(e, Date.now());
    service.handleIncident(id);
  };

  it('a CAP message that cannot be built is a dead letter with the reason; the webhook still goes out', async () => {
    storeRaw('evt_dead_ts_9e15', 9e15);
    const list = await app.inject({ url: '/api/forwarding?state=dead' });
    expect(list.statusCode).toBe(200);
    const body = list.json();
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({
      id: 'cap.evt_dead_ts_9e15.1',
      state: 'dead',
      failure: 'build',
      forwarderId: 'cap',
    });
    expect(body.items[0].lastError).toMatch(/^could not build the cap message: .*Invalid time value/);
    const cap = (body.forwarders as { id: string; dead: number; failures: object }[]).find(
      (f) => f.id === 'cap',
    )!;
    expect(cap).toMatchObject({ dead: 1, failures: { build: 1, enqueue: 0 } });
    await waitFor(() => receiver.accepted.some((r) => r.path === '/hook'), 10_000, 'webhook delivered');
    expect(receiver.accepted.some((r) => r.path === '/cap')).toBe(false);
    const text = await metrics().registry.metrics();
    expect(text).toMatch(/^matthan_central_forward_dead_letter_total\{forwarder="cap"\} 1$/m);
    expect(text).toMatch(/^matthan_central_forward_failures_total\{forwarder="cap",failure="build"\} 1$/m);
  });

  it('a repeat of the same failure updates the dead letter instead of adding rows', async () => {
    service.handleIncident('evt_dead_ts_9e15');
    const list = (await app.inject({ url: '/api/forwarding?state=dead' })).json();
    expect(list.items).toHaveLength(1);
    expect(list.items[0].attempts).toBe(2);
  });

  it('retrying after the incident was repaired builds and delivers the message', async () => {
    // An operator repairs the stored timestamp; the retry builds the message from the incident as it is now.
    const sane = Date.now();
    db.prepare('UPDATE incidents SET first_ts = ?, last_ts = ?, last_seen_ts = ? WHERE id = ?').run(
      sane,
      sane,
      sane,
      'evt_dead_ts_9e15',
    );
    const r = await app.inject({ method: 'POST', url: '/api/forwarding/cap.evt_dead_ts_9e15.1/retry' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ id: 'cap.evt_dead_ts_9e15.1', state: 'pending', failure: null });
    await waitFor(() => receiver.accepted.some((x) => x.path === '/cap'), 10_000, 'CAP delivered');
    expect((await app.inject({ url: '/api/forwarding?state=dead' })).json().items).toEqual([]);
  });

  it('an outbox write the database refuses is counted and dead-lettered when possible', async () => {
    // A trigger that makes only the outbox insert fail, as a full or corrupt table would.
    db.exec(`CREATE TRIGGER refuse_outbox BEFORE INSERT ON forward_outbox WHEN NEW.failure IS NULL
             BEGIN SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END`);
    try {
      storeRaw('evt_dead_write_1', Date.now());
    } finally {
      db.exec('DROP TRIGGER refuse_outbox');
    }
    const list = (await app.inject({ url: '/api/forwarding?state=dead' })).json();
    expect(list.items.map((d: { id: string; failure: string }) => [d.id, d.failure]).sort()).toEqual([
      ['cap.evt_dead_write_1.1', 'enqueue'],
      ['hook.evt_dead_write_1.1', 'enqueue'],
    ]);
    expect(list.items[0].lastError).toContain('could not write the message: disk I/O error (simulated)');
    const text = await metrics().registry.metrics();
    expect(text).toMatch(/^matthan_central_forward_failures_total\{forwarder="hook",failure="enqueue"\} 1$/m);
    // Retried once the database is well: planned, built and sent.
    const r = await app.inject({ method: 'POST', url: '/api/forwarding/hook.evt_dead_write_1.1/retry' });
    expect(r.json()).toMatchObject({ state: 'pending', failure: null });
    // Only the retried forwarder's message: the CAP dead letter waits for its own retry.
    const dead = (await app.inject({ url: '/api/forwarding?state=dead' })).json().items;
    expect(dead.map((d: { id: string }) => d.id)).toEqual(['cap.evt_dead_write_1.1']);
  });
});
