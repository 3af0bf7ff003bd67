// Edge status through a real mosquitto: retained online + heartbeats while up, camera status, and the broker
// publishing the box's last will when the edge process dies (kill -9), then online again after a restart.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusMessage } from '../../contract/index.ts';
import { REPO_ROOT, tempDir } from '../helpers/fixtures.ts';
import { Mosquitto, stopAllMosquittos } from '../helpers/mosquitto.ts';

const DRIVER = path.join(REPO_ROOT, 'test/helpers/fault-edge-driver.ts');

describe('edge status: heartbeat, camera status, last will', () => {
  const dir = tempDir('matthan-status-');
  let mq: Mosquitto;
  let watcher: MqttClient;
  let edge: ChildProcess | undefined;
  const seen: StatusMessage[] = [];

  const startEdge = () => {
    edge = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        DRIVER,
        JSON.stringify({
          config: {
            site: 'status-site',
            dataDir: path.join(dir, 'edge'),
            broker: { url: mq.url, clientId: 'status-edge', keepaliveS: 5 },
            outbox: { heartbeatS: 1 },
            cameras: [{ id: 'cam-s', source: { url: 'rtsp://127.0.0.1:1/unused' } }],
          },
          total: 3,
          ratePerS: 5,
          progressFile: path.join(dir, 'progress'),
          clipFile: path.join(REPO_ROOT, 'package.json'), // any file: these events' evidence is not under test
          camera: 'cam-s',
        }),
      ],
      { cwd: REPO_ROOT, stdio: 'ignore', env: { ...process.env, MATTHAN_LOG_LEVEL: 'error' } },
    );
  };
  const edgeStatuses = () => seen.filter((s) => s.camera === '_edge');
  const waitFor = async (what: string, cond: () => boolean, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(seen.slice(-5))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    mq = await Mosquitto.start();
    watcher = await mqtt.connectAsync(mq.url, { clientId: 'status-watcher' });
    watcher.on('message', (_topic, payload) => seen.push(JSON.parse(payload.toString()) as StatusMessage));
    await watcher.subscribeAsync('matthan/v1/status-site/+/status', { qos: 1 });
    startEdge();
  });

  afterAll(async () => {
    edge?.kill('SIGKILL');
    await watcher?.endAsync(true);
    await stopAllMosquittos();
  });

  it('publishes online, then heartbeats with increasing times, and the camera status', async () => {
    await waitFor(
      'three online statuses of the box',
      () => edgeStatuses().filter((s) => s.state === 'online').length >= 3,
    );
    const online = edgeStatuses().filter((s) => s.state === 'online');
    for (let i = 1; i < online.length; i++) expect(online[i]!.ts).toBeGreaterThan(online[i - 1]!.ts);
    await waitFor('camera online', () => seen.some((s) => s.camera === 'cam-s' && s.state === 'online'));
  });

  it('has the broker publish the retained last will when the edge dies, and goes online again after a restart', async () => {
    edge!.kill('SIGKILL');
    await waitFor('last will', () => edgeStatuses().at(-1)?.state === 'offline');
    expect(edgeStatuses().at(-1)).toMatchObject({
      site: 'status-site',
      state: 'offline',
      reason: 'connection lost (last will)',
    });
    // Retained: a client that connects later still learns the box is offline.
    const late = await mqtt.connectAsync(mq.url, { clientId: 'status-late' });
    const retained = new Promise<StatusMessage>((resolve) =>
      late.on('message', (_t, p, packet) => {
        if (packet.retain) resolve(JSON.parse(p.toString()) as StatusMessage);
      }),
    );
    await late.subscribeAsync('matthan/v1/status-site/_edge/status', { qos: 1 });
    expect((await retained).state).toBe('offline');
    await late.endAsync(true);
    const before = edgeStatuses().length;
    startEdge();
    await waitFor(
      'online after restart',
      () => edgeStatuses().length > before && edgeStatuses().at(-1)?.state === 'online',
    );
  });
});
