// Central ingest throughput: events/s through validate+dedup+store over a real broker, next to the broker's own
// delivery rate to a subscriber that does nothing, and the store's in-process ceiling (batched vs per message).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import type { BrokerAccount } from '../central/broker/broker-accounts.ts';
import { startEmbeddedBroker } from '../central/broker/embedded-broker.ts';
import { defaultCentralConfig } from '../central/config/load.ts';
import { InflightMarkers } from '../central/ingest/inflight-markers.ts';
import { IngestService } from '../central/ingest/ingest-service.ts';
import { startCentral } from '../central/main.ts';
import { CameraStatusStore } from '../central/store/camera-status-store.ts';
import { openDatabase } from '../central/store/database.ts';
import { IncidentStore } from '../central/store/incident-store.ts';
import { QuarantineStore } from '../central/store/quarantine-store.ts';
import { Topics } from '../contract/index.ts';
import { logger } from '../lib/log.ts';
import { type CentralLoad, centralLoad } from '../test/helpers/central-load.ts';
import { Mosquitto } from '../test/helpers/mosquitto.ts';
import { round } from './bench-util.ts';

const PUBLISHER = fileURLToPath(new URL('./central-publisher.ts', import.meta.url));
const MIX = { dupFraction: 0.2, malformedFraction: 0.05 };

const TARGET_EVENTS_PER_S = 5_000;
const PUBLISH_WINDOW = 500;
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'matthan-bench-central-'));
// The embedded broker admits only known users: central, and one load publisher allowed on every site's topics.
const CENTRAL_MQTT = { username: 'matthan-central', password: randomBytes(24).toString('base64url') };
const LOAD_MQTT = { username: 'bench-load', password: randomBytes(24).toString('base64url') };
const BENCH_ACCOUNTS: BrokerAccount[] = [
  { ...CENTRAL_MQTT, kind: 'central', publish: [], subscribe: [Topics.allEvents, Topics.allStatus] },
  { ...LOAD_MQTT, kind: 'edge', publish: ['matthan/v1/#'], subscribe: [] },
];

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A publisher in its own process (benchmarks/central-publisher.ts) for one seeded load. */
class Publisher {
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private waiters: (() => void)[] = [];

