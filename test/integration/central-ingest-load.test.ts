// 10,000 events through a real mosquitto at QoS 1: 20% redelivered, 5% malformed; exactly the unique valid ones stored.
import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { type CentralLoad, centralLoad, MALFORMED_KINDS } from '../helpers/central-load.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { Mosquitto } from '../helpers/mosquitto.ts';

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('central ingest through mosquitto: 10,000 events, 20% duplicates, 5% malformed', () => {
  const dir = tempDir('matthan-central-load-');
  const dbPath = path.join(dir, 'central.sqlite');
  let broker: Mosquitto;
  let central: CentralHandle;
  let load: CentralLoad;

  beforeAll(async () => {
    broker = await Mosquitto.start();
    central = await startCentral(
      defaultCentralConfig({
        http: { host: '127.0.0.1', port: 0 },
        broker: { url: broker.url, embedded: false, protocolVersion: 5, clientId: 'matthan-central.load' },
        database: { path: dbPath },
        evidence: { dir: path.join(dir, 'evidence'), retentionDays: 30, maxBytes: 0 },
      }),
    );
    await central.subscribed;
    load = centralLoad({ total: 10_000, dupFraction: 0.2, malformedFraction: 0.05, seed: 20261121 });
    const pub = await mqtt.connectAsync(broker.url, {
      protocolVersion: 5,
      clientId: 'central-load-publisher',
    });
    const windowSize = 250;
    for (let i = 0; i < load.messages.length; i += windowSize) {
      await Promise.all(
        load.messages.slice(i, i + windowSize).map((m) => pub.publishAsync(m.topic, m.payload, { qos: 1 })),
      );
    }
    await pub.endAsync();
    await waitFor(
      () => central.ingest.counters.received >= load.messages.length,
      90_000,
      'all messages ingested',
    );
  }, 180_000);

  afterAll(async () => {
    await central?.stop();
    await broker?.stop();
  });

  it('built the load as specified', () => {
    expect(load.messages).toHaveLength(10_000);
    expect(load.duplicates).toBe(2_000);
    expect(load.malformed).toBe(500);
    expect(load.uniqueValid).toBe(7_500);
  });

  it('stored exactly the unique valid events, once each', () => {
    const c = central.ingest.counters;
    expect(c.received).toBe(10_000);
    expect(c.stored).toBe(load.uniqueValid);
    expect(c.duplicates).toBe(load.duplicates);
    expect(central.incidents.eventCount()).toBe(load.uniqueValid);
    // The load's events are apart in time or place, so each event id is its own incident.
    expect(central.incidents.count()).toBe(load.eventIds);
    expect(c.merged).toBe(0);
    // Batches really held several messages each (one transaction per message would be one batch each).
    expect(c.batches).toBeLessThan(c.received / 2);
  });

  it('quarantined every malformed payload with a reason naming what is wrong', () => {
    expect(central.ingest.counters.quarantined).toBe(load.malformed);
    const db = new Database(dbPath, { readonly: true });
    try {
      const rows = db.prepare('SELECT topic, reason, payload FROM quarantine').all() as {
        topic: string;
        reason: string;
        payload: Buffer;
      }[];
      expect(rows).toHaveLength(load.malformed);
      for (const kind of MALFORMED_KINDS) {
        const matching = rows.filter((r) => r.reason.includes(kind.reason));
        expect(matching.length, kind.name).toBe(load.malformedByKind[kind.name]);
      }
      expect(rows.every((r) => r.payload.length > 0 && r.topic.startsWith('matthan/v1/'))).toBe(true);
    } finally {
      db.close();
    }
  });

  it('every incident is complete: all five messages of each event, ended', async () => {
    const res = await central.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    const db = new Database(dbPath, { readonly: true });
    try {
      const counts = db
        .prepare(
          'SELECT event_count AS n, ended, fragments FROM incidents GROUP BY event_count, ended, fragments',
        )
        .all();
      expect(counts).toEqual([{ n: 5, ended: 1, fragments: 1 }]);
    } finally {
      db.close();
    }
  });

  it('the process stays alive and ready', async () => {
    const res = await central.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true });
  });
});
