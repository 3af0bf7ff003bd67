// Real incidents for the browser tests: the real edge (yolox_nano, ByteTrack, red-light and zone-dwell rules, segment
// ring, evidence capture) runs once on the HCMC intersection clip against a real central; the event payloads it
// published, the evidence files it uploaded and the camera scene it reported are kept on disk, so every browser
// test file can feed its own central with them through the real ingest and upload routes.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { startCentral } from '../../central/main.ts';
import { parseConfig } from '../../config/load.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import { startEdge } from '../../edge/main.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { REPO_ROOT, tempDir } from '../helpers/fixtures.ts';

/** Bump when the edge config below changes, so a stale recording is not reused. */
const RECORDING_VERSION = 'v5';
export const RECORDING_DIR = path.join(REPO_ROOT, '.tmp', `e2e-recording-${RECORDING_VERSION}`);

export const SITE = 'hcmc-d1';
export const CAMERA = 'cam-nguyen-hue-01';
export const CAMERA_NAME = 'Ngã tư Nguyễn Huệ – Lê Lợi';
export const CAMERA_LOCATION = { lat: 10.77413, lon: 106.70036 };
// The recording's own identities (the box's login to the embedded broker, its upload token, a viewer).
const creds = new TestCredentials();
const box = creds.box(SITE, 'edge-d1');
const viewer = creds.person('viewer', 'recorder');

export interface Recording {
  /** Raw MQTT payloads of the edge's event messages, in the order the broker delivered them. */
  events: string[];
  evidence: { id: string; contentType: string; file: string }[];
  scenes: { site: string; camera: string; scene: unknown }[];
  /** The live view each camera sent (a JPEG from its ring), as central held it at the end. */
  views: { site: string; camera: string; frameTs: number; file: string }[];
}

const edgeYaml = (dir: string, centralUrl: string, brokerUrl: string) => `
site: ${SITE}
dataDir: ${path.join(dir, 'edge')}
broker: { url: ${brokerUrl}, username: ${box.name}, password: ${box.mqttPassword} }
http: { port: 0 }
central: { url: ${centralUrl}, token: ${box.token}, retryMaxS: 2 }
evidence: { preRollS: 3, postRollS: 3, captureTimeoutS: 4 }
cameras:
  - id: ${CAMERA}
    name: "${CAMERA_NAME}"
    location: { lat: ${CAMERA_LOCATION.lat}, lon: ${CAMERA_LOCATION.lon} }
    source: { url: media:hcmc_intersection_1080p.mp4, realtime: true, loop: false }
    ring: { enabled: true, seconds: 30, segmentS: 2 }
    fps: 5
    signal: { source: fixed, state: red }
    lines:
      - { id: stop-line, name: "Vạch dừng trước vạch đi bộ", points: [[0.0, 0.630], [1.0, 0.665]] }
    zones:
      - { id: waiting-area, name: "Khu vực chờ đèn", polygon: [[0.0, 0.45], [1.0, 0.45], [1.0, 1.0], [0.0, 1.0]] }
    rules:
      - { id: red-light, name: "Vượt đèn đỏ hướng Lê Lợi", type: red_light, line: stop-line, approachPoint: [0.5, 0.9],
          classes: [car, motorcycle, bus, truck], debounceFrames: 2, graceS: 0, cooldownS: 30 }
      - { id: queue-dwell, name: "Dừng lâu ở khu chờ", type: zone_dwell, zone: waiting-area,
          classes: [car, motorcycle, bus, truck], dwellS: 2, cooldownS: 30 }
`;