  constructor(url: string, protocolVersion: 4 | 5, seed: number, total: number) {
    this.child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        PUBLISHER,
        url,
        String(protocolVersion),
        String(seed),
        String(total),
        String(MIX.dupFraction),
        String(MIX.malformedFraction),
        String(PUBLISH_WINDOW),
      ],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
        env: {
          ...process.env,
          MATTHAN_BENCH_MQTT_USER: LOAD_MQTT.username,
          MATTHAN_BENCH_MQTT_PASSWORD: LOAD_MQTT.password,
        },
      },
    );
    let buf = '';
    this.child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        this.lines.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  private async line(): Promise<string> {
    while (this.lines.length === 0) {
      if (this.child.exitCode !== null) throw new Error(`publisher exited with ${this.child.exitCode}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
    return this.lines.shift()!;
  }

  /** Resolves once the child built its load and connected. */
  async ready(): Promise<void> {
    const l = await this.line();
    if (l !== 'ready') throw new Error(`publisher said ${l}`);
  }

  /** Starts publishing; resolves when the broker acknowledged every message. */
  async publish(): Promise<{ published: number; ms: number }> {
    this.child.stdin!.end('go\n');
    return JSON.parse(await this.line());
  }
}

interface Run {
  /** Messages handled per wall-clock second, from "go" to the last message handled. */
  perS: number;
  /** Messages handled per CPU-second of this process (user + system): robust when other work shares the cores. */
  perCpuS: number;
  publisherMs: number;
}

/** Times one load from the publisher's start until `done()`; CPU time is this process's only. */
async function timed(
  url: string,
  protocolVersion: 4 | 5,
  seed: number,
  total: number,
  done: () => boolean,
): Promise<Run> {
  const pub = new Publisher(url, protocolVersion, seed, total);
  await pub.ready();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const published = pub.publish();
  await waitFor(done, 180_000, 'all messages handled');
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const { ms } = await published;
  return { perS: total / s, perCpuS: total / ((cpu.user + cpu.system) / 1e6), publisherMs: ms };
}

/** The broker alone: a QoS 1 subscriber that only counts (mqtt.js acks each message at once). */
async function bare(url: string, protocolVersion: 4 | 5, seed: number, total: number): Promise<Run> {
  const sub = await mqtt.connectAsync(url, {
    protocolVersion,
    ...CENTRAL_MQTT,
    clientId: `${CENTRAL_MQTT.username}.bare-${process.pid}`,
    clean: true,
    ...(protocolVersion === 5 ? { properties: { receiveMaximum: 1000 } } : {}),
  });
  await sub.subscribeAsync(Topics.allEvents, { qos: 1 });
  let received = 0;
  sub.on('message', () => {
    received++;
  });
  try {
    return await timed(url, protocolVersion, seed, total, () => received >= total);
  } finally {
    await sub.endAsync();
  }
}

/** The full central (subscriber, batches, validation, dedup/merge, SQLite file) on the same kind of load. */
async function central(url: string, protocolVersion: 4 | 5, seed: number, total: number) {
  const dir = tmp();
  const c = await startCentral(
    defaultCentralConfig({
      http: { host: '127.0.0.1', port: 0 },
      broker: {
        url,
        embedded: false,
        protocolVersion,
        ...CENTRAL_MQTT,
        clientId: `${CENTRAL_MQTT.username}.bench-${process.pid}-${seed}`,
      },
      database: { path: path.join(dir, 'central.sqlite') },
      evidence: { dir: path.join(dir, 'evidence'), retentionDays: 30, maxBytes: 0 },
    }),
  );
  try {
    await c.subscribed;
    const run = await timed(url, protocolVersion, seed, total, () => c.ingest.counters.received >= total);
    const n = c.ingest.counters;
    const expected = centralLoad({ total, ...MIX, seed, shuffle: false });
    if (n.stored !== expected.uniqueValid || n.quarantined !== expected.malformed)
      throw new Error(
        `central stored ${n.stored}/${expected.uniqueValid}, quarantined ${n.quarantined}/${expected.malformed}`,
      );
    return { ...run, avgBatch: n.received / Math.max(1, n.batches) };
  } finally {
    await c.stop();
  }
}

/**
 * validate+dedup+store without a broker: the store's ceiling, in batches or one transaction per message, with or
 * without the crash-loop guard's in-flight markers (central runs with them).
 */
function inProcessPerS(load: CentralLoad, batchSize: number, inflight = true): number {
  const db = openDatabase(path.join(tmp(), 'central.sqlite'));
  const ingest = new IngestService(
    new IncidentStore(db),
    new QuarantineStore(db),
    new CameraStatusStore(db),
    logger('bench-central', { level: 'error' }),
    inflight ? { inflight: new InflightMarkers(db) } : {},
  );
  const t0 = performance.now();
  for (let i = 0; i < load.messages.length; i += batchSize)
    ingest.handleBatch(load.messages.slice(i, i + batchSize));
  const s = (performance.now() - t0) / 1000;
  db.close();
  return load.messages.length / s;
}

async function brokerRow(name: string, url: string, protocolVersion: 4 | 5, seed: number, total: number) {
  const b = await bare(url, protocolVersion, seed, total);
  const c = await central(url, protocolVersion, seed + 1, total);
  return {
    broker: name,
    bareDeliveryPerS: round(b.perS, 0),
    centralEventsPerS: round(c.perS, 0),
    centralOverBroker: round(c.perS / b.perS, 2),
    bareMsgsPerCpuS: round(b.perCpuS, 0),
    centralEventsPerCpuS: round(c.perCpuS, 0),
    avgBatch: round(c.avgBatch, 1),
  };
}

export async function benchCentral(): Promise<Record<string, unknown>> {
  const total = Number(process.env.MATTHAN_BENCH_CENTRAL_EVENTS ?? 30_000);
  const rows: Record<string, unknown>[] = [];

  const mosquitto = await Mosquitto.start();
  try {
    rows.push(await brokerRow('mosquitto (MQTT 5)', mosquitto.url, 5, 1, total));
  } finally {
    await mosquitto.stop();
  }
  const aedes = await startEmbeddedBroker({ accounts: BENCH_ACCOUNTS });
  try {
    rows.push(await brokerRow('aedes (embedded, MQTT 3.1.1)', aedes.url, 4, 3, total));
  } finally {
    await aedes.close();
  }

  const batched = inProcessPerS(centralLoad({ total, ...MIX, seed: 5 }), 500);
  const batchedNoMarkers = inProcessPerS(centralLoad({ total, ...MIX, seed: 5 }), 500, false);
  // mosquitto hands an MQTT 3.1.1 subscriber 20 messages at a time (max_inflight_messages): batches of 20.
  const batched20 = inProcessPerS(centralLoad({ total, ...MIX, seed: 7 }), 20);
  const batched20NoMarkers = inProcessPerS(centralLoad({ total, ...MIX, seed: 7 }), 20, false);
  const perMessage = inProcessPerS(centralLoad({ total, ...MIX, seed: 6 }), 1);
  const sustained = rows[0]!.centralEventsPerS as number;
  return {
    events: total,
    mix: '20% duplicates, 5% malformed, QoS 1; publisher in a child process',
    targetEventsPerS: TARGET_EVENTS_PER_S,
    meetsTarget: sustained >= TARGET_EVENTS_PER_S,
    loadAverage1m: round(os.loadavg()[0]!, 1),
    inProcessBatchedPerS: round(batched, 0),
    inProcessBatchedNoInflightMarkersPerS: round(batchedNoMarkers, 0),
    inflightMarkerCostBatch500: round(batchedNoMarkers / batched, 2),
    inProcessBatch20PerS: round(batched20, 0),
    inflightMarkerCostBatch20: round(batched20NoMarkers / batched20, 2),
    inProcessPerMessageTxPerS: round(perMessage, 0),
    brokers: rows,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchCentral();
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
