// Poison messages cannot take central down or crash-loop it. Central runs as a real child process
// (`matthan central`) on a real mosquitto, with its persistent session:
// 1. a 30 MB hostile event (5 million out-of-range path points) is quarantined with a short reason, the next valid
//    event is stored within 5 s, RSS stays within +100 MB, no log line exceeds 10 KiB, and a 10 MB message never
//    holds /readyz beyond 1 s;
// 2. central is killed (SIGKILL) while processing the 30 MB event and restarted: the broker redelivers it, central
//    quarantines it instead of processing it again, stays up, and stores the next valid event within 5 s.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MatthanEvent, Topics } from '../../contract/index.ts';
import { secret } from '../helpers/credentials.ts';
import { REPO_ROOT, sampleEvent, tempDir } from '../helpers/fixtures.ts';
import { Mosquitto, stopAllMosquittos } from '../helpers/mosquitto.ts';

// A strong random token: central refuses placeholders and guessable secrets outside the demo.
const ADMIN_TOKEN = secret();
const SITE = 'crash-site';
const CAMERA = 'cam-c';
const FAILPOINT = 'ingest.in-flight';
const MAX_LOG_LINE_BYTES = 10 * 1024;

/** `matthan central FILE` as a child process, with its stderr (the log) kept line by line. */
class CentralProcess {
  child!: ChildProcess;
  url = '';
  lines: string[] = [];
  longestLineBytes = 0;
  failpointReached = false;
  private exited!: Promise<void>;
  private partial = '';

  constructor(
    private readonly configFile: string,
    private readonly env: Record<string, string> = {},
  ) {}

  async start(): Promise<void> {
    this.child = spawn(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/matthan.js'), 'central', this.configFile],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, MATTHAN_LOG_LEVEL: 'info', ...this.env },
      },
    );
    this.exited = new Promise((r) => this.child.once('exit', () => r()));
    let out = '';
    this.child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /central API at (http:\/\/\S+)\/api\/incidents/.exec(out);
      if (m) this.url = m[1]!;
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.partial += d.toString('utf8');
      for (let nl = this.partial.indexOf('\n'); nl >= 0; nl = this.partial.indexOf('\n')) {
        this.take(this.partial.slice(0, nl));
        this.partial = this.partial.slice(nl + 1);
      }
      // A line still growing counts too: the limit is on what central writes, not on where it stops.
      this.longestLineBytes = Math.max(this.longestLineBytes, Buffer.byteLength(this.partial));
    });
    await until(
      'central listening',
      () => this.url !== '' || !this.alive,
      30_000,
      () => this.tail(),
    );
    if (!this.alive) throw new Error(`central exited at start: ${this.tail()}`);
  }

  private take(line: string): void {
    this.longestLineBytes = Math.max(this.longestLineBytes, Buffer.byteLength(line));
    if (line.includes(`failpoint ${FAILPOINT} reached`)) this.failpointReached = true;
    this.lines.push(line.slice(0, 2000));
    if (this.lines.length > 500) this.lines.shift();
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resident set size in bytes, from /proc. */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024; // no VmRSS: the process is exiting
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.alive) return;
    this.child.kill(signal);
    await this.exited;
  }

  tail(): string {
    return this.lines.slice(-15).join('\n');
  }

  async api<T>(p: string): Promise<T> {
    const res = await fetch(`${this.url}${p}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    if (!res.ok) throw new Error(`${p}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }
}