async function until(
  ok: () => boolean,
  what: string,
  timeoutMs: number,
  detail?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline)
      throw new Error(`recording: timed out waiting for ${what}${detail ? ` (${detail()})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function record(out: string): Promise<void> {
  const dir = tempDir('matthan-e2e-rec-');
  const central = await startCentral(
    defaultCentralConfig({
      http: { host: '127.0.0.1', port: 0 },
      ...creds.central(),
      broker: { ...creds.central().broker, url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
      database: { path: path.join(dir, 'central.sqlite') },
      evidence: { dir: path.join(dir, 'evidence'), retentionDays: 0, maxBytes: 0 },
    }),
  );
  const events: string[] = [];
  const tap = await mqtt.connectAsync(central.brokerUrl, { ...creds.centralMqtt, protocolVersion: 4 });
  tap.on('message', (_topic, payload) => events.push(payload.toString()));
  await tap.subscribeAsync('matthan/v1/+/+/events', { qos: 1 });
  await central.subscribed;
  const config = parseConfig(
    edgeYaml(dir, central.url, central.brokerUrl),
    'e2e-recording.yaml',
    EdgeConfigSchema,
  );
  const edge = await startEdge(config);
  try {
    await edge.ended;
    await until(
      () => edge.stats().delivery.evidenceQueued === 0 && edge.stats().delivery.evidenceUploaded > 0,
      'evidence uploads',
      // Alone this takes ~40 s; beside the whole suite on a 2-core box, captures and plate reads queue for minutes.
      360_000,
      () => JSON.stringify(edge.stats().delivery),
    );
  } finally {
    await edge.stop();
  }
  await until(
    () => central.ingest.counters.stored >= events.length && events.length > 0,
    'events stored',
    10_000,
  );
  await tap.endAsync();
  mkdirSync(path.join(out, 'evidence'), { recursive: true });
  const evidence = central.evidence.list().map((m) => {
    const file = path.join(out, 'evidence', m.id);
    copyFileSync(central.evidence.get(m.id)!.file!, file);
    return { id: m.id, contentType: m.contentType, file: path.basename(file) };
  });
  const res = await fetch(`${central.url}/api/cameras/scenes`, {
    headers: { authorization: `Bearer ${viewer.token}` },
  });
  const listed = (await res.json()) as { site: string; camera: string; view?: { ts: number } }[];
  const scenes = listed.map((s) => {
    const {
      site,
      camera,
      receivedAt: _r,
      sha256: _h,
      snapshot: _s,
      view: _v,
      ...scene
    } = s as Record<string, unknown>;
    return { site: site as string, camera: camera as string, scene };
  });
  // The edge sends each camera's view once its ring holds a segment, a few seconds into the clip.
  const views: Recording['views'] = [];
  mkdirSync(path.join(out, 'views'), { recursive: true });
  for (const s of listed) {
    if (!s.view) throw new Error(`recording: no live view from ${s.site}/${s.camera} reached central`);
    const r = await fetch(`${central.url}/api/cameras/${s.site}/${s.camera}/view.jpg`, {
      headers: { authorization: `Bearer ${viewer.token}` },
    });
    if (r.status !== 200) throw new Error(`recording: view of ${s.camera}: HTTP ${r.status}`);
    const file = `${s.site}-${s.camera}.jpg`;
    writeFileSync(path.join(out, 'views', file), Buffer.from(await r.arrayBuffer()));
    views.push({ site: s.site, camera: s.camera, frameTs: s.view.ts, file });
  }
  writeFileSync(path.join(out, 'recording.json'), JSON.stringify({ events, evidence, scenes, views }));
  await central.stop();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The recording, made on first use (about 40 s: 10 s of clip in real time, captures, uploads). Test files run in
 * parallel workers: the first takes a lock directory, the others wait for its result.
 */
export async function recordedRun(): Promise<Recording> {
  const done = path.join(RECORDING_DIR, 'recording.json');
  const lock = `${RECORDING_DIR}.lock`;
  mkdirSync(path.dirname(RECORDING_DIR), { recursive: true });
  if (!existsSync(done)) {
    let mine = false;
    try {
      mkdirSync(lock);
      mine = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (mine) {
      try {
        rmSync(RECORDING_DIR, { recursive: true, force: true });
        mkdirSync(RECORDING_DIR, { recursive: true });
        await record(RECORDING_DIR);
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    } else {
      await until(() => existsSync(done) || !existsSync(lock), 'the recording of another test file', 480_000);
      if (!existsSync(done)) throw new Error('recording: the test file that made it failed');
    }
  }
  const rec = JSON.parse(readFileSync(done, 'utf8')) as Recording;
  return {
    ...rec,
    evidence: rec.evidence.map((e) => ({ ...e, file: path.join(RECORDING_DIR, 'evidence', e.file) })),
    views: rec.views.map((v) => ({ ...v, file: path.join(RECORDING_DIR, 'views', v.file) })),
  };
}
