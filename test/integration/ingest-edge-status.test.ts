// The whole edge box on a real RTSP camera with an in-process aedes broker: camera status is published retained on
// the status topic (online, offline with a reason while the camera is down, online again, offline at shutdown),
// and the camera's segment ring fills {dataDir}/ring/{camera}/.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../central/broker/embedded-broker.ts';
import { parseConfig } from '../../config/load.ts';
import { type StatusMessage, Topics } from '../../contract/index.ts';
import { EdgeConfigSchema } from '../../edge/config/schema.ts';
import { type EdgeHandle, startEdge } from '../../edge/main.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { media, tempDir } from '../helpers/fixtures.ts';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

const PASSWORD = 'edge-St4tus-pw';

async function until(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Subscribes and resolves with the first message (the retained one, if any). */
const creds = new TestCredentials();
const box = creds.box('hcmc-d1');

async function retained(url: string, topic: string): Promise<StatusMessage | undefined> {
  const client = await mqtt.connectAsync(url, creds.centralMqtt);
  try {
    const got = new Promise<StatusMessage | undefined>((resolve) => {
      client.on('message', (_t, payload) => resolve(JSON.parse(payload.toString()) as StatusMessage));
      setTimeout(() => resolve(undefined), 2000);
    });
    await client.subscribeAsync(topic, { qos: 1 });
    return await got;
  } finally {
    await client.endAsync();
  }
}

describe('edge camera status over MQTT, with a real RTSP camera', () => {
  let broker: EmbeddedBroker;
  let camera: RtspServer;
  let edge: EdgeHandle;
  let watcher: MqttClient;
  const statuses: StatusMessage[] = [];
  const dataDir = tempDir('matthan-edge-status-');
  const topic = Topics.status('hcmc-d1', 'cam-rtsp');

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ accounts: creds.accounts() });
    camera = await startRtspServer({
      file: media('hcmc_intersection_1080p.mp4'),
      user: 'admin',
      password: PASSWORD,
      loops: 6,
    });
    watcher = await mqtt.connectAsync(broker.url, creds.centralMqtt);
    watcher.on('message', (_t, payload) => statuses.push(JSON.parse(payload.toString()) as StatusMessage));
    await watcher.subscribeAsync(topic, { qos: 1 });
    const config = parseConfig(
      `
site: hcmc-d1
dataDir: ${dataDir}
broker: { url: ${broker.url}, username: ${box.name}, password: ${box.mqttPassword} }
http: { host: 127.0.0.1, port: 0 }
cameras:
  - id: cam-rtsp
    source: { url: "${camera.url}", stallTimeoutS: 4 }
    ring: { enabled: true, seconds: 6, segmentS: 2 }
    fps: 5
`,
      'edge-status.yaml',
      EdgeConfigSchema,
    );
    edge = await startEdge(config);
  }, 60_000);

  afterAll(async () => {
    await watcher?.endAsync();
    await camera?.stop();
    await broker?.close();
  });

  it('publishes online, then offline with a reason while the camera is down, then online again', async () => {
    await until('online', () => statuses.some((s) => s.state === 'online'));
    await until('frames', () => (edge.stats().cameras['cam-rtsp']?.framesProcessed ?? 0) >= 5);
    await camera.stop();
    await until('offline', () => statuses.at(-1)?.state === 'offline');
    await new Promise((r) => setTimeout(r, 5000));
    await camera.restart();
    await until('online again', () => statuses.at(-1)?.state === 'online', 45_000);
    const processed = edge.stats().cameras['cam-rtsp']!.framesProcessed;
    await until('frames again', () => edge.stats().cameras['cam-rtsp']!.framesProcessed >= processed + 5);

    const states = statuses.map((s) => s.state);
    expect(states[0]).toBe('online');
    expect(states.at(-1)).toBe('online');
    const offline = statuses.filter((s) => s.state === 'offline');
    expect(offline.length).toBeGreaterThan(0);
    for (const s of offline) {
      expect(s.reason).toMatch(/^(stream ended|unreachable|stalled): /);
      expect(s.reason).not.toContain(PASSWORD);
      expect(s.camera).toBe('cam-rtsp');
      expect(s.site).toBe('hcmc-d1');
    }
    // A late subscriber (central after a restart) gets the current state at once: it is retained.
    expect((await retained(broker.url, topic))?.state).toBe('online');
  }, 120_000);

  it('keeps the last seconds of video in the ring directory under dataDir', () => {
    const files = readdirSync(path.join(dataDir, 'ring', 'cam-rtsp')).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    // 6 s of segments that close at the first keyframe after 2 s (keyframes every ~0.37 s here): at most 3 to 4
    // complete ones, plus the one being written.
    expect(files.length).toBeLessThanOrEqual(5);
  });

  it('leaves "offline" retained when the box shuts down', async () => {
    await edge.stop();
    const last = await retained(broker.url, topic);
    expect(last?.state).toBe('offline');
    expect(last?.reason).toMatch(/^stopped/);
  });
});