async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  diag: () => string,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; ${diag()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Samples RSS and /readyz latency every 50 ms until stopped. */
function watch(c: CentralProcess) {
  let maxRss = 0;
  let maxReadyMs = 0;
  let readyFailures = 0;
  let running = true;
  const loop = (async () => {
    while (running && c.alive) {
      try {
        maxRss = Math.max(maxRss, c.rssBytes());
      } catch (err) {
        if (c.alive) throw err;
      }
      const t = performance.now();
      try {
        const res = await fetch(`${c.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        if (res.status !== 200) readyFailures++;
      } catch (err) {
        if (!running || !c.alive) break;
        readyFailures++;
        process.stderr.write(`readyz failed: ${(err as Error).message}\n`);
      }
      maxReadyMs = Math.max(maxReadyMs, performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { maxRss, maxReadyMs, readyFailures };
    },
  };
}

/** The hostile event of issue 17: every field valid but 5 million out-of-range path points, ~30 MB of JSON. */
function hostileEvent(id: string): Buffer {
  const now = Date.now();
  const head = JSON.stringify(
    sampleEvent({ id, site: SITE, camera: CAMERA, ts: now, startTs: now, details: {} }),
  );
  const points = '[7,7],'.repeat(5_000_000).slice(0, -1);
  return Buffer.from(`${head.slice(0, -3)}{"pathNorm":[${points}]}}`);
}

function validEvent(id: string): MatthanEvent {
  const now = Date.now();
  return sampleEvent({ id, site: SITE, camera: CAMERA, ts: now, startTs: now });
}

interface QuarantineList {
  items: { topic: string; reason: string; payload: string }[];
}
interface IncidentList {
  items: { id: string }[];
}

describe('poison messages cannot crash-loop central (child process, mosquitto)', () => {
  const dir = tempDir('matthan-crash-loop-');
  const configFile = path.join(dir, 'central.yaml');
  let mq: Mosquitto;
  let pub: mqtt.MqttClient;
  const centrals: CentralProcess[] = [];
  const eventsTopic = Topics.events(SITE, CAMERA);
  let baselineRss = 0;

  const publish = (payload: Buffer | string) => pub.publishAsync(eventsTopic, payload, { qos: 1 });
  const launch = async (env: Record<string, string> = {}) => {
    const c = new CentralProcess(configFile, env);
    centrals.push(c);
    await c.start();
    await until(
      'central subscribed',
      async () => (await fetch(`${c.url}/readyz`)).status === 200,
      30_000,
      () => c.tail(),
    );
    return c;
  };
  const storedWithin = async (c: CentralProcess, id: string, ms: number) => {
    const t = Date.now();
    await until(
      `event ${id} stored`,
      async () => (await c.api<IncidentList>('/api/incidents?limit=500')).items.some((i) => i.id === id),
      ms,
      () => c.tail(),
    );
    return Date.now() - t;
  };

  beforeAll(async () => {
    mq = await Mosquitto.start();
    writeFileSync(
      configFile,
      [
        'http: { host: 127.0.0.1, port: 0 }',
        `broker: { url: "${mq.url}", protocolVersion: 4, clientId: matthan-central.crash-loop }`,
        `database: { path: "${path.join(dir, 'central.sqlite')}" }`,
        `evidence: { dir: "${path.join(dir, 'evidence')}" }`,
        `auth: { tokens: [{ name: ops, role: admin, token: ${ADMIN_TOKEN} }] }`,
        '',
      ].join('\n'),
    );
    pub = await mqtt.connectAsync(mq.url, { clientId: 'crash-loop-publisher' });
  });

  afterAll(async () => {
    await pub?.endAsync();
    for (const c of centrals) await c.kill('SIGKILL');
    await stopAllMosquittos();
  });

  it('quarantines a 30 MB hostile event with a short reason and stores the next valid event within 5 s', async () => {
    const c = await launch();
    await new Promise((r) => setTimeout(r, 1000)); // settle: the baseline is the idle process
    baselineRss = c.rssBytes();
    // Built before the watch starts: /readyz latency must be central's, not this process's own busy loop.
    const hostile = hostileEvent('evt_hostile_00001');
    const w = watch(c);
    await publish(hostile);
    await publish(JSON.stringify(validEvent('evt_valid_000001')));
    const ms = await storedWithin(c, 'evt_valid_000001', 5000);
    const q = await c.api<QuarantineList>('/api/quarantine');
    const { maxRss, maxReadyMs, readyFailures } = await w.stop();
    console.log(
      `30 MB hostile event: next valid stored after ${ms} ms, RSS +${((maxRss - baselineRss) / 1e6).toFixed(1)} MB, ` +
        `max /readyz ${maxReadyMs.toFixed(0)} ms, longest log line ${c.longestLineBytes} B`,
    );
    expect(q.items).toHaveLength(1);
    expect(q.items[0]!.reason).toMatch(/^\/: payload is 30000\d+ bytes, above the limit of 65536/);
    expect(q.items[0]!.reason.length).toBeLessThan(200);
    expect(ms).toBeLessThan(5000);
    expect(c.alive).toBe(true);
    expect(maxRss - baselineRss).toBeLessThan(100 * 1024 * 1024);
    expect(readyFailures).toBe(0);
    expect(maxReadyMs).toBeLessThan(1000);
    expect(c.longestLineBytes).toBeLessThan(MAX_LOG_LINE_BYTES);
  });

  it('never holds /readyz beyond 1 s while 10 MB messages arrive', async () => {
    const c = centrals.at(-1)!;
    const before = (await c.api<QuarantineList>('/api/quarantine')).items.length;
    const tenMb = Buffer.alloc(10 * 1024 * 1024, 0x5b); // "[[[[..." 10 MB
    const w = watch(c);
    for (let i = 0; i < 3; i++) await publish(tenMb);
    await until(
      'three more quarantined',
      async () => (await c.api<QuarantineList>('/api/quarantine')).items.length === before + 3,
      20_000,
      () => c.tail(),
    );
    await new Promise((r) => setTimeout(r, 500));
    const { maxReadyMs, readyFailures, maxRss } = await w.stop();
    console.log(
      `3 x 10 MB: max /readyz ${maxReadyMs.toFixed(0)} ms, RSS +${((maxRss - baselineRss) / 1e6).toFixed(1)} MB`,
    );
    expect(readyFailures).toBe(0);
    expect(maxReadyMs).toBeLessThan(1000);
    expect(maxRss - baselineRss).toBeLessThan(100 * 1024 * 1024);
    expect(c.longestLineBytes).toBeLessThan(MAX_LOG_LINE_BYTES);
  });

  it('killed mid-processing and restarted: the redelivered message is quarantined, not processed again', async () => {
    await centrals.at(-1)!.kill('SIGTERM');
    // Central hangs while processing the hostile event (as a runaway parse would), and is killed there.
    const hung = await launch({ MATTHAN_FAILPOINT: FAILPOINT });
    const hostile = hostileEvent('evt_hostile_00002');
    await publish(hostile);
    await until(
      'central mid-processing',
      () => hung.failpointReached,
      30_000,
      () => hung.tail(),
    );
    await hung.kill('SIGKILL');
    // Restarted without the failpoint: the broker redelivers the unacknowledged 30 MB event at once.
    const c = await launch();
    const w = watch(c);
    await until(
      'the redelivered event quarantined',
      async () =>
        (await c.api<QuarantineList>('/api/quarantine')).items.some((i) =>
          i.reason.startsWith('central stopped'),
        ),
      20_000,
      () => c.tail(),
    );
    await publish(JSON.stringify(validEvent('evt_valid_000002')));
    const ms = await storedWithin(c, 'evt_valid_000002', 5000);
    await new Promise((r) => setTimeout(r, 1000)); // still up a moment later
    const { maxRss, readyFailures } = await w.stop();
    console.log(
      `after kill -9 mid-processing: next valid stored after ${ms} ms, RSS +${((maxRss - baselineRss) / 1e6).toFixed(1)} MB`,
    );
    const crashGuard = (await c.api<QuarantineList>('/api/quarantine')).items.filter((i) =>
      i.reason.startsWith('central stopped'),
    );
    expect(crashGuard).toHaveLength(1);
    expect(crashGuard[0]!.reason).toBe(
      'central stopped while processing this message (1 unfinished run); quarantined on redelivery instead of processed again',
    );
    expect(crashGuard[0]!.payload).toMatch(/^\{"schemaVersion":\d+,"id":"evt_hostile_00002"/);
    expect(ms).toBeLessThan(5000);
    expect(c.alive).toBe(true);
    expect(readyFailures).toBe(0);
    expect(maxRss - baselineRss).toBeLessThan(100 * 1024 * 1024);
    for (const p of centrals) expect(p.longestLineBytes).toBeLessThan(MAX_LOG_LINE_BYTES);
    // The operator sees it on /metrics too.
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    expect(metrics).toMatch(/^matthan_central_poison_quarantined_total 1$/m);
  }, 120_000);
});
