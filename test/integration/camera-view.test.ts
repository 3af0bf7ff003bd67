// A camera's live view for the cameras page: the edge grabs one JPEG from a real ring segment (ffmpeg, the shared
// 1080p clip) and sends it over HTTP to a real central, which checks it and serves it to viewers. Every part of the
// upload is hostile until checked: site, type, bytes, size, frame time; a refused upload leaves central serving.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { checkViewJpeg } from '../../central/routes/cameras/view-jpeg.ts';
import { VIEW_MAX_WIDTH_PX, viewFrameJpeg } from '../../edge/evidence/view-frame.ts';
import { RING_BSF } from '../../edge/ingest/ffmpeg-args.ts';
import type { Segment } from '../../edge/ingest/segment-ring.ts';
import { CameraViewReporter } from '../../edge/publish/camera-view-reporter.ts';
import { CentralNotices } from '../../edge/publish/central-notices.ts';
import { logger } from '../../lib/log.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { media, tempDir } from '../helpers/fixtures.ts';

const creds = new TestCredentials();
const T = {
  viewer: creds.person('viewer', 'viewer'),
  edge: creds.box('hcmc-d1', 'edge'),
  other: creds.box('da-nang', 'edge-da-nang'),
};
const SCENE = {
  zones: [],
  lines: [
    {
      id: 'stop',
      points: [
        [0, 0.6],
        [1, 0.6],
      ],
    },
  ],
  rules: [],
};

/** A 2 s MPEG-TS segment of the clip from `fromS`, as the camera's ring writes them (stream copy). */
function segment(dir: string, fromS: number): string {
  const file = path.join(dir, `seg-${fromS}.ts`);
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-ss',
    String(fromS),
    '-t',
    '2',
    '-i',
    media('hcmc_intersection_1080p.mp4'),
    '-an',
    '-c',
    'copy',
    '-bsf:v',
    RING_BSF.h264!,
    '-f',
    'mpegts',
    '-y',
    file,
  ]);
  return file;
}

