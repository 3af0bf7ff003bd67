// No loss through a STOCK mosquitto (defaults apart from the listener: at most 1000 queued messages per client,
// no persistence), with the real edge outbox, publisher and sender in a child process and a real central:
// 10,000 events emitted while central is down, then central started; and a 20,000-event flood. Both must end with
// every event stored exactly once, and the edge outbox emptied only by central's acknowledgements.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { REPO_ROOT, tempDir } from '../helpers/fixtures.ts';
import { Mosquitto, stopAllMosquittos } from '../helpers/mosquitto.ts';

const DRIVER = path.join(REPO_ROOT, 'test/helpers/flood-edge-driver.ts');
const SITE = 'stock-site';

type Metrics = Record<string, number | boolean>;

/** The edge, as its own process: its metrics arrive as JSON lines on stdout. */
class FloodEdge {
  child: ChildProcess | undefined;
  enqueued = 0;
  metrics: Metrics = {};
  stderr = '';
  private exited: Promise<void> = Promise.resolve();

  start(args: Record<string, unknown>): void {
    const child = spawn(process.execPath, ['--import', 'tsx', DRIVER, JSON.stringify(args)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MATTHAN_LOG_LEVEL: 'warn' },
    });
    this.child = child;
    this.exited = new Promise((r) => child.once('exit', () => r()));
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const msg = JSON.parse(line) as { enqueued: number; metrics?: Metrics };
        this.enqueued = msg.enqueued;
        if (msg.metrics) this.metrics = msg.metrics;
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-10_000);
    });
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }
}

