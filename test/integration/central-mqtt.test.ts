// Central against a real mosquitto: MQTT 5 shared subscriptions split the load; a failed commit is redelivered.
import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { centralLoad, type LoadMessage } from '../helpers/central-load.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { Mosquitto } from '../helpers/mosquitto.ts';

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function publish(url: string, messages: LoadMessage[], protocolVersion: 4 | 5): Promise<void> {
  const pub = await mqtt.connectAsync(url, { protocolVersion, clientId: `pub-${process.pid}-${Date.now()}` });
  for (let i = 0; i < messages.length; i += 200)
    await Promise.all(
      messages.slice(i, i + 200).map((m) => pub.publishAsync(m.topic, m.payload, { qos: 1 })),
    );
  await pub.endAsync();
}

const centralConfig = (
  broker: Mosquitto,
  dir: string,
  clientId: string,
  extra: { sharedGroup?: string; protocolVersion: 4 | 5 },
) =>
  defaultCentralConfig({
    http: { host: '127.0.0.1', port: 0 },
    broker: { url: broker.url, embedded: false, clientId, ...extra },
    database: { path: path.join(dir, 'central.sqlite') },
    evidence: { dir: path.join(dir, 'evidence'), retentionDays: 30, maxBytes: 0 },
  });

describe('MQTT 5 shared subscription: two central instances, one group, one database', () => {
  let broker: Mosquitto;
  const centrals: CentralHandle[] = [];
  const dir = tempDir('matthan-central-shared-');
  const load = centralLoad({ total: 2_000, dupFraction: 0, malformedFraction: 0, seed: 5 });

  beforeAll(async () => {
    broker = await Mosquitto.start();
    for (const id of ['matthan-central.a', 'matthan-central.b']) {
      const c = await startCentral(
        centralConfig(broker, dir, id, { sharedGroup: 'central', protocolVersion: 5 }),
      );
      centrals.push(c);
      await c.subscribed;
    }
    await publish(broker.url, load.messages, 5);
    await waitFor(
      () => centrals.reduce((n, c) => n + c.ingest.counters.received, 0) >= load.messages.length,
      60_000,
      'both instances to receive everything',
    );
  }, 120_000);

  afterAll(async () => {
    for (const c of centrals) await c.stop();
    await broker?.stop();
  });

  it('stores each message exactly once, with both instances taking a share', () => {
    const [a, b] = centrals.map((c) => c.ingest.counters);
    expect(a!.stored + b!.stored).toBe(load.uniqueValid);
    expect(a!.duplicates + b!.duplicates).toBe(0);
    expect(a!.stored).toBeGreaterThan(0);
    expect(b!.stored).toBeGreaterThan(0);
    expect(centrals[0]!.incidents.eventCount()).toBe(load.uniqueValid);
    expect(centrals[0]!.incidents.count()).toBe(load.eventIds);
  });
});

describe('a batch that cannot be committed is not acknowledged, and the broker redelivers it (MQTT 3.1.1)', () => {
  let broker: Mosquitto;
  let central: CentralHandle;
  const dir = tempDir('matthan-central-redeliver-');
  const load = centralLoad({ total: 60, dupFraction: 0, malformedFraction: 0, seed: 11 });

  beforeAll(async () => {
    broker = await Mosquitto.start();
    central = await startCentral(
      centralConfig(broker, dir, 'matthan-central.redeliver', { protocolVersion: 4 }),
    );
    await central.subscribed;
  });

  afterAll(async () => {
    await central?.stop();
    await broker?.stop();
  });

  it('stores every message once after the database lock is released', async () => {
    // Another process holding the write lock: central's commit waits out busy_timeout, then fails.
    const locker = new Database(path.join(dir, 'central.sqlite'));
    locker.exec('BEGIN IMMEDIATE');
    let released = false;
    const release = setInterval(() => {
      if (central.ingest.counters.failedBatches > 0 && !released) {
        locker.exec('COMMIT');
        released = true;
      }
    }, 20);
    try {
      await publish(broker.url, load.messages, 4);
      await waitFor(
        () => central.incidents.eventCount() >= load.uniqueValid,
        60_000,
        'redelivery after the lock',
      );
    } finally {
      clearInterval(release);
      if (!released) locker.exec('ROLLBACK');
      locker.close();
    }
    const c = central.ingest.counters;
    expect(c.failedBatches).toBeGreaterThan(0);
    expect(central.incidents.eventCount()).toBe(load.uniqueValid);
    expect(c.stored).toBe(load.uniqueValid);
    expect(c.quarantined).toBe(0);
    const ready = await central.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
  }, 90_000);
});
