// One behaviour suite for the evidence store, run on both blob backends: files on disk and S3 (a real s3rver).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EvidenceBlobIntegrityError,
  EvidenceBlobMissingError,
  type EvidenceBlobStore,
} from '../../central/evidence/evidence-blob-store.ts';
import { EvidenceRetention } from '../../central/evidence/evidence-retention.ts';
import { FsBlobStore } from '../../central/evidence/fs-blob-store.ts';
import { S3BlobStore } from '../../central/evidence/s3-blob-store.ts';
import { type Db, openDatabase } from '../../central/store/database.ts';
import {
  EvidenceIdError,
  EvidenceRefusedError,
  EvidenceStore,
  EvidenceTooLargeError,
} from '../../central/store/evidence-store.ts';
import { logger } from '../../lib/log.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { S3RVER_KEYS, type S3TestServer, startS3Server } from '../helpers/s3-server.ts';

const MAX_BYTES = 20_000_000;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Distinct, incompressible-looking bytes per seed. */
const bytesOf = (n: number, seed: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 17 + ((i >> 8) ^ seed)) & 0xff));
/** A body delivered in chunks, as an HTTP request is. */
const streamOf = (b: Buffer, chunk = 64 * 1024) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < b.length; i += chunk) yield b.subarray(i, i + chunk);
    })(),
  );
const readAll = async (r: Readable) => {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
};

interface Backend {
  blobs: EvidenceBlobStore;
  /** The digest the backend itself keeps beside the bytes (S3 object metadata), or of the bytes on disk. */
  keptSha256(id: string): Promise<string | undefined>;
}

