// Evidence under a burst and through a restart, with real parts: a real edge process plays the HCMC clip (real
// ffmpeg ring, real model), a zone rule fires for every vehicle in the queue within a few seconds, and central
// (in this process) must end up holding a snapshot and a clip for every incident. The edge is stopped with
// SIGTERM while captures are still queued, and started again on the same data directory: every capture left
// pending is delivered, and no capture runs into a closed outbox.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { REPO_ROOT, tempDir } from '../helpers/fixtures.ts';

const creds = new TestCredentials();
const box = creds.box('hcmc-d1');
const VIEWER_TOKEN = creds.person('viewer', 'viewer').token;

interface Incident {
  id: string;
  firstTs: number;
  evidence: { snapshot?: string; snapshotClean?: string; clip?: string } | null;
}

interface EdgeRun {
  child: ChildProcess;
  log: () => string;
  /** http://host:port of the edge's /metrics, once it logged it. */
  opsUrl: () => Promise<string>;
  exited: Promise<number | null>;
}

function runEdge(configFile: string): EdgeRun {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/matthan.js'), 'edge', configFile], {
    env: { ...process.env, MATTHAN_LOG_LEVEL: 'info' },
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    log: () => out,
    exited,
    async opsUrl() {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const m = /"url":"(http:\/\/[^"]+)","msg":"edge metrics and health"/.exec(out);
        if (m) return m[1]!;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`edge never served /metrics:\n${out.slice(-2000)}`);
    },
  };
}

/** A gauge's value on the edge's /metrics (undefined when the series is absent). */
async function gauge(url: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

async function until<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('evidence for every incident: a burst, and a restart mid-backlog', { timeout: 400_000 }, () => {
  const dir = tempDir('matthan-ev-burst-');
  const configFile = path.join(dir, 'edge.yaml');
  let central: CentralHandle;
  const logs: string[] = [];
  let pendingAtStop: string[] = [];
  let backlogAtStop = 0;
  let incidents: Incident[] = [];

  const incidentsAtCentral = async (): Promise<Incident[]> => {
    const res = await central.app.inject({
      method: 'GET',
      url: '/api/incidents?limit=500',
      headers: { authorization: `Bearer ${VIEWER_TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
    return (res.json() as { items: Incident[] }).items;
  };
  const storedIds = () => new Set(central.evidence.list().map((m) => m.id));

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
    // Every vehicle in the queue area fires within its first second of being tracked: a burst at the start.
    writeFileSync(
      configFile,
      `
site: hcmc-d1
dataDir: ${path.join(dir, 'edge')}
broker: { url: ${central.brokerUrl}, username: ${box.name}, password: ${box.mqttPassword} }
http: { port: 0 }
central: { url: ${central.url}, token: ${box.token}, retryMaxS: 2 }
evidence: { preRollS: 2, postRollS: 2 }
cameras:
  - id: cam-a
    source: { url: media:hcmc_intersection_1080p.mp4, realtime: true, loop: false }
    fps: 5
    zones: [{ id: waiting-area, polygon: [[0, 0.45], [1, 0.45], [1, 1], [0, 1]] }]
    rules:
      - { id: queue-dwell, type: zone_dwell, zone: waiting-area, classes: [car, motorcycle, bus, truck], dwellS: 0.5 }
`,
    );

    // Run 1: stopped (SIGTERM, as systemd does) while captures are queued.
    const first = runEdge(configFile);
    const url1 = await first.opsUrl();
    backlogAtStop = await until('a capture backlog of 4', 90_000, async () => {
      const b = await gauge(url1, 'matthan_edge_evidence_capture_backlog');
      return b !== undefined && b >= 4 ? b : undefined;
    });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    logs.push(first.log());
    const outbox = new Database(path.join(dir, 'edge', 'outbox.sqlite'), { readonly: true });
    pendingAtStop = (
      outbox.prepare("SELECT id FROM evidence WHERE state = 'pending'").all() as { id: string }[]
    ).map((r) => r.id);
    outbox.close();

    // Run 2, same data directory: the pending captures resume (and the clip plays again, a second burst).
    const second = runEdge(configFile);
    const url2 = await second.opsUrl();
    await until('run 2 to capture and upload everything', 240_000, async () => {
      const backlog = await gauge(url2, 'matthan_edge_evidence_capture_backlog');
      const queued = await gauge(url2, 'matthan_edge_evidence_queued');
      const stored = storedIds();
      const all = (await incidentsAtCentral()).every((i) =>
        [i.evidence?.snapshot, i.evidence?.clip].every((id) => id !== undefined && stored.has(id)),
      );
      // The second run's events keep coming for the clip's 10 s; settle once nothing is pending.
      return backlog === 0 && queued === 0 && all && second.log().includes('"msg":"end of file"')
        ? true
        : undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message}\n${second.log().slice(-3000)}`);
    });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    logs.push(second.log());
    incidents = await incidentsAtCentral();
  }, 400_000);

  afterAll(async () => {
    await central?.stop();
  });

  it('a burst of events within a few seconds: every incident has its snapshots and clip stored at central', () => {
    // The burst: many vehicles start their events in the clip's first seconds.
    const firstTs = incidents.map((i) => i.firstTs).sort((a, b) => a - b);
    const t0 = firstTs[0]!;
    console.log(
      `incidents ${incidents.length}, start offsets (s): ${firstTs.map((t) => ((t - t0) / 1000).toFixed(1)).join(' ')}; backlog at stop ${backlogAtStop}, pending at stop ${pendingAtStop.length}`,
    );
    // The densest 5 s: each run's first analysed frames start the events of every queued vehicle at once.
    const densest = Math.max(...firstTs.map((t) => firstTs.filter((u) => u >= t && u - t <= 5000).length));
    expect(densest).toBeGreaterThanOrEqual(5);
    expect(incidents.length).toBeGreaterThanOrEqual(10);
    const stored = storedIds();
    for (const inc of incidents) {
      expect(inc.evidence, inc.id).toMatchObject({
        snapshot: expect.any(String),
        snapshotClean: expect.any(String),
        clip: expect.any(String),
      });
      for (const id of Object.values(inc.evidence!)) expect(stored.has(id), `${inc.id}: ${id}`).toBe(true);
    }
  });

  it('stopped mid-backlog: the captures left pending are all delivered after the restart', () => {
    expect(backlogAtStop).toBeGreaterThanOrEqual(4);
    expect(pendingAtStop.length).toBeGreaterThan(0);
    const stored = storedIds();
    const missing = pendingAtStop.filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
    expect(logs[1]).toContain('resuming evidence captures left pending');
  });

  it('no capture ran into a closed outbox, and none was given up', () => {
    for (const log of logs) {
      expect(log).not.toContain('database connection is not open');
      expect(log).not.toContain('"reason":"segment_expired"');
      expect(log).not.toContain('"reason":"capture_failed"');
    }
  });
});
