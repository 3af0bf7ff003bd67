// Start-up catch-up: incidents stored while no forwarder listened (a crash between the commit and the outbox
// write) are forwarded when forwarding starts, once; a second start sends nothing new.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForwardingConfigSchema } from '../../central/forward/forward-schema.ts';
import { startForwarding } from '../../central/forward/start-forwarding.ts';
import { IngestService } from '../../central/ingest/ingest-service.ts';
import { ReviewService } from '../../central/reviews/review-service.ts';
import { CameraStatusStore } from '../../central/store/camera-status-store.ts';
import { type Db, openDatabase } from '../../central/store/database.ts';
import { IncidentStore } from '../../central/store/incident-store.ts';
import { QuarantineStore } from '../../central/store/quarantine-store.ts';
import { ReviewStore } from '../../central/store/review-store.ts';
import { parseConfig } from '../../config/load.ts';
import { Topics } from '../../contract/topics.ts';
import { logger } from '../../lib/log.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';
import { IocReceiver, waitFor } from '../helpers/forward-receiver.ts';

describe('forwarding catch-up at start', () => {
  const receiver = new IocReceiver();
  const log = logger('forward-catch-up-test');
  let db: Db;
  let incidents: IncidentStore;
  let ingest: IngestService;

  beforeAll(async () => {
    await receiver.start();
    db = openDatabase(path.join(tempDir('matthan-forward-catchup-'), 'central.sqlite'));
    incidents = new IncidentStore(db);
    ingest = new IngestService(incidents, new QuarantineStore(db), new CameraStatusStore(db), log);
  });

  afterAll(async () => {
    db.close();
    await receiver.stop();
  });

  const start = () =>
    startForwarding({
      db,
      incidents,
      onIncident: (l) => ingest.onIncident(l),
      config: parseConfig(
        `
forwarders: [{ id: hook, type: webhook, url: ${receiver.url('/hook')}, secret: catch-up-secret-000000 }]
policy: { illegal_stop: immediate }
catchUpHours: 1
pollMs: 50
`,
        '<test>',
        ForwardingConfigSchema,
      ),
      publicUrl: 'http://central.test',
      log,
    });

  it('forwards what was stored while nothing listened, once', async () => {
    const now = Date.now();
    const ids = ['evt_catchup_0001', 'evt_catchup_0002', 'evt_catchup_0003', 'evt_catchup_0004'];
    ids.forEach((id, k) => {
      const e = sampleEvent({
        id,
        camera: `cam-0${k + 1}`,
        ruleType: 'illegal_stop',
        ts: now - 60_000,
        startTs: now - 60_000,
      });
      expect(ingest.handle(Topics.events(e.site, e.camera), Buffer.from(JSON.stringify(e)))).toBe('stored');
    });
    // one was rejected before it was ever forwarded, one is older than the catch-up window
    new ReviewService(new ReviewStore(db)).review(ids[2]!, 'rejected', 'reviewer-1');
    const old = sampleEvent({
      id: 'evt_catchup_old1',
      camera: 'cam-09',
      ruleType: 'illegal_stop',
      ts: now - 3 * 3_600_000,
      startTs: now - 3 * 3_600_000,
    });
    ingest.handle(Topics.events(old.site, old.camera), Buffer.from(JSON.stringify(old)));

    const first = start();
    await waitFor(() => receiver.on('/hook').length === 3, 10_000, 'catch-up deliveries');
    expect(
      receiver
        .on('/hook')
        .map((r) => r.key)
        .sort(),
    ).toEqual([ids[0], ids[1], ids[3]].map((id) => `hook.${id}.1`).sort());
    await first.stop();

    const second = start();
    await waitFor(() => second.service.summary()[0]!.pending === 0, 5_000, 'outbox idle');
    expect(second.service.outbox.list({ limit: 100, offset: 0 }).total).toBe(3);
    await second.stop();
    expect(receiver.requests).toBe(3);
    expect(receiver.duplicates).toEqual([]);
  });
});
