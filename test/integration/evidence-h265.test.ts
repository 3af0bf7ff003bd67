// Evidence from an H.265 RTSP camera (GStreamer serving the HCMC clip re-encoded with libx265): the edge's ring
// copies H.265, and every incident at central gets full-resolution snapshots and a clip every browser plays
// (H.264, transcoded by default), uploaded and stored.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { parseConfig } from '../../config/load.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import { type EdgeHandle, startEdge } from '../../edge/main.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { media, tempDir } from '../helpers/fixtures.ts';
import { h265Clip, type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

const creds = new TestCredentials();
const box = creds.box('hcmc-d1');
const VIEWER_TOKEN = creds.person('viewer', 'viewer').token;

interface Incident {
  id: string;
  evidence: { snapshot?: string; snapshotClean?: string; clip?: string } | null;
}

describe('evidence from an H.265 RTSP camera', { timeout: 300_000 }, () => {
  const dir = tempDir('matthan-ev-h265-');
  let central: CentralHandle;
  let edge: EdgeHandle;
  let server: RtspServer;
  let incidents: Incident[] = [];
  const auth = { authorization: `Bearer ${VIEWER_TOKEN}` };

  const incidentsAtCentral = async () => {
    const res = await central.app.inject({ method: 'GET', url: '/api/incidents?limit=500', headers: auth });
    expect(res.statusCode).toBe(200);
    return (res.json() as { items: Incident[] }).items;
  };
  const complete = (list: Incident[], stored: Set<string>) =>
    list.every((i) => [i.evidence?.snapshot, i.evidence?.clip].every((id) => id && stored.has(id)));

  beforeAll(async () => {
    server = await startRtspServer({
      file: await h265Clip(media('hcmc_intersection_1080p.mp4')),
      codec: 'h265',
      loops: 2,
    });
    central = await startCentral(
      defaultCentralConfig({
        http: { host: '127.0.0.1', port: 0 },
        ...creds.central(),
        broker: { ...creds.central().broker, url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
        database: { path: path.join(dir, 'central.sqlite') },
        evidence: { dir: path.join(dir, 'central-evidence'), retentionDays: 30, maxBytes: 0 },
      }),
    );
    const config = parseConfig(
      `
site: hcmc-d1
dataDir: ${path.join(dir, 'edge')}
broker: { url: ${central.brokerUrl}, username: ${box.name}, password: ${box.mqttPassword} }
http: { port: 0 }
central: { url: ${central.url}, token: ${box.token}, retryMaxS: 2 }
evidence: { preRollS: 2, postRollS: 2 }
cameras:
  - id: cam-h265
    source: { url: ${server.url} }
    fps: 5
    # Not under test here, and a stream joined mid-GOP can hand it a damaged first frame as its reference.
    viewGuard: { enabled: false }
    zones: [{ id: waiting-area, polygon: [[0, 0.45], [1, 0.45], [1, 1], [0, 1]] }]
    rules: [{ id: queue-dwell, type: zone_dwell, zone: waiting-area, classes: [car, motorcycle, bus, truck], dwellS: 1 }]
`,
      'ev-h265.yaml',
      EdgeConfigSchema,
    );
    edge = await startEdge(config);
    // The camera serves the clip twice (about 21 s; a reconnect would play it again, so it stops then); then
    // every capture is cut and uploaded.
    const deadline = Date.now() + 240_000;
    let serverStopped = false;
    for (;;) {
      const s = edge.stats();
      if (!serverStopped && (s.cameras['cam-h265']?.framesIn ?? 0) >= 5 * 18) {
        await server.stop();
        serverStopped = true;
      }
      const stored = new Set(central.evidence.list().map((m) => m.id));
      const list = await incidentsAtCentral();
      const idle = s.evidence?.backlog === 0 && s.delivery.evidenceQueued === 0;
      if (serverStopped && list.length > 0 && idle && complete(list, stored)) break;
      if (Date.now() > deadline)
        throw new Error(
          `evidence not complete: ${JSON.stringify({ incidents: list.length, frames: s.cameras, ...s.evidence })}`,
        );
      await new Promise((r) => setTimeout(r, 500));
    }
    await edge.stop();
    incidents = await incidentsAtCentral();
  }, 300_000);

  afterAll(async () => {
    await central?.stop();
    await server?.stop();
  });

  it('every incident has its snapshots and clip stored at central, and none was given up', () => {
    expect(incidents.length).toBeGreaterThan(2);
    const stored = new Set(central.evidence.list().map((m) => m.id));
    for (const inc of incidents) {
      expect(inc.evidence, inc.id).toMatchObject({
        snapshot: expect.any(String),
        snapshotClean: expect.any(String),
        clip: expect.any(String),
      });
      for (const id of Object.values(inc.evidence!)) expect(stored.has(id), `${inc.id}: ${id}`).toBe(true);
    }
    const lost = edge.stats().evidence!.counters.lost;
    expect(Object.values(lost).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('the clip is H.264 that every browser plays, cut from the H.265 ring; the snapshot is the full 720p frame', async () => {
    const inc = incidents[0]!;
    const clip = await central.app.inject({
      method: 'GET',
      url: `/api/evidence/${inc.evidence!.clip}`,
      headers: auth,
    });
    expect(clip.statusCode).toBe(200);
    const file = path.join(dir, 'clip.mp4');
    writeFileSync(file, clip.rawPayload);
    const probe = JSON.parse(
      execFileSync('ffprobe', [
        '-v',
        'error',
        '-show_format',
        '-show_streams',
        '-of',
        'json',
        file,
      ]).toString(),
    ) as { format: { duration: string }; streams: { codec_name: string; pix_fmt: string; height: number }[] };
    expect(probe.streams.map((s) => [s.codec_name, s.pix_fmt, s.height])).toEqual([['h264', 'yuv420p', 720]]);
    expect(Number(probe.format.duration)).toBeGreaterThan(1);
    const snap = await central.app.inject({
      method: 'GET',
      url: `/api/evidence/${inc.evidence!.snapshot}`,
      headers: auth,
    });
    expect(snap.statusCode).toBe(200);
    const meta = await sharp(snap.rawPayload).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1280, 720]);
    const ring = edge.stats();
    expect(ring.evidence!.counters.clips).toBeGreaterThanOrEqual(incidents.length);
  });
});
