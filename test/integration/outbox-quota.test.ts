// Disk quota on a real edge outbox: with the uplink down, evidence over the quota is trimmed oldest-first (files and
// rows), every event stays queued, and all of them reach a real central through mosquitto once the broker is back.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { parseConfig } from '../../config/load.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import { registerDeliveryMetrics } from '../../edge/publish/delivery-metrics.ts';
import { EdgeDelivery } from '../../edge/publish/edge-delivery.ts';
import { logger } from '../../lib/log.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';
import { Mosquitto, stopAllMosquittos } from '../helpers/mosquitto.ts';

const EVENTS = 30;
const FILE_BYTES = 100_000;
const QUOTA = 1_000_000;

describe('outbox disk quota: evidence trimmed oldest-first, no event dropped', () => {
  const dir = tempDir('matthan-quota-');
  let mq: Mosquitto;
  let central: CentralHandle;
  let delivery: EdgeDelivery;
  const files: string[] = [];

  beforeAll(async () => {
    mq = await Mosquitto.start();
    central = await startCentral(
      defaultCentralConfig({
        http: { host: '127.0.0.1', port: 0 },
        broker: { url: mq.url, embedded: false, protocolVersion: 4, clientId: 'matthan-central.quota' },
        database: { path: path.join(dir, 'central.sqlite') },
      }),
    );
    // Wait for central's persistent session, then take the broker away: the edge is offline from its start.
    for (let i = 0; i < 150 && (await central.app.inject({ url: '/readyz' })).statusCode !== 200; i++)
      await new Promise((r) => setTimeout(r, 100));
    await mq.stop();
    const config = parseConfig(
      JSON.stringify({
        site: 'quota-site',
        dataDir: path.join(dir, 'edge'),
        broker: { url: mq.url, clientId: 'quota-edge' },
        // Uploads go nowhere (nothing listens there), so evidence piles up like on a dead uplink.
        central: { url: 'http://127.0.0.1:9/', token: 'edge-token-0123456789abcdef', retryMaxS: 1 },
        outbox: { maxBytes: QUOTA },
        cameras: [{ id: 'cam-q', source: { url: 'rtsp://127.0.0.1:1/unused' } }],
      }),
      'quota.yaml',
      EdgeConfigSchema,
    );
    delivery = new EdgeDelivery(config, logger('test'), { quotaCheckMs: 60_000 });
    for (let i = 0; i < EVENTS; i++) {
      const id = `evt-quota-${String(i).padStart(4, '0')}`;
      const file = path.join(delivery.evidenceDir, `${id}_v.mp4`);
      writeFileSync(file, Buffer.alloc(FILE_BYTES, i));
      files.push(file);
      delivery.addEvidence({
        id: `${id}_v`,
        eventId: id,
        camera: 'cam-q',
        kind: 'clip',
        contentType: 'video/mp4',
        file,
        bytes: FILE_BYTES,
      });
      delivery.publishEvent(
        sampleEvent({
          id,
          site: 'quota-site',
          camera: 'cam-q',
          boxXyxyNorm: [(i % 10) / 10, 0.1, (i % 10) / 10 + 0.05, 0.2],
          evidence: { clip: `${id}_v` },
        }),
      );
      await new Promise((r) => setTimeout(r, 2)); // distinct creation times: "oldest" is well defined
    }
  }, 60_000);

  afterAll(async () => {
    await delivery?.close(1000);
    await central?.stop();
    await stopAllMosquittos();
  });

  it('keeps queued events + evidence under the quota by deleting the oldest evidence files', () => {
    const m = delivery.metrics();
    expect(m.outboxMessages).toBe(EVENTS);
    expect(m.outboxMessageBytes + m.evidenceBytes).toBeLessThanOrEqual(QUOTA);
    expect(m.evidenceTrimmed).toBeGreaterThan(0);
    expect(m.evidenceTrimmedBytes).toBe(m.evidenceTrimmed * FILE_BYTES);
    expect(m.evidenceQueued + m.evidenceTrimmed).toBe(EVENTS);
    // Oldest-first: exactly the first `trimmed` files are gone, the rest are still on disk.
    const gone = files.map((f) => !existsSync(f));
    expect(gone).toEqual(files.map((_, i) => i < m.evidenceTrimmed));
    for (const f of files.slice(m.evidenceTrimmed)) expect(statSync(f).size).toBe(FILE_BYTES);
    // Size and age are reported.
    expect(m.outboxOldestMessageAgeS).toBeGreaterThanOrEqual(0);
    expect(m.evidenceOldestAgeS).toBeGreaterThanOrEqual(0);
    expect(m.brokerConnected).toBe(false);
  });

  it('exports the trims and the queue as Prometheus series', async () => {
    const registry = new Registry();
    registerDeliveryMetrics(registry, () => delivery.metrics());
    const text = await registry.metrics();
    const m = delivery.metrics();
    expect(text).toContain(`matthan_edge_evidence_trimmed_total ${m.evidenceTrimmed}`);
    expect(text).toContain(`matthan_edge_evidence_queued ${m.evidenceQueued}`);
    expect(text).toContain(`matthan_edge_evidence_bytes ${m.evidenceBytes}`);
  });

  it('delivers every event once the broker is back (none was dropped by the quota)', async () => {
    await mq.restart();
    const deadline = Date.now() + 30_000;
    while (central.ingest.counters.stored < EVENTS && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(central.ingest.counters.stored).toBe(EVENTS);
    expect(await delivery.sender.drained(5000)).toBe(true);
    expect(delivery.metrics().outboxMessages).toBe(0);
  });
});
