// /api/evidence with a real SQLite file and evidence dir: idempotent PUT, GET with Range, ids that try to escape.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvidenceRetention } from '../../central/evidence/evidence-retention.ts';
import evidenceRoutes from '../../central/routes/evidence/index.ts';
import { openDatabase } from '../../central/store/database.ts';
import { EvidenceStore } from '../../central/store/evidence-store.ts';
import { logger } from '../../lib/log.ts';
import { tempDir } from '../helpers/fixtures.ts';

const TOKEN = { authorization: 'Bearer edge-token-0123456789abcdef' };

describe('/api/evidence', () => {
  const dir = tempDir('matthan-evidence-');
  const evidenceDir = path.join(dir, 'evidence');
  let app: FastifyInstance;
  let store: EvidenceStore;
  let now = 1_000_000;
  const db = openDatabase(path.join(dir, 'central.sqlite'));

  beforeAll(async () => {
    store = new EvidenceStore(db, evidenceDir, () => now, 10_000);
    app = Fastify();
    await app.register(evidenceRoutes, { prefix: '/api/evidence', evidence: store });
  });
  afterAll(async () => {
    await app.close();
    db.close();
  });

  const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

  it('stores an upload once; a repeated upload is acknowledged without rewriting', async () => {
    const put = () =>
      app.inject({
        method: 'PUT',
        url: '/api/evidence/evt-aaaa-0001_v',
        headers: { ...TOKEN, 'content-type': 'video/mp4' },
        payload: body,
      });
    const first = await put();
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ id: 'evt-aaaa-0001_v', bytes: 1000, created: true });
    const again = await put();
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: false, sha256: first.json().sha256 });
    expect(store.totals()).toEqual({ count: 1, bytes: 1000 });
    const get = await app.inject({ method: 'GET', url: '/api/evidence/evt-aaaa-0001_v', headers: TOKEN });
    expect(get.statusCode).toBe(200);
    expect(get.headers['content-type']).toBe('video/mp4');
    expect(get.headers['accept-ranges']).toBe('bytes');
    expect(get.rawPayload.equals(body)).toBe(true);
  });

  it('serves byte ranges (206) and refuses ranges past the end (416)', async () => {
    const r = await app.inject({
      method: 'GET',
      url: '/api/evidence/evt-aaaa-0001_v',
      headers: { ...TOKEN, range: 'bytes=100-199' },
    });
    expect(r.statusCode).toBe(206);
    expect(r.headers['content-range']).toBe('bytes 100-199/1000');
    expect(r.rawPayload.equals(body.subarray(100, 200))).toBe(true);
    const tail = await app.inject({
      method: 'GET',
      url: '/api/evidence/evt-aaaa-0001_v',
      headers: { ...TOKEN, range: 'bytes=-10' },
    });
    expect(tail.statusCode).toBe(206);
    expect(tail.rawPayload.equals(body.subarray(990))).toBe(true);
    const bad = await app.inject({
      method: 'GET',
      url: '/api/evidence/evt-aaaa-0001_v',
      headers: { ...TOKEN, range: 'bytes=5000-' },
    });
    expect(bad.statusCode).toBe(416);
    expect(bad.headers['content-range']).toBe('bytes */1000');
  });

  it('answers 404 for evidence that is referenced but not uploaded yet', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/evidence/evt-notyet-0001_s', headers: TOKEN });
    expect(r.statusCode).toBe(404);
  });

  it.each([
    ['..%2F..%2Fetc%2Fpasswd'],
    ['..'],
    ['abc.def.ghi'],
    ['short'],
    ['%2E%2E%2F%2E%2E%2Fcentral.sqlite'],
    ['a'.repeat(65)],
  ])('rejects the id %s and never touches a path outside the evidence dir', async (id) => {
    const put = await app.inject({
      method: 'PUT',
      url: `/api/evidence/${id}`,
      headers: { ...TOKEN, 'content-type': 'image/jpeg' },
      payload: body,
    });
    expect([400, 404]).toContain(put.statusCode);
    const get = await app.inject({ method: 'GET', url: `/api/evidence/${id}`, headers: TOKEN });
    expect([400, 404]).toContain(get.statusCode);
    expect(existsSync(path.join(dir, 'etc'))).toBe(false);
  });

  it('rejects other content types (415) and empty or oversized bodies', async () => {
    const txt = await app.inject({
      method: 'PUT',
      url: '/api/evidence/evt-bbbb-0001_s',
      headers: { ...TOKEN, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(txt.statusCode).toBe(415);
    const empty = await app.inject({
      method: 'PUT',
      url: '/api/evidence/evt-bbbb-0001_s',
      headers: { ...TOKEN, 'content-type': 'image/jpeg' },
      payload: Buffer.alloc(0),
    });
    expect(empty.statusCode).toBe(400);
    const big = await app.inject({
      method: 'PUT',
      url: '/api/evidence/evt-bbbb-0002_s',
      headers: { ...TOKEN, 'content-type': 'image/jpeg' },
      payload: Buffer.alloc(20_000, 1),
    });
    expect(big.statusCode).toBe(413);
    expect(store.get('evt-bbbb-0001_s')).toBeUndefined();
    expect(store.get('evt-bbbb-0002_s')).toBeUndefined();
    // No torn temp files are left behind.
    const leftovers = readdirSync(evidenceDir, { recursive: true }).filter((f) =>
      String(f).endsWith('.part'),
    );
    expect(leftovers).toEqual([]);
  });

  it('sweeps temp files of uploads cut off by a crash when the store opens', () => {
    const stray = path.join(evidenceDir, 'ev', 'evt-crash-0001_v.1234.1.part');
    mkdirSync(path.dirname(stray), { recursive: true });
    writeFileSync(stray, 'half an upload');
    new EvidenceStore(db, evidenceDir);
    expect(existsSync(stray)).toBe(false);
  });

  it('retention deletes by age, then oldest until under maxBytes, files and rows', async () => {
    for (const [i, id] of ['evt-cccc-0001_s', 'evt-cccc-0002_s', 'evt-cccc-0003_s'].entries()) {
      now = 2_000_000 + i * 1000;
      const r = await app.inject({
        method: 'PUT',
        url: `/api/evidence/${id}`,
        headers: { ...TOKEN, 'content-type': 'image/jpeg' },
        payload: body,
      });
      expect(r.statusCode).toBe(201);
    }
    now = 2_000_000 + 40 * 24 * 3600 * 1000;
    const firstFile = store.get('evt-aaaa-0001_v')!.file!;
    // All four are 40+ days old with retentionDays 30: everything goes.
    const byAge = new EvidenceRetention(store, { retentionDays: 30, maxBytes: 0 }, logger('test'), () => now);
    expect(await byAge.run()).toHaveLength(4);
    expect(existsSync(firstFile)).toBe(false);
    expect(store.totals()).toEqual({ count: 0, bytes: 0 });
    for (const id of ['evt-dddd-0001_s', 'evt-dddd-0002_s', 'evt-dddd-0003_s']) {
      now += 1000;
      await app.inject({
        method: 'PUT',
        url: `/api/evidence/${id}`,
        headers: { ...TOKEN, 'content-type': 'image/jpeg' },
        payload: body,
      });
    }
    const bySize = new EvidenceRetention(
      store,
      { retentionDays: 30, maxBytes: 2000 },
      logger('test'),
      () => now,
    );
    expect(await bySize.run()).toEqual(['evt-dddd-0001_s']);
    expect(store.list().map((m) => m.id)).toEqual(['evt-dddd-0002_s', 'evt-dddd-0003_s']);
  });
});
