// Evidence end to end with real parts: the edge plays the HCMC clip with its segment ring on, events mint evidence
// ids, snapshots and clips are cut from the ring and uploaded to central, and a viewer downloads them.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { parseConfig } from '../../config/load.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import { type EdgeHandle, startEdge } from '../../edge/main.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { tempDir } from '../helpers/fixtures.ts';

const creds = new TestCredentials();
const box = creds.box('hcmc-d1');
const EDGE_TOKEN = box.token;
const VIEWER_TOKEN = creds.person('viewer', 'viewer').token;

interface IncidentEvidence {
  id: string;
  evidence: { snapshot?: string; snapshotClean?: string; clip?: string; best?: string } | null;
}

describe('evidence end to end: ring -> snapshots + clip -> upload -> viewer download', {
  timeout: 240_000,
}, () => {
  const dir = tempDir('matthan-ev-e2e-');
  let central: CentralHandle;
  let edge: EdgeHandle;
  let incidents: IncidentEvidence[] = [];

  beforeAll(async () => {
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
central: { url: ${central.url}, token: ${EDGE_TOKEN}, retryMaxS: 2 }
evidence: { preRollS: 2, postRollS: 2, captureTimeoutS: 3 }
cameras:
  - id: cam-a
    source: { url: media:hcmc_intersection_1080p.mp4, realtime: true, loop: false }
    ring: { enabled: true, seconds: 30, segmentS: 2 }
    fps: 5
    zones: [{ id: waiting-area, polygon: [[0, 0.45], [1, 0.45], [1, 1], [0, 1]] }]
    rules: [{ id: queue-dwell, type: zone_dwell, zone: waiting-area, classes: [car, bus, truck], dwellS: 2 }]
`,
      'ev-e2e.yaml',
      EdgeConfigSchema,
    );
    edge = await startEdge(config);
    await edge.ended;
    // Captures finish after the post-roll (or the capture deadline), then uploads drain.
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const d = edge.stats().delivery;
      if (d.evidenceQueued === 0 && d.evidenceUploaded > 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await edge.stop();
    const res = await central.app.inject({
      method: 'GET',
      url: '/api/incidents?limit=500',
      headers: { authorization: `Bearer ${VIEWER_TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
    incidents = (res.json() as { items: IncidentEvidence[] }).items;
  }, 240_000);

  afterAll(async () => {
    await central?.stop();
  });

  it('every incident references snapshots and a clip, and central holds every referenced file', () => {
    expect(incidents.length).toBeGreaterThan(0);
    const stored = new Set(central.evidence.list().map((m) => m.id));
    for (const inc of incidents) {
      expect(inc.evidence).toMatchObject({
        snapshot: expect.any(String),
        snapshotClean: expect.any(String),
        clip: expect.any(String),
      });
      for (const id of Object.values(inc.evidence!)) expect(stored.has(id)).toBe(true);
    }
    // Events that ended on their own (not at shutdown) also have a best-frame snapshot, when the most
    // confident frame was not the start frame.
    const withBest = incidents.filter((i) => i.evidence?.best);
    expect(withBest.length).toBeGreaterThan(0);
    for (const inc of withBest) expect(inc.evidence!.best).toMatch(/_b$/);
    const d = edge.stats().delivery;
    expect(d.evidenceTrimmed).toBe(0);
    expect(d.evidenceQueued).toBe(0);
  });

  it('the edge declared the sha256 of the files it captured before the event ended, and central holds exactly those bytes', () => {
    const db = new Database(path.join(dir, 'central.sqlite'), { readonly: true });
    const rows = db
      .prepare(
        'SELECT r.evidence_id AS id, r.sha256 AS declared, e.sha256 AS stored FROM evidence_refs r JOIN evidence e ON e.id = r.evidence_id',
      )
      .all() as { id: string; declared: string | null; stored: string }[];
    db.close();
    const declared = rows.filter((r) => r.declared !== null);
    expect(declared.length).toBeGreaterThan(0);
    for (const r of declared) expect(r.stored, r.id).toBe(r.declared);
  });

  it('a viewer downloads a full-resolution snapshot and a playable H.264 clip (with a Range request)', async () => {
    const inc = incidents[0]!;
    const auth = { authorization: `Bearer ${VIEWER_TOKEN}` };
    const snap = await central.app.inject({
      method: 'GET',
      url: `/api/evidence/${inc.evidence!.snapshot}`,
      headers: auth,
    });
    expect(snap.statusCode).toBe(200);
    expect(snap.headers['content-type']).toBe('image/jpeg');
    const meta = await sharp(snap.rawPayload).metadata();
    expect([meta.width, meta.height]).toEqual([1920, 1080]);
    const clip = await central.app.inject({
      method: 'GET',
      url: `/api/evidence/${inc.evidence!.clip}`,
      headers: auth,
    });
    expect(clip.statusCode).toBe(200);
    expect(clip.headers['content-type']).toBe('video/mp4');
    const file = path.join(dir, 'downloaded.mp4');
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
    ) as { format: { duration: string }; streams: { codec_name: string }[] };
    expect(probe.streams.map((s) => s.codec_name)).toEqual(['h264']);
    expect(Number(probe.format.duration)).toBeGreaterThan(1);
    expect(Number(probe.format.duration)).toBeLessThanOrEqual(2 + 2 + 1);
    const part = await central.app.inject({
      method: 'GET',
      url: `/api/evidence/${inc.evidence!.clip}`,
      headers: { ...auth, range: 'bytes=0-1023' },
    });
    expect(part.statusCode).toBe(206);
    expect(part.rawPayload.length).toBe(1024);
    expect(part.rawPayload.equals(clip.rawPayload.subarray(0, 1024))).toBe(true);
  });

  it('enforces roles on evidence: no token 401, the edge token cannot read, a viewer cannot upload', async () => {
    const id = incidents[0]!.evidence!.snapshot!;
    expect((await central.app.inject({ method: 'GET', url: `/api/evidence/${id}` })).statusCode).toBe(401);
    expect(
      (
        await central.app.inject({
          method: 'GET',
          url: `/api/evidence/${id}`,
          headers: { authorization: `Bearer ${EDGE_TOKEN}` },
        })
      ).statusCode,
    ).toBe(403);
    const put = await central.app.inject({
      method: 'PUT',
      url: '/api/evidence/evt-viewer-upload_s',
      headers: { authorization: `Bearer ${VIEWER_TOKEN}`, 'content-type': 'image/jpeg' },
      payload: Buffer.alloc(100, 1),
    });
    expect(put.statusCode).toBe(403);
  });
});
