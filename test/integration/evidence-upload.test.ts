// The edge's evidence uploader against a real central: wrong token and central down are retried with backoff,
// the right token uploads and frees the file, a repeat is a no-op at central, a refused file is dropped.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { Topics } from '../../contract/index.ts';
import { EvidenceUploader } from '../../edge/evidence/evidence-uploader.ts';
import { SqliteOutboxStore } from '../../edge/outbox/sqlite-outbox-store.ts';
import { logger } from '../../lib/log.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';

const creds = new TestCredentials();
const EDGE_TOKEN = creds.box('hcmc-d1').token;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('evidence uploader against a real central', () => {
  const dir = tempDir('matthan-upload-');
  const store = new SqliteOutboxStore(path.join(dir, 'outbox.sqlite'));
  let central: CentralHandle;
  let now = 1_000_000;
  const body = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) % 256));
  const file = (name: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, body);
    return f;
  };
  const uploader = (token: string, centralUrl = central.url) =>
    new EvidenceUploader(
      store,
      {
        centralUrl,
        token,
        retryBaseMs: 1000,
        retryMaxMs: 8000,
        nowMs: () => now,
        random: () => 0, // the low end of the jitter: delays of exactly half a step
        pollMs: 50,
      },
      logger('test'),
    );
  const until = async (cond: () => boolean, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!cond() && Date.now() < deadline) await sleep(20);
  };

  beforeAll(async () => {
    central = await startCentral(
      defaultCentralConfig({
        http: { host: '127.0.0.1', port: 0 },
        ...creds.central(),
        broker: { ...creds.central().broker, url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
        database: { path: path.join(dir, 'central.sqlite') },
        evidence: { dir: path.join(dir, 'central-evidence'), retentionDays: 0, maxBytes: 0 },
      }),
    );
    // Central takes a file only for an id a stored event of the box's site names, with the digest it declared.
    for (const [n, sha256] of [
      ['0001', createHash('sha256').update(body).digest('hex')],
      ['0002', undefined],
    ] as const) {
      const e = sampleEvent({
        id: `evt-up-${n}`,
        evidence: { snapshot: `evt-up-${n}_s` },
        ...(sha256 ? { evidenceSha256: { [`evt-up-${n}_s`]: sha256 } } : {}),
      });
      expect(central.ingest.handle(Topics.events(e.site, e.camera), Buffer.from(JSON.stringify(e)))).toBe(
        'stored',
      );
    }
  });
  afterAll(async () => {
    await central?.stop();
    store.close();
  });

  it('keeps and retries with growing delays while central refuses the token or is unreachable', async () => {
    const f = file('a.jpg');
    store.addEvidence(
      {
        id: 'evt-up-0001_s',
        eventId: 'evt-up-0001',
        camera: 'c',
        kind: 'snapshot',
        contentType: 'image/jpeg',
        file: f,
        bytes: body.length,
      },
      now,
    );
    const bad = uploader('not-the-edge-token-0123456789');
    bad.start();
    await until(() => bad.counters.failures >= 1);
    bad.stop();
    let item = store.getEvidence('evt-up-0001_s')!;
    expect(item).toMatchObject({ attempts: 1, state: 'ready' });
    expect(item.lastError).toMatch(/^HTTP 401/);
    expect(item.nextAttemptMs).toBe(now + 500); // half of the 1 s first step
    // Nothing listens on port 9: a network error is retried too, with the next, longer step.
    now = item.nextAttemptMs;
    const down = uploader(EDGE_TOKEN, 'http://127.0.0.1:9');
    down.start();
    await until(() => down.counters.failures >= 1);
    down.stop();
    item = store.getEvidence('evt-up-0001_s')!;
    expect(item.attempts).toBe(2);
    expect(item.nextAttemptMs).toBe(now + 1000); // the step doubled
    expect(existsSync(f)).toBe(true);
  });

  it('uploads with the edge token once due, removes the row and the local file; central has the same bytes', async () => {
    now += 2000;
    const good = uploader(EDGE_TOKEN);
    good.start();
    await until(() => good.counters.uploaded >= 1);
    good.stop();
    expect(store.getEvidence('evt-up-0001_s')).toBeUndefined();
    expect(existsSync(path.join(dir, 'a.jpg'))).toBe(false);
    const meta = central.evidence.get('evt-up-0001_s')!;
    expect(meta.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(readFileSync(meta.file!).equals(body)).toBe(true);
  });

  it('treats a repeated upload (a lost response, a restarted edge) as done', async () => {
    store.addEvidence(
      {
        id: 'evt-up-0001_s',
        eventId: 'evt-up-0001',
        camera: 'c',
        kind: 'snapshot',
        contentType: 'image/jpeg',
        file: file('again.jpg'),
        bytes: body.length,
      },
      now,
    );
    const up = uploader(EDGE_TOKEN);
    up.start();
    await until(() => up.counters.uploaded >= 1);
    up.stop();
    expect(up.counters.alreadyPresent).toBe(1);
    expect(store.getEvidence('evt-up-0001_s')).toBeUndefined();
    expect(central.evidence.totals().count).toBe(1);
  });

  it('drops a file central refuses for good (415) instead of retrying forever', async () => {
    store.addEvidence(
      {
        id: 'evt-up-0002_s',
        eventId: 'evt-up-0002',
        camera: 'c',
        kind: 'snapshot',
        contentType: 'text/plain',
        file: file('b.txt'),
        bytes: body.length,
      },
      now,
    );
    const up = uploader(EDGE_TOKEN);
    up.start();
    await until(() => up.counters.rejected >= 1);
    up.stop();
    expect(up.counters.rejected).toBe(1);
    expect(store.getEvidence('evt-up-0002_s')).toBeUndefined();
    expect(central.evidence.get('evt-up-0002_s')).toBeUndefined();
  });

  it("drops the evidence of an event central refused (410, with central's reason), not 409 'not yet' forever", async () => {
    // An event with a timestamp far in the future: central quarantines it, so no stored event will name its files.
    const refused = sampleEvent({
      id: 'evt-up-0003',
      evidence: { snapshot: 'evt-up-0003_s' },
      ts: Date.now() + 86_400_000,
      startTs: Date.now() + 86_400_000,
    });
    expect(
      central.ingest.handle(
        Topics.events(refused.site, refused.camera),
        Buffer.from(JSON.stringify(refused)),
      ),
    ).toBe('quarantined');
    // The same id refused on another site's topic says nothing about this site's event: still "not yet".
    const elsewhere = {
      ...refused,
      id: 'evt-up-0004',
      site: 'da-nang',
      evidence: { snapshot: 'evt-up-0004_s' },
    };
    central.ingest.handle(Topics.events('da-nang', refused.camera), Buffer.from(JSON.stringify(elsewhere)));
    const put = (id: string) =>
      central.app.inject({
        method: 'PUT',
        url: `/api/evidence/${id}`,
        headers: { authorization: `Bearer ${EDGE_TOKEN}`, 'content-type': 'image/jpeg' },
        payload: body,
      });
    const gone = await put('evt-up-0003_s');
    expect(gone.statusCode, gone.body).toBe(410);
    expect(gone.body).toMatch(/central refused its event evt-up-0003 \(.*ahead of central's clock/);
    expect((await put('evt-up-0004_s')).statusCode).toBe(409);

    store.addEvidence(
      {
        id: 'evt-up-0003_s',
        eventId: 'evt-up-0003',
        camera: 'c',
        kind: 'snapshot',
        contentType: 'image/jpeg',
        file: file('c.jpg'),
        bytes: body.length,
      },
      now,
    );
    const up = uploader(EDGE_TOKEN);
    const rejectedBefore = up.counters.rejected;
    up.start();
    // The counter moves before the local file is deleted: wait for both.
    await until(() => up.counters.rejected > rejectedBefore && !existsSync(path.join(dir, 'c.jpg')));
    up.stop();
    expect(up.counters.rejected).toBe(rejectedBefore + 1);
    expect(up.counters.failures).toBe(0);
    expect(store.getEvidence('evt-up-0003_s')).toBeUndefined();
    expect(existsSync(path.join(dir, 'c.jpg'))).toBe(false);
  });
});