/** The abstract suite (like aedes-persistence's): every backend must pass it unchanged. */
function evidenceStoreContract(name: string, open: () => Promise<Backend>) {
  describe(`evidence store on ${name}`, () => {
    let backend: Backend;
    let store: EvidenceStore;
    let db: Db;
    let now = 1_000_000;
    const dir = tempDir('matthan-evstore-');

    beforeAll(async () => {
      backend = await open();
      db = openDatabase(path.join(dir, 'central.sqlite'));
      store = new EvidenceStore(db, backend.blobs, () => now, MAX_BYTES);
    });
    afterAll(() => db.close());

    it('stores a body with its sha256 in the row and beside the bytes, and serves the same bytes', async () => {
      const body = bytesOf(300_000, 1);
      const { created, meta } = await store.put('evt-put-0001_s', 'image/jpeg', streamOf(body));
      expect(created).toBe(true);
      expect(meta).toMatchObject({ id: 'evt-put-0001_s', bytes: body.length, sha256: sha256(body) });
      expect(store.get('evt-put-0001_s')).toMatchObject({ contentType: 'image/jpeg', sha256: sha256(body) });
      expect(await backend.keptSha256('evt-put-0001_s')).toBe(sha256(body));
      expect((await readAll(await store.open('evt-put-0001_s'))).equals(body)).toBe(true);
    });

    it('streams a body larger than one multipart part (12 MB) and keeps its digest', async () => {
      const body = bytesOf(12_000_000, 2);
      const { meta } = await store.put('evt-big-0001_v', 'video/mp4', streamOf(body));
      expect(meta.sha256).toBe(sha256(body));
      const back = await readAll(await store.open('evt-big-0001_v'));
      expect(back.length).toBe(body.length);
      expect(sha256(back)).toBe(sha256(body));
    });

    const RANGE_BODY = bytesOf(100_000, 3);
    it.each([
      ['the first byte', 0, 0],
      ['a middle range', 1000, 50_999],
      ['the last byte', 99_999, 99_999],
      ['the whole body as a range', 0, 99_999],
    ])('serves %s as exactly those bytes', async (_n, start, end) => {
      if (!store.get('evt-range-001_v'))
        await store.put('evt-range-001_v', 'video/mp4', streamOf(RANGE_BODY));
      const got = await readAll(await store.open('evt-range-001_v', { start, end }));
      expect(got.equals(RANGE_BODY.subarray(start, end + 1))).toBe(true);
    });

    it('lets exactly one of 5 concurrent uploads of one id with different bytes win; served bytes match the row', async () => {
      const bodies = [0, 1, 2, 3, 4].map((i) => bytesOf(200_000 + i * 1000, 10 + i));
      const results = await Promise.allSettled(
        bodies.map((b) => store.put('evt-race-0001_v', 'video/mp4', streamOf(b, 16 * 1024))),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      expect(won[0]!.status === 'fulfilled' && won[0]!.value.created).toBe(true);
      for (const r of results.filter((x) => x.status === 'rejected'))
        expect((r as PromiseRejectedResult).reason).toMatchObject({ statusCode: 409 });
      const row = store.get('evt-race-0001_v')!;
      const served = await readAll(await store.open('evt-race-0001_v'));
      expect(sha256(served)).toBe(row.sha256);
      expect(await backend.keptSha256('evt-race-0001_v')).toBe(row.sha256);
      expect(bodies.map(sha256)).toContain(row.sha256);
    });

    it('answers 5 concurrent uploads of the same bytes with one create and four no-ops', async () => {
      const body = bytesOf(150_000, 20);
      const results = await Promise.all(
        [0, 1, 2, 3, 4].map(() => store.put('evt-same-0001_v', 'video/mp4', streamOf(body, 16 * 1024))),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(results.every((r) => r.meta.sha256 === sha256(body))).toBe(true);
      expect((await readAll(await store.open('evt-same-0001_v'))).equals(body)).toBe(true);
    });

    it('refuses other bytes for a stored id (409) and keeps the first', async () => {
      const first = bytesOf(5000, 30);
      await store.put('evt-other-001_s', 'image/jpeg', streamOf(first));
      await expect(store.put('evt-other-001_s', 'image/jpeg', streamOf(bytesOf(5000, 31)))).rejects.toThrow(
        EvidenceRefusedError,
      );
      expect((await readAll(await store.open('evt-other-001_s'))).equals(first)).toBe(true);
    });

    it.each([
      ['an empty body', () => Readable.from([]), EvidenceIdError],
      [
        'a body over maxBytes',
        () => streamOf(bytesOf(MAX_BYTES + 1, 40), 1024 * 1024),
        EvidenceTooLargeError,
      ],
      [
        'a body cut off mid-stream',
        () =>
          new Readable({
            read() {
              this.push(bytesOf(70_000, 41));
              this.destroy(new Error('client went away'));
            },
          }),
        Error,
      ],
    ])('stores nothing for %s', async (_n, body, error) => {
      const id = `evt-bad-${String(_n).length.toString().padStart(4, '0')}_v`;
      await expect(store.put(id, 'video/mp4', body())).rejects.toThrow(error);
      expect(store.get(id)).toBeUndefined();
      await expect(store.open(id)).rejects.toThrow(EvidenceBlobMissingError);
      const ids: string[] = [];
      for await (const x of backend.blobs.ids()) ids.push(x);
      expect(ids).not.toContain(id);
      expect(await backend.blobs.sweepStaged(0)).toBe(0); // no staged leftover either
    });

    it.each(['../../etc/passwd', 'a/b/c/d/e/f', 'short', 'evt..0001_v'])('refuses the id %s', async (id) => {
      await expect(store.put(id, 'image/jpeg', streamOf(bytesOf(10, 1)))).rejects.toThrow(EvidenceIdError);
      await expect(store.open(id)).rejects.toThrow(EvidenceIdError);
    });

    it('deletes the row and the bytes; a second delete reports nothing there', async () => {
      await store.put('evt-del-0001_s', 'image/jpeg', streamOf(bytesOf(4000, 50)));
      expect(await store.remove('evt-del-0001_s')).toBe(true);
      expect(store.get('evt-del-0001_s')).toBeUndefined();
      await expect(store.open('evt-del-0001_s')).rejects.toThrow(EvidenceBlobMissingError);
      await expect(backend.blobs.read('evt-del-0001_s')).rejects.toThrow(EvidenceBlobMissingError);
      expect(await store.remove('evt-del-0001_s')).toBe(false);
    });

    it('retention trims the oldest files until the total is under the quota, rows and bytes', async () => {
      for (const m of store.list()) await store.remove(m.id);
      const ids = ['evt-quota-001_s', 'evt-quota-002_s', 'evt-quota-003_s'];
      for (const [i, id] of ids.entries()) {
        now = 5_000_000 + i * 1000;
        await store.put(id, 'image/jpeg', streamOf(bytesOf(1000, 60 + i)));
      }
      const retention = new EvidenceRetention(
        store,
        { retentionDays: 30, maxBytes: 2000 },
        logger('test'),
        () => now,
      );
      expect(await retention.run()).toEqual(['evt-quota-001_s']);
      expect(store.totals()).toEqual({ count: 2, bytes: 2000 });
      await expect(backend.blobs.read('evt-quota-001_s')).rejects.toThrow(EvidenceBlobMissingError);
      expect((await readAll(await store.open('evt-quota-003_s'))).length).toBe(1000);
    });

    it('recover() forgets rows whose bytes never arrived, so the edge can upload again', async () => {
      await store.put('evt-orph-0001_s', 'image/jpeg', streamOf(bytesOf(3000, 70)));
      await backend.blobs.remove('evt-orph-0001_s'); // as if central died between the row and the commit
      const { orphans } = await store.recover();
      expect(orphans).toBe(1);
      expect(store.get('evt-orph-0001_s')).toBeUndefined();
      const again = await store.put('evt-orph-0001_s', 'image/jpeg', streamOf(bytesOf(3000, 71)));
      expect(again.created).toBe(true);
    });

    it('recover() deletes staged uploads left by a crash', async () => {
      await backend.blobs.stage('evt-stag-0001_v', 'video/mp4', streamOf(bytesOf(2000, 80)));
      expect((await store.recover(0)).staged).toBe(1);
      expect(await backend.blobs.sweepStaged(0)).toBe(0);
    });
  });
}

evidenceStoreContract('the filesystem', async () => {
  const blobs = new FsBlobStore(tempDir('matthan-evfs-'));
  return {
    blobs,
    keptSha256: async (id) => sha256(readFileSync(blobs.pathOf(id))),
  };
});

let s3: S3TestServer;
evidenceStoreContract('S3 (s3rver)', async () => {
  s3 = await startS3Server();
  const blobs = new S3BlobStore({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    bucket: s3.bucket,
    prefix: 'site-a/evidence/',
    forcePathStyle: true,
    ...S3RVER_KEYS,
    partSizeBytes: 5 * 1024 * 1024,
    queueSize: 2,
  });
  return {
    blobs,
    keptSha256: async (id) =>
      (await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: blobs.keyOf(id) }))).Metadata
        ?.sha256,
  };
});

describe('S3 backend: the kept digest guards the served bytes', () => {
  afterAll(async () => s3?.stop());

  it('refuses to serve an object whose bytes were replaced behind central (metadata no longer matches)', async () => {
    const blobs = new S3BlobStore({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      bucket: s3.bucket,
      prefix: 'tamper/',
      forcePathStyle: true,
      ...S3RVER_KEYS,
    });
    const db = openDatabase(path.join(tempDir('matthan-evtamper-'), 'central.sqlite'));
    const store = new EvidenceStore(db, blobs);
    await store.put('evt-tamp-0001_s', 'image/jpeg', streamOf(bytesOf(2000, 90)));
    await s3.client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: blobs.keyOf('evt-tamp-0001_s'),
        Body: bytesOf(2000, 91),
      }),
    );
    await expect(store.open('evt-tamp-0001_s')).rejects.toThrow(EvidenceBlobIntegrityError);
    db.close();
  });
});
