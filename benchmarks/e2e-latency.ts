// End-to-end latency: frame timestamp -> incident stored in central, with the rule's dwell set to zero.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { defaultCentralConfig } from '../central/config/load.ts';
import { startCentral } from '../central/main.ts';
import { startEdge } from '../edge/main.ts';
import { benchBox, benchEdgeConfig, percentile, round, sleep } from './bench-util.ts';

/** `detector` overrides the default detector fields (to compare input shapes). */
export async function benchE2eLatency(durationMs = 30_000, detector?: Record<string, unknown>) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'matthan-bench-e2e-'));
  const dbFile = path.join(dir, 'central.sqlite');
  const box = benchBox();
  const central = await startCentral(
    defaultCentralConfig({
      http: { host: '127.0.0.1', port: 0 },
      broker: { url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
      database: { path: dbFile },
      edges: [box],
    }),
  );
  const edge = await startEdge(
    benchEdgeConfig({
      brokerUrl: central.brokerUrl,
      brokerLogin: { username: box.name, password: box.mqttPassword },
      clip: 'hcmc_intersection_1080p.mp4',
      cameras: 1,
      detector,
      zones: [
        {
          id: 'all',
          polygon: [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1],
          ],
        },
      ],
      // dwellS 0: the latency measured is the pipeline's, not the rule's waiting time.
      rules: [
        {
          id: 'present',
          type: 'zone_dwell',
          zone: 'all',
          dwellS: 0,
          classes: ['car', 'motorcycle', 'bus', 'truck'],
        },
      ],
    }),
  );
  await sleep(durationMs);
  await edge.stop();
  await sleep(1000);
  await central.stop();
  const db = new Database(dbFile, { readonly: true });
  // received_at is taken when central stores the event; ts is the frame's timestamp at the edge.
  const rows = db.prepare("SELECT received_at - ts AS ms FROM events WHERE phase = 'start'").all() as {
    ms: number;
  }[];
  db.close();
  const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
  return {
    events: ms.length,
    p50Ms: round(percentile(ms, 50), 1),
    p95Ms: round(percentile(ms, 95), 1),
    maxMs: round(ms.at(-1) ?? Number.NaN, 1),
  };
}
