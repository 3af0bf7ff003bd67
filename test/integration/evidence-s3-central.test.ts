// A real central with evidence in S3 (s3rver): the custody-bound PUT /api/evidence/:id, then the video player's
// ranged GETs (206, Content-Range, Repr-Digest) served from the bucket, and nothing written to the local dir.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { S3BlobStore } from '../../central/evidence/s3-blob-store.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { Topics } from '../../contract/index.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { media, sampleEvent, tempDir } from '../helpers/fixtures.ts';
import { S3RVER_KEYS, type S3TestServer, startS3Server } from '../helpers/s3-server.ts';

const creds = new TestCredentials();
const box = creds.box('hcmc-d1');
const otherBox = creds.box('hanoi-d2');
const viewer = creds.person('viewer');
const clip = readFileSync(media('hcmc_street_wrongway.mp4'));
const clipSha256 = createHash('sha256').update(clip).digest('hex');
const ID = 'evt-s3c-0001_v';
const PREFIX = 'hcmc/evidence/';

describe('central with the S3 evidence backend', () => {
  const dir = tempDir('matthan-s3central-');
  const evidenceDir = path.join(dir, 'evidence');
  let s3: S3TestServer;
  let central: CentralHandle;
  const put = (token: string, body: Buffer = clip) =>
    fetch(`${central.url}/api/evidence/${ID}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'video/mp4' },
      body: new Uint8Array(body),
    });
  const get = (range?: string) =>
    fetch(`${central.url}/api/evidence/${ID}`, {
      headers: { authorization: `Bearer ${viewer.token}`, ...(range ? { range } : {}) },
    });

  beforeAll(async () => {
    s3 = await startS3Server();
    central = await startCentral(
      defaultCentralConfig({
        http: { host: '127.0.0.1', port: 0 },
        ...creds.central(),
        broker: { ...creds.central().broker, url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
        database: { path: path.join(dir, 'central.sqlite') },
        evidence: {
          dir: evidenceDir,
          retentionDays: 0,
          maxBytes: 0,
          store: {
            kind: 's3',
            s3: { endpoint: s3.endpoint, bucket: s3.bucket, prefix: PREFIX, ...S3RVER_KEYS },
          },
        },
      }),
    );
  });
  afterAll(async () => {
    await central?.stop();
    await s3?.stop();
  });

  it('refuses an upload no stored event names yet (409), then takes it once the event declares it', async () => {
    expect((await put(box.token)).status).toBe(409);
    const e = sampleEvent({
      id: 'evt-s3c-0001',
      site: 'hcmc-d1',
      evidence: { clip: ID },
      evidenceSha256: { [ID]: clipSha256 },
    });
    expect(central.ingest.handle(Topics.events(e.site, e.camera), Buffer.from(JSON.stringify(e)))).toBe(
      'stored',
    );
    expect((await put(otherBox.token)).status).toBe(403); // another site's box
    const tampered = Buffer.from(clip);
    tampered.writeUInt8(tampered.readUInt8(1000) ^ 0xff, 1000);
    expect((await put(box.token, tampered)).status).toBe(422); // not the declared digest
    const ok = await put(box.token);
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ id: ID, bytes: clip.length, sha256: clipSha256, created: true });
    expect((await put(box.token)).status).toBe(200); // a repeat is a no-op
  });

  it('keeps the object in the bucket with its sha256 as metadata, and nothing on the local disk', async () => {
    const key = new S3BlobStore({
      region: 'us-east-1',
      bucket: s3.bucket,
      prefix: PREFIX,
      forcePathStyle: true,
    }).keyOf(ID);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
    expect(head.ContentLength).toBe(clip.length);
    expect(head.ContentType).toBe('video/mp4');
    expect(head.Metadata?.sha256).toBe(clipSha256);
    expect(existsSync(path.join(evidenceDir, ID.slice(0, 2), ID))).toBe(false);
  });

  it.each([
    ['the first probe of a video element', 'bytes=0-', 0, clip.length - 1],
    ['a seek into the middle', 'bytes=1000000-1065535', 1_000_000, 1_065_535],
    ['the moov atom at the end', 'bytes=-4096', clip.length - 4096, clip.length - 1],
    ['a single byte', 'bytes=0-0', 0, 0],
  ])('serves %s as 206 with Content-Range and the whole file digest', async (_n, range, start, end) => {
    const r = await get(range);
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes ${start}-${end}/${clip.length}`);
    expect(r.headers.get('repr-digest')).toBe(
      `sha-256=:${Buffer.from(clipSha256, 'hex').toString('base64')}:`,
    );
    const got = Buffer.from(await r.arrayBuffer());
    expect(got.equals(clip.subarray(start, end + 1))).toBe(true);
  });

  it('serves the whole file with 200, and 416 past its end', async () => {
    const r = await get();
    expect(r.status).toBe(200);
    expect(
      createHash('sha256')
        .update(Buffer.from(await r.arrayBuffer()))
        .digest('hex'),
    ).toBe(clipSha256);
    const past = await get(`bytes=${clip.length + 10}-`);
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${clip.length}`);
  });

  it('answers 404 for an id with a row whose object was deleted behind central, and keeps serving', async () => {
    const r = await fetch(`${central.url}/api/evidence/evt-none-0001_s`, {
      headers: { authorization: `Bearer ${viewer.token}` },
    });
    expect(r.status).toBe(404);
    expect((await get('bytes=0-9')).status).toBe(206);
  });
});