async function until(what: string, cond: () => boolean, diag: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; ${diag()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** tmpfs when there is one: 30,000 fsyncs on a shared disk would be the test's slowest part, not delivery. */
function fastDir(prefix: string): string {
  return existsSync('/dev/shm') ? mkdtempSync(path.join('/dev/shm', prefix)) : tempDir(prefix);
}

function storedIds(dbPath: string, prefix: string): { rows: number; distinct: number; ids: string[] } {
  const db = new Database(dbPath, { readonly: true });
  try {
    const ids = (
      db.prepare('SELECT id FROM events WHERE id LIKE ? ORDER BY id').all(`${prefix}%`) as { id: string }[]
    ).map((r) => r.id);
    return { rows: ids.length, distinct: new Set(ids).size, ids };
  } finally {
    db.close();
  }
}

const expectedIds = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);

describe('no loss through a stock mosquitto (max_queued_messages 1000, no persistence)', () => {
  const dir = tempDir('matthan-stock-');
  const dbPath = path.join(dir, 'central.sqlite');
  let mq: Mosquitto;
  let central: CentralHandle | undefined;
  const edges: FloodEdge[] = [];
  const timeline: string[] = [];
  const t0 = Date.now();
  const mark = (s: string) => timeline.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`);

  const startOurCentral = () =>
    startCentral(
      defaultCentralConfig({
        http: { host: '127.0.0.1', port: 0 },
        broker: { url: mq.url, embedded: false, protocolVersion: 4, clientId: 'matthan-central.stock' },
        database: { path: dbPath },
      }),
    );

  const edgeArgs = (name: string, total: number, idPrefix: string, outbox: Record<string, unknown>) => ({
    config: {
      site: SITE,
      dataDir: fastDir(`matthan-stock-edge-${name}-`),
      broker: { url: mq.url, clientId: `stock-edge-${name}`, keepaliveS: 10 },
      outbox: { heartbeatS: 60, ...outbox },
      cameras: [{ id: 'cam-s', source: { url: 'rtsp://127.0.0.1:1/unused' } }],
    },
    total,
    camera: 'cam-s',
    idPrefix,
    chunk: 500,
  });

  beforeAll(async () => {
    mq = await Mosquitto.start({ stock: true });
  });

  afterAll(async () => {
    for (const e of edges) await e.stop();
    await central?.stop();
    await stopAllMosquittos();
    console.log(`stock broker timeline: ${timeline.join(' | ')}`);
  });

  it('10,000 events emitted while central is down all arrive once central starts, though the broker dropped some', async () => {
    const N = 10_000;
    const prefix = 'evt_down_';
    // Central's persistent session must exist for the broker to queue anything for it; then central goes away.
    central = await startOurCentral();
    await central.subscribed;
    await central.stop();
    central = undefined;
    mark('central down');
    const edge = new FloodEdge();
    edges.push(edge);
    // A window twice the broker's queue limit, and a short ack timeout: the broker must drop, the edge re-send.
    edge.start(edgeArgs('down', N, prefix, { windowSize: 2000, ackTimeoutS: 5, ackTimeoutMaxS: 10 }));
    const diag = () =>
      `timeline=${timeline.join(' | ')} enqueued=${edge.enqueued} metrics=${JSON.stringify(edge.metrics)} ` +
      `stored=${central?.ingest.counters.stored} broker=${mq.log.slice(-1500)} edge=${edge.stderr.slice(-1500)}`;
    await until(
      'all enqueued and the window PUBACKed',
      // From one metrics report taken after the last enqueue (the "enqueued" line comes before it).
      () => edge.metrics.eventsEnqueued === N && Number(edge.metrics.eventsBrokerAcked) >= 2000,
      diag,
      60_000,
    );
    mark(`window PUBACKed (${JSON.stringify(edge.metrics.eventsBrokerAcked)})`);
    // The broker has acknowledged 2000 and queued at most 1000 of them; the outbox has deleted none.
    expect(edge.metrics.outboxMessages).toBe(N);
    expect(edge.metrics.eventsCentralAcked).toBe(0);
    central = await startOurCentral();
    mark('central started');
    await until(
      'outbox empty',
      () => edge.metrics.eventsEnqueued === N && edge.metrics.outboxMessages === 0,
      diag,
      120_000,
    );
    mark(`outbox empty (resent ${edge.metrics.eventsResent})`);
    const s = storedIds(dbPath, prefix);
    expect(s.rows).toBe(N);
    expect(s.distinct).toBe(N);
    expect(s.ids).toEqual(expectedIds(prefix, N));
    // Every row left the outbox on central's acknowledgement, none on a PUBACK alone, none refused.
    expect(edge.metrics).toMatchObject({ eventsCentralAcked: N, eventsAcked: N, eventsRefused: 0 });
    // The stock broker did drop (its 1000-message queue), and the edge's re-sends made up for it.
    expect(Number(edge.metrics.eventsResent)).toBeGreaterThan(0);
    expect(mq.log).toMatch(/dropped/i);
    await edge.stop();
  }, 240_000);

  it('a 20,000-event flood with central up arrives exactly once', async () => {
    const N = 20_000;
    const prefix = 'evt_flood_';
    central ??= await startOurCentral();
    await central.subscribed;
    const storedBefore = central.ingest.counters.stored;
    const edge = new FloodEdge();
    edges.push(edge);
    // Default window and timeouts: the flow control alone keeps a stock broker from dropping.
    edge.start(edgeArgs('flood', N, prefix, {}));
    mark('flood started');
    const diag = () =>
      `timeline=${timeline.join(' | ')} enqueued=${edge.enqueued} metrics=${JSON.stringify(edge.metrics)} ` +
      `stored=${central?.ingest.counters.stored} broker=${mq.log.slice(-1500)}`;
    await until('flood enqueued', () => edge.enqueued === N, diag, 60_000);
    await until(
      'outbox empty',
      () => edge.metrics.eventsEnqueued === N && edge.metrics.outboxMessages === 0,
      diag,
      120_000,
    );
    mark(`flood delivered (resent ${edge.metrics.eventsResent})`);
    const s = storedIds(dbPath, prefix);
    expect(s.rows).toBe(N);
    expect(s.distinct).toBe(N);
    expect(s.ids).toEqual(expectedIds(prefix, N));
    expect(central.ingest.counters.stored - storedBefore).toBe(N);
    expect(edge.metrics).toMatchObject({ eventsCentralAcked: N, eventsAcked: N, eventsRefused: 0 });
    await edge.stop();
  }, 240_000);
});
