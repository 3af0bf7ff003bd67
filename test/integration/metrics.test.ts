// Scrapes /metrics on both sides during a real demo run (the `matthan demo` process, real clip and model).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/fixtures.ts';

/** Parses Prometheus text: metric name (with labels) -> value. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

const sum = (m: Map<string, number>, name: string) =>
  [...m].filter(([k]) => k === name || k.startsWith(`${name}{`)).reduce((n, [, v]) => n + v, 0);

describe('metrics during a demo run', () => {
  let demo: ChildProcessWithoutNullStreams;
  let edgeUrl = '';
  let centralUrl = '';

  beforeAll(async () => {
    demo = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/matthan.js'), 'demo', '--duration', '120'], {
      env: { ...process.env, MATTHAN_DEMO_PORT: '0', MATTHAN_LOG_LEVEL: 'warn' },
    });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`demo did not print its metrics URLs:\n${stderr}`)),
        30_000,
      );
      demo.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = /metrics: edge (\S+)\/metrics, central (\S+)\/metrics/.exec(stderr);
        if (m) {
          edgeUrl = m[1]!;
          centralUrl = m[2]!;
          clearTimeout(timer);
          resolve();
        }
      });
      demo.once('exit', (code) => reject(new Error(`demo exited early (${code}):\n${stderr}`)));
    });
    // Polled (deadline 45 s) until the pipeline has stored an incident (dwell 2 s) and analysed a few frames.
    const deadline = Date.now() + 45_000;
    for (;;) {
      const [edge, central] = await Promise.all(
        [edgeUrl, centralUrl].map(async (u) => parseMetrics(await (await fetch(`${u}/metrics`)).text())),
      );
      if (
        sum(central!, 'matthan_central_incidents_created_total') > 0 &&
        sum(edge!, 'matthan_edge_frames_processed_total') > 10
      )
        break;
      if (Date.now() > deadline)
        throw new Error('no incident stored at central within 45 s of the demo start');
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 90_000);

  afterAll(() => {
    demo?.kill('SIGTERM');
  });

  it('edge /metrics has stage latencies, frame counters and the broker state', async () => {
    const res = await fetch(`${edgeUrl}/metrics`);
    expect(res.status).toBe(200);
    const m = parseMetrics(await res.text());
    expect(sum(m, 'matthan_edge_frames_in_total')).toBeGreaterThan(10);
    expect(sum(m, 'matthan_edge_frames_processed_total')).toBeGreaterThan(10);
    expect(sum(m, 'matthan_edge_detections_total')).toBeGreaterThan(0);
    expect(sum(m, 'matthan_edge_events_published_total')).toBeGreaterThan(0);
    expect(m.get('matthan_edge_broker_connected')).toBe(1);
    // Gauges that are legitimately 0 on a healthy one-camera demo: present, with a value.
    for (const gauge of [
      'matthan_edge_detector_queue_depth',
      'matthan_edge_outbox_events',
      'matthan_edge_outbox_bytes',
    ]) {
      expect(Number.isFinite(m.get(gauge)), gauge).toBe(true);
    }
    expect(m.get('matthan_edge_camera_online{camera="cam-nguyen-hue-01"}')).toBe(1);
    for (const stage of ['preprocess', 'inference', 'postprocess', 'track', 'rules']) {
      const count = [...m].find(
        ([k]) => k.startsWith('matthan_edge_stage_seconds_count') && k.includes(`stage="${stage}"`),
      );
      expect(count?.[1], stage).toBeGreaterThan(0);
      const total = [...m].find(
        ([k]) => k.startsWith('matthan_edge_stage_seconds_sum') && k.includes(`stage="${stage}"`),
      );
      expect(total?.[1], stage).toBeGreaterThan(0);
    }
    expect((await fetch(`${edgeUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${edgeUrl}/readyz`)).status).toBe(200);
  });

  it('central /metrics has ingest counters and the broker state', async () => {
    const res = await fetch(`${centralUrl}/metrics`);
    expect(res.status).toBe(200);
    const m = parseMetrics(await res.text());
    expect(sum(m, 'matthan_central_messages_received_total')).toBeGreaterThan(0);
    expect(sum(m, 'matthan_central_events_stored_total')).toBeGreaterThan(0);
    expect(sum(m, 'matthan_central_incidents_created_total')).toBeGreaterThan(0);
    expect(m.get('matthan_central_broker_connected')).toBe(1);
    expect((await fetch(`${centralUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${centralUrl}/readyz`)).status).toBe(200);
  });
});
