// `npm run demo`: embedded broker + central (SQLite) + edge on a real clip with the default model, all in one process.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultCentralConfig } from '../central/config/load.ts';
import { startCentral } from '../central/main.ts';
import { loadEdgeConfig } from '../edge/config/load.ts';
import { startEdge } from '../edge/main.ts';
import { REPO_ROOT } from '../models/asset-dirs.ts';

export interface DemoOptions {
  durationS?: number;
  configFile?: string;
  /** HTTP port; 0 picks a free one. Default $MATTHAN_DEMO_PORT or 8080, falling back to a free port. */
  port?: number;
}

export interface DemoSummary {
  frames: number;
  detections: number;
  eventsPublished: number;
  incidentsStored: number;
}

const say = (line: string) => process.stderr.write(`matthan demo: ${line}\n`);

export async function runDemo(opts: DemoOptions): Promise<number> {
  const configFile = opts.configFile ?? path.join(REPO_ROOT, 'config/examples/edge-hcmc-intersection.yaml');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'matthan-demo-'));
  const edgeConfig = loadEdgeConfig(configFile);
  const port = opts.port ?? Number(process.env.MATTHAN_DEMO_PORT ?? 8080);
  // A fresh reviewer token per run (or $MATTHAN_DEMO_TOKEN), so the review page can be signed into.
  const reviewerToken = process.env.MATTHAN_DEMO_TOKEN ?? randomBytes(16).toString('hex');
  // The demo box has its own identity, like a real one: an API token scoped to its site and an MQTT login that may
  // publish only under matthan/v1/{site}/#. Fresh each run, so no demo secret outlives the demo.
  const secret = () => randomBytes(24).toString('base64url');
  const edgeToken = secret();
  const edgeMqtt = { username: `box-${edgeConfig.site}`, password: secret() };
  // The example's signal topics get a controller account, so the box may read them (publish on them to try
  // red_light: the password is printed below).
  const signalTopics = [
    ...new Set(edgeConfig.cameras.flatMap((c) => (c.signal?.source === 'mqtt' ? [c.signal.topic] : []))),
  ];
  const controller = { name: `signal-${edgeConfig.site}`, password: secret() };
  const centralConfig = (httpPort: number) =>
    defaultCentralConfig({
      http: { host: '127.0.0.1', port: httpPort },
      broker: {
        url: 'mqtt://127.0.0.1:0',
        embedded: true,
        protocolVersion: 4,
      },
      database: { path: path.join(dataDir, 'central.sqlite') },
      evidence: { dir: path.join(dataDir, 'evidence'), retentionDays: 30, maxBytes: 0 },
      // The camera inventory (names, positions for the review page and IOC alerts) from the edge config.
      cameras: edgeConfig.cameras.map((c) => ({
        site: edgeConfig.site,
        id: c.id,
        ...(c.name ? { name: c.name } : {}),
        ...(c.location ? { location: c.location } : {}),
      })),
      auth: { tokens: [{ name: 'demo-reviewer', role: 'reviewer', token: reviewerToken }] },
      edges: [
        { name: edgeMqtt.username, site: edgeConfig.site, token: edgeToken, mqttPassword: edgeMqtt.password },
      ],
      signalControllers:
        signalTopics.length > 0
          ? [
              {
                name: controller.name,
                site: edgeConfig.site,
                topics: signalTopics,
                mqttPassword: controller.password,
              },
            ]
          : [],
    });
  // demo: MATTHAN_DEMO_TOKEN may be a memorable one; every other secret here is random.
  const central = await startCentral(centralConfig(port), { demo: true }).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') throw err;
      say(`port ${port} is busy; using a free port`);
      return startCentral(centralConfig(0), { demo: true });
    },
  );
  say(`broker ${central.brokerUrl}, data in ${dataDir}`);
  say(`API ${central.url}/api/incidents  (OpenAPI ${central.url}/api/openapi.json)`);
  say(`review UI ${central.url}/  (sign in with the demo token ${reviewerToken})`);
  if (signalTopics.length > 0)
    say(
      `signal controller: MQTT user ${controller.name}, password ${controller.password}, topic ${signalTopics.join(', ')}`,
    );

  const edge = await startEdge(
    {
      ...edgeConfig,
      broker: { ...edgeConfig.broker, url: central.brokerUrl, ...edgeMqtt },
      dataDir: path.join(dataDir, 'edge'),
      central: { url: central.url, token: edgeToken, timeoutS: 60, retryMaxS: 30, viewSnapshotS: 60 },
    },
    { configDir: path.dirname(path.resolve(configFile)) },
  );
  say(
    `edge running ${edgeConfig.cameras.length} camera(s) with ${edgeConfig.detector.model}; Ctrl-C to stop`,
  );
  say(`metrics: edge ${edge.opsUrl}/metrics, central ${central.url}/metrics`);

  const stopAll = async (): Promise<DemoSummary> => {
    await edge.stop();
    const s = edge.stats();
    // Wait (bounded) until central has stored everything the edge had acknowledged.
    const deadline = Date.now() + 5000;
    while (
      central.ingest.counters.stored + central.ingest.counters.duplicates < s.eventsPublished &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const cams = Object.values(s.cameras);
    const summary: DemoSummary = {
      frames: cams.reduce((n, c) => n + c.framesProcessed, 0),
      detections: cams.reduce((n, c) => n + c.detections, 0),
      eventsPublished: s.eventsPublished,
      incidentsStored: central.incidents.count(),
    };
    await central.stop();
    return summary;
  };

  if (opts.durationS === undefined) {
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    const summary = await stopAll();
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  }
  await new Promise((r) => setTimeout(r, opts.durationS! * 1000));
  const summary = await stopAll();
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}
