// End-to-end acknowledgement with a real broker (aedes), a real central and the real edge outbox + publisher:
// an event leaves the edge outbox only once central has stored it, never on the broker's PUBACK alone; what
// the broker swallowed is re-sent and stored once; what central refuses is acknowledged as refused.
import path from 'node:path';
import mqtt from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../central/broker/embedded-broker.ts';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { parseConfig } from '../../config/load.ts';
import { Topics } from '../../contract/index.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import { registerDeliveryMetrics } from '../../edge/publish/delivery-metrics.ts';
import { EdgeDelivery } from '../../edge/publish/edge-delivery.ts';
import { logger } from '../../lib/log.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';

const SITE = 'ack-site';
const CAMERA = 'cam-a';

async function until(what: string, cond: () => boolean, diag: () => string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${diag()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const event = (i: number, patch: Parameters<typeof sampleEvent>[0] = {}) => {
  const now = Date.now();
  return sampleEvent({
    id: `evt_ack_${String(i).padStart(6, '0')}`,
    site: SITE,
    camera: CAMERA,
    ts: now,
    startTs: now,
    boxXyxyNorm: [(i % 10) / 10, 0.1, (i % 10) / 10 + 0.05, 0.2],
    ...patch,
  });
};

describe('end-to-end acknowledgement (aedes, central, edge outbox)', () => {
  const dir = tempDir('matthan-acks-');
  let broker: EmbeddedBroker;
  let central: CentralHandle | undefined;
  let delivery: EdgeDelivery;
  /**
   * Event ids whose first copy the broker swallows: it PUBACKs the edge but forwards nothing to central until the
   * edge has published the id again (only a re-send gets through, whatever aedes does with its queues).
   */
  const swallow = new Set<string>();
  /** Publishes of each event id the broker received from the edge. */
  const published = new Map<string, number>();
  let swallowed = 0;
  // The brokers' accounts and ACLs as in production: a box publishes under its site, reads its site's acks.
  const creds = new TestCredentials();
  const box = creds.box(SITE);

  const centralConfig = () =>
    defaultCentralConfig({
      ...creds.central(),
      http: { host: '127.0.0.1', port: 0 },
      broker: {
        ...creds.central().broker,
        url: broker.url,
        embedded: false,
        protocolVersion: 4,
        clientId: `${creds.centralUsername}.acks`,
      },
      database: { path: path.join(dir, 'central.sqlite') },
    });

  const edgeConfig = (deleteOn: 'central' | 'broker', sub: string) =>
    parseConfig(
      JSON.stringify({
        site: SITE,
        dataDir: path.join(dir, sub),
        broker: { url: broker.url, ...box.broker, clientId: `${box.name}.${sub}` },
        outbox: { windowSize: 20, ackTimeoutS: 1, ackTimeoutMaxS: 2, deleteOn },
        cameras: [{ id: CAMERA, source: { url: 'rtsp://127.0.0.1:1/unused' } }],
      }),
      'acks.yaml',
      EdgeConfigSchema,
    );

  const stored = () => central?.incidents.eventCount() ?? -1;
  const diag = () =>
    `stored=${stored()} metrics=${JSON.stringify(delivery.metrics())} counters=${JSON.stringify(delivery.sender.counters)}`;

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ accounts: creds.accounts() });
    // The broker takes the message (the edge gets its PUBACK) but forwards nothing: a queue limit's drop.
    const idOf = (payload: Buffer | string) => (JSON.parse(payload.toString()) as { id: string }).id;
    broker.aedes.on('publish', (packet, client) => {
      if (client && packet.topic.endsWith('/events')) {
        const id = idOf(packet.payload);
        published.set(id, (published.get(id) ?? 0) + 1);
      }
    });
    broker.aedes.authorizeForward = (_client, packet) => {
      if (!packet.topic.endsWith('/events')) return packet;
      const id = idOf(packet.payload);
      if (swallow.has(id) && (published.get(id) ?? 0) < 2) {
        swallowed++;
        return null;
      }
      return packet;
    };
    central = await startCentral(centralConfig());
    await central.subscribed;
    delivery = new EdgeDelivery(edgeConfig('central', 'edge'), logger('test-edge'));
    await until('edge connected', () => delivery.publisher.connected, diag);
  });

  afterAll(async () => {
    await delivery?.close(500);
    await central?.stop();
    await broker?.close();
  });

  it('deletes each event once central acknowledged it', async () => {
    for (let i = 0; i < 50; i++) delivery.publishEvent(event(i));
    await until('outbox empty', () => delivery.metrics().outboxMessages === 0, diag);
    expect(stored()).toBe(50);
    expect(delivery.sender.counters).toMatchObject({ centralAcked: 50, acked: 50, refused: 0 });
    // `published` counts broker PUBACKs that came before central's acknowledgement; on a loaded box central's ack
    // can win that race (the event is then done and its PUBACK no longer counted), so it is at most 50.
    expect(delivery.sender.counters.published).toBeGreaterThan(0);
    expect(delivery.sender.counters.published).toBeLessThanOrEqual(50);
    // Central counts what it acknowledged.
    const scrape = await central!.app.inject({ url: '/metrics' });
    expect(scrape.statusCode).toBe(200);
    expect(
      Number(/^matthan_central_acks_published_total (\d+)$/m.exec(scrape.body)?.[1]),
    ).toBeGreaterThanOrEqual(50);
    expect(scrape.body).toMatch(/^matthan_central_poison_quarantined_total 0$/m);
  });

  it('keeps events the broker took while central is down, until central is back and has stored them', async () => {
    await central!.stop();
    central = undefined;
    for (let i = 100; i < 130; i++) delivery.publishEvent(event(i));
    // The window (20) is handed over and PUBACKed; the other 10 wait on the box. Nothing leaves the outbox:
    // only central's word deletes an event. Re-sends while central is away are harmless.
    await until(
      'the broker took the window',
      () => delivery.metrics().eventsSentAwaitingCentral === 20,
      diag,
    );
    await until(
      'the oldest has waited over a second',
      () => delivery.metrics().outboxOldestMessageAgeS > 1,
      diag,
    );
    expect(delivery.metrics()).toMatchObject({ outboxMessages: 30, eventsSentAwaitingCentral: 20 });
    // The scrape shows the same.
    const registry = new Registry();
    registerDeliveryMetrics(registry, () => delivery.metrics());
    const text = await registry.metrics();
    expect(text).toMatch(/^matthan_edge_events_awaiting_central 30$/m);
    expect(text).toMatch(/^matthan_edge_events_sent_awaiting_central 20$/m);
    expect(text).toMatch(/^matthan_edge_events_awaiting_central_oldest_age_seconds [1-9]/m);
    central = await startCentral(centralConfig());
    await until(
      'outbox drained after central came back',
      () => delivery.metrics().outboxMessages === 0,
      diag,
    );
    expect(stored()).toBe(80);
    expect(delivery.metrics().eventsSentAwaitingCentral).toBe(0);
  });

  it('re-sends an event the broker acknowledged but never delivered, and central stores it once', async () => {
    const resentBefore = delivery.sender.counters.resent;
    for (let i = 200; i < 220; i++) {
      const e = event(i);
      if (i % 5 === 0) swallow.add(e.id);
      delivery.publishEvent(e);
    }
    await until('outbox drained', () => delivery.metrics().outboxMessages === 0, diag);
    expect(swallowed).toBeGreaterThanOrEqual(4);
    expect(stored()).toBe(100);
    // Each swallowed event reached central only because the edge sent it again.
    for (const id of swallow) expect(published.get(id)).toBeGreaterThanOrEqual(2);
    expect(delivery.sender.counters.resent - resentBefore).toBeGreaterThanOrEqual(4);
    expect(central!.ingest.counters.quarantined).toBe(0);
  });

  it('acknowledges a refused event as refused: kept in quarantine at central, gone from the outbox', async () => {
    const future = Date.now() + 86_400_000;
    delivery.publishEvent(event(300, { ts: future, startTs: future }));
    await until('refusal acknowledged', () => delivery.sender.counters.refused === 1, diag);
    expect(delivery.metrics().outboxMessages).toBe(0);
    const q = central!.ingest.counters.quarantined;
    expect(q).toBe(1);
  });

  it('in broker mode deletes on PUBACK even with central down (the old contract)', async () => {
    await central!.stop();
    central = undefined;
    const brokerMode = new EdgeDelivery(edgeConfig('broker', 'edge-broker'), logger('test-edge-b'));
    try {
      await until('connected', () => brokerMode.publisher.connected, diag);
      for (let i = 400; i < 410; i++) brokerMode.publishEvent(event(i));
      await until('outbox empty on PUBACK alone', () => brokerMode.metrics().outboxMessages === 0, diag);
      expect(brokerMode.sender.counters).toMatchObject({ acked: 10, centralAcked: 0 });
    } finally {
      await brokerMode.close(500);
      central = await startCentral(centralConfig());
    }
    await until('central took the broker-mode events too', () => stored() === 110, diag);
  });

  it('ignores an ack that is off the contract, and one for another site', async () => {
    const before = delivery.acks!.counters.invalid;
    // Only central's account may publish acks (the box itself may not: the ACL refuses it).
    const asCentral = await mqtt.connectAsync(broker.url, creds.centralMqtt);
    try {
      await asCentral.publishAsync(Topics.acks(SITE), '{"schemaVersion":1,"stored":"all"}', { qos: 1 });
      await asCentral.publishAsync(Topics.acks(SITE), Buffer.alloc(300_000, 0x5b), { qos: 1 });
      await until('two invalid acks counted', () => delivery.acks!.counters.invalid === before + 2, diag);
    } finally {
      await asCentral.endAsync();
    }
  });
});
