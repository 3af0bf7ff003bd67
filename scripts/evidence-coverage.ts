// Evidence coverage of a demo run: central + edge on the example intersection config (or an H.265 RTSP camera
// serving the same clip re-encoded with libx265), a signal controller turning the light red half of the time, for
// --duration seconds; then the share of incidents at central that hold both a snapshot and a clip.
// Usage: npx tsx scripts/evidence-coverage.ts [--duration 600] [--camera h264|h265] [--period 20] [--drain 300]
//        [--copy-hevc]  (H.265 clips stream-copied as hvc1 instead of transcoded: evidence.copyHevc)
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { defaultCentralConfig } from '../central/config/load.ts';
import { startCentral } from '../central/main.ts';
import { loadEdgeConfig } from '../edge/config/load.ts';
import { startEdge } from '../edge/main.ts';
import { mediaDir, REPO_ROOT } from '../models/asset-dirs.ts';
import { h265Clip, startRtspServer } from '../test/helpers/rtsp-server.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '600' },
    camera: { type: 'string', default: 'h264' },
    period: { type: 'string', default: '20' },
    drain: { type: 'string', default: '300' },
    'copy-hevc': { type: 'boolean', default: false },
  },
});
const durationS = Number(values.duration);
const periodS = Number(values.period);
const drainMaxS = Number(values.drain);
if (!(durationS > 0) || !(periodS > 0) || !(drainMaxS >= 0) || !['h264', 'h265'].includes(values.camera!))
  throw new Error(`bad arguments: ${JSON.stringify(values)}`);
const say = (line: string) => process.stderr.write(`evidence-coverage: ${line}\n`);

const configFile = path.join(REPO_ROOT, 'config/examples/edge-hcmc-intersection.yaml');
const edgeConfig = loadEdgeConfig(configFile);
const camera = edgeConfig.cameras[0]!;
if (camera.signal?.source !== 'mqtt') throw new Error('the example camera reads its signal over MQTT');
const signalTopic = camera.signal.topic;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'matthan-coverage-'));
const secret = () => randomBytes(24).toString('base64url');
const box = { username: `box-${edgeConfig.site}`, password: secret(), token: secret() };
const controller = { name: `signal-${edgeConfig.site}`, password: secret() };
const viewer = secret();