describe("a camera's live view, edge ring -> central -> viewers", () => {
  const dir = tempDir('matthan-camera-view-');
  let central: CentralHandle;
  const put = (who: keyof typeof T, site: string, body: Buffer | string, headers: Record<string, string>) =>
    central.app.inject({
      method: 'PUT',
      url: `/api/cameras/${site}/cam-01/view`,
      headers: { authorization: `Bearer ${T[who].token}`, ...headers },
      payload: body,
    });
  const jpegHeaders = (ts: number) => ({ 'content-type': 'image/jpeg', 'x-matthan-frame-ts': String(ts) });
  const view = () =>
    central.app.inject({
      method: 'GET',
      url: '/api/cameras/hcmc-d1/cam-01/view.jpg',
      headers: { authorization: `Bearer ${T.viewer.token}` },
    });
  const scenes = async () =>
    (
      await central.app.inject({
        method: 'GET',
        url: '/api/cameras/scenes',
        headers: { authorization: `Bearer ${T.viewer.token}` },
      })
    ).json() as { camera: string; view?: { ts: number; sha256: string } }[];
  let jpeg: Buffer;

  beforeAll(async () => {
    central = await startCentral(
      defaultCentralConfig({
        http: { host: '127.0.0.1', port: 0 },
        ...creds.central(),
        broker: { ...creds.central().broker, url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
        database: { path: path.join(dir, 'central.sqlite') },
        evidence: { dir: path.join(dir, 'evidence'), retentionDays: 0, maxBytes: 0 },
      }),
    );
    const r = await central.app.inject({
      method: 'PUT',
      url: '/api/cameras/hcmc-d1/cam-01/scene',
      headers: { authorization: `Bearer ${T.edge.token}` },
      payload: SCENE,
    });
    expect(r.statusCode).toBe(200);
    jpeg = await viewFrameJpeg(segment(dir, 2));
  }, 60_000);

  afterAll(async () => {
    await central?.stop();
  });

  it('the reporter sends the newest segment of the ring; central serves it, and the cameras page lists it', async () => {
    const segs: Segment[] = [];
    const ring = { segments: () => segs };
    const notices = new CentralNotices({ centralUrl: central.url, token: T.edge.token }, logger('test'));
    const reporter = new CameraViewReporter({
      cameras: [{ id: 'cam-01', ring }],
      intervalMs: 60_000,
      firstPollMs: 50,
      send: (camera, bytes, ts) => notices.view('hcmc-d1', camera, bytes, ts),
      log: logger('test'),
    });
    reporter.start();
    // No segment yet: nothing is sent. Then the ring gets two; the newer one is the view.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const t0 = Date.now() - 10_000;
    segs.push({ file: segment(dir, 0), startMs: t0, endMs: t0 + 2000 });
    segs.push({ file: segment(dir, 6), startMs: t0 + 2000, endMs: t0 + 4000 });
    await expect.poll(async () => (await scenes())[0]?.view?.ts, { timeout: 30_000 }).toBe(t0 + 4000);
    await reporter.stop();
    await notices.settled();
    notices.stop();

    const res = await view();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    const meta = await sharp(res.rawPayload).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', VIEW_MAX_WIDTH_PX, 720]);
    // The digest the page puts in the URL is the digest of what is served; the ETag answers a repeat with 304.
    const listed = (await scenes())[0]!.view!;
    expect(res.headers.etag).toBe(`"${listed.sha256}"`);
    const again = await central.app.inject({
      method: 'GET',
      url: '/api/cameras/hcmc-d1/cam-01/view.jpg',
      headers: { authorization: `Bearer ${T.viewer.token}`, 'if-none-match': `"${listed.sha256}"` },
    });
    expect(again.statusCode).toBe(304);
  }, 60_000);

  it('a newer frame replaces the view; an older one arriving late does not', async () => {
    const before = (await scenes())[0]!.view!;
    const later = await viewFrameJpeg(segment(dir, 8));
    expect((await put('edge', 'hcmc-d1', later, jpegHeaders(before.ts + 1000))).json()).toEqual({
      stored: true,
    });
    expect((await put('edge', 'hcmc-d1', jpeg, jpegHeaders(before.ts - 1000))).json()).toEqual({
      stored: false,
    });
    const now = (await scenes())[0]!.view!;
    expect(now.ts).toBe(before.ts + 1000);
    expect(Buffer.compare((await view()).rawPayload, later)).toBe(0);
  }, 60_000);

  it('refuses hostile uploads with the reason named, and keeps serving', async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } })
      .png()
      .toBuffer();
    const ts = Date.now();
    const cases: [string, () => ReturnType<typeof put>, number, RegExp][] = [
      [
        'another site',
        () => put('other', 'hcmc-d1', jpeg, jpegHeaders(ts)),
        403,
        /da-nang may not send views/,
      ],
      ['a person', () => put('viewer', 'hcmc-d1', jpeg, jpegHeaders(ts)), 403, /./],
      [
        'a PNG named image/jpeg',
        () => put('edge', 'hcmc-d1', png, jpegHeaders(ts)),
        400,
        /not a JPEG .*89504e47/,
      ],
      [
        'a truncated JPEG',
        () => put('edge', 'hcmc-d1', jpeg.subarray(0, jpeg.length >> 1), jpegHeaders(ts)),
        400,
        /does not decode/,
      ],
      [
        'text',
        () => put('edge', 'hcmc-d1', 'hello', { ...jpegHeaders(ts), 'content-type': 'text/plain' }),
        415,
        /./,
      ],
      ['3 MB', () => put('edge', 'hcmc-d1', Buffer.alloc(3 << 20, 0xff), jpegHeaders(ts)), 413, /./],
      [
        'no frame time',
        () => put('edge', 'hcmc-d1', jpeg, { 'content-type': 'image/jpeg' }),
        400,
        /x-matthan-frame-ts/,
      ],
      [
        'a frame from the future',
        () => put('edge', 'hcmc-d1', jpeg, jpegHeaders(ts + 3_600_000)),
        400,
        /x-matthan-frame-ts \d+ is more than 5 minutes ahead/,
      ],
    ];
    const before = (await scenes())[0]!.view!;
    for (const [what, send, status, message] of cases) {
      const r = await send();
      expect(r.statusCode, what).toBe(status);
      expect(r.body, what).toMatch(message);
    }
    expect((await scenes())[0]!.view).toEqual(before);
    expect((await view()).statusCode).toBe(200);
  }, 60_000);

  it.each([
    ['empty', () => Buffer.alloc(0), /not a JPEG \(starts empty/],
    [
      'JPEG magic then garbage',
      () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 7)]),
      /does not decode/,
    ],
    [
      'an 8x8 JPEG',
      async () =>
        sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
          .jpeg()
          .toBuffer(),
      /8x8 px; a view is 16\.\.4096/,
    ],
    [
      'a 64x48 JPEG',
      async () =>
        sharp({ create: { width: 64, height: 48, channels: 3, background: '#000' } })
          .jpeg()
          .toBuffer(),
      undefined,
    ],
  ] as const)('checkViewJpeg: %s', async (_what, make, problem) => {
    const got = await checkViewJpeg(await make());
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(problem);
  });
});