const central = await startCentral(
  defaultCentralConfig({
    http: { host: '127.0.0.1', port: 0 },
    broker: { url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
    database: { path: path.join(dataDir, 'central.sqlite') },
    evidence: { dir: path.join(dataDir, 'evidence'), retentionDays: 30, maxBytes: 0 },
    auth: { tokens: [{ name: 'coverage', role: 'viewer', token: viewer }] },
    edges: [{ name: box.username, site: edgeConfig.site, token: box.token, mqttPassword: box.password }],
    signalControllers: [
      {
        name: controller.name,
        site: edgeConfig.site,
        topics: [signalTopic],
        mqttPassword: controller.password,
      },
    ],
  }),
);

// The H.265 camera: GStreamer serving the clip re-encoded with libx265 (720p), repeated past the run.
const clip = path.join(mediaDir(), 'hcmc_intersection_1080p.mp4');
const rtsp =
  values.camera === 'h265'
    ? await startRtspServer({
        file: await h265Clip(clip),
        codec: 'h265',
        loops: Math.ceil(durationS / 10) + 2,
      })
    : undefined;
const source = rtsp ? { ...camera.source, url: rtsp.url } : camera.source;
// Joined mid-GOP, the H.265 stream's first decoded frame is damaged, and the view guard takes it as its reference
// and pauses the rules for good ("2 background points agree"): off for this camera until the guard skips such frames.
const viewGuard = rtsp ? { ...camera.viewGuard, enabled: false } : camera.viewGuard;

// The controller: red for half of each period, green for the other half, published every second (stale after 5 s).
const ctl = await mqtt.connectAsync(central.brokerUrl, {
  username: controller.name,
  password: controller.password,
  clientId: controller.name, // the broker binds a client id to its user
});
const t0 = Date.now();
const stateNow = () => (((Date.now() - t0) / 1000) % periodS < periodS / 2 ? 'red' : 'green');
const publishSignal = () =>
  ctl.publishAsync(signalTopic, JSON.stringify({ state: stateNow(), ts: Date.now() }), {
    qos: 1,
    retain: true,
  });
await publishSignal();
const signalTimer = setInterval(() => void publishSignal(), 1000);

const edge = await startEdge(
  {
    ...edgeConfig,
    broker: { ...edgeConfig.broker, url: central.brokerUrl, username: box.username, password: box.password },
    dataDir: path.join(dataDir, 'edge'),
    central: { url: central.url, token: box.token, timeoutS: 60, retryMaxS: 30, viewSnapshotS: 300 },
    http: { ...edgeConfig.http, port: 0 },
    cameras: [{ ...camera, source, viewGuard }],
    evidence: { ...edgeConfig.evidence, copyHevc: values['copy-hevc'] === true },
  },
  { configDir: path.dirname(configFile) },
);
say(
  `${values.camera} camera, ${durationS} s, signal red ${periodS / 2} s of every ${periodS} s; data in ${dataDir}`,
);
let maxBacklog = 0;
let maxOldestS = 0;
const sampleTimer = setInterval(() => {
  const m = edge.stats().evidence;
  maxBacklog = Math.max(maxBacklog, m?.backlog ?? 0);
  maxOldestS = Math.max(maxOldestS, m?.oldestPendingAgeS ?? 0);
}, 1000);
const progress = setInterval(() => {
  const s = edge.stats();
  say(
    `${Math.round((Date.now() - t0) / 1000)} s: ${JSON.stringify({ backlog: s.evidence?.backlog, ...s.evidence?.counters })}`,
  );
}, 60_000);
await new Promise((r) => setTimeout(r, durationS * 1000));

// The run ends: incidents that started by now are counted. The camera goes on (a looping file cannot be stopped
// alone), so the count waits, up to --drain seconds, until every counted incident has its files at central.
const endMs = Date.now();
await rtsp?.stop();
type Listed = { rule: string; firstTs: number; evidence: { snapshot?: string; clip?: string } | null };
async function listIncidents(): Promise<Listed[]> {
  const all: Listed[] = [];
  for (let offset = 0; ; offset += 500) {
    const res = await central.app.inject({
      method: 'GET',
      url: `/api/incidents?limit=500&offset=${offset}`,
      headers: { authorization: `Bearer ${viewer}` },
    });
    if (res.statusCode !== 200) throw new Error(`incidents: ${res.statusCode} ${res.body}`);
    const page = (res.json() as { items: Listed[] }).items;
    all.push(...page);
    if (page.length < 500) return all.filter((i) => i.firstTs <= endMs);
  }
}
let stored = new Set<string>();
const has = (id: string | undefined) => id !== undefined && stored.has(id);
let incidents: Listed[] = [];
for (;;) {
  stored = new Set(central.evidence.list().map((m) => m.id));
  incidents = await listIncidents();
  if (incidents.every((i) => has(i.evidence?.snapshot) && has(i.evidence?.clip))) break;
  if (Date.now() - endMs > drainMaxS * 1000) {
    say('gave up waiting for the evidence of the counted incidents');
    break;
  }
  await new Promise((r) => setTimeout(r, 1000));
}
const drainS = (Date.now() - endMs) / 1000;
clearInterval(signalTimer);
clearInterval(sampleTimer);
clearInterval(progress);
const stats = edge.stats();
await edge.stop();
await ctl.endAsync();

// Counted at central: each incident's evidence refs, and whether central stores the file behind each.
const byRule: Record<string, { incidents: number; both: number }> = {};
for (const inc of incidents) {
  byRule[inc.rule] ??= { incidents: 0, both: 0 };
  const r = byRule[inc.rule]!;
  r.incidents++;
  if (has(inc.evidence?.snapshot) && has(inc.evidence?.clip)) r.both++;
}
const both = Object.values(byRule).reduce((n, r) => n + r.both, 0);
const cam = Object.values(stats.cameras)[0];
process.stdout.write(
  `${JSON.stringify({
    camera: values.camera,
    copyHevc: values['copy-hevc'] === true,
    durationS,
    incidents: incidents.length,
    withSnapshotAndClip: both,
    coveragePct: incidents.length ? Math.round((1000 * both) / incidents.length) / 10 : null,
    withSnapshot: incidents.filter((i) => has(i.evidence?.snapshot)).length,
    withClip: incidents.filter((i) => has(i.evidence?.clip)).length,
    byRule,
    framesProcessed: cam?.framesProcessed,
    eventsPublished: stats.eventsPublished,
    recorder: stats.evidence?.counters,
    // At the edge when the count was taken: captures not done yet, and files captured but not yet uploaded.
    edgePendingCaptures: stats.evidence?.backlog,
    edgeQueuedFiles: stats.delivery.evidenceQueued,
    uploaded: stats.delivery.evidenceUploaded,
    maxBacklog,
    maxOldestPendingAgeS: Math.round(maxOldestS),
    drainS: Math.round(drainS),
  })}\n`,
);
await central.stop();
