// The edge box, as a table of contents: resolve the model, start the detector, the publisher and every camera.
import path from 'node:path';
import { type MatthanEvent, Topics } from '../contract/index.ts';
import { logger } from '../lib/log.ts';
import { resolveModel } from '../models/resolve.ts';
import { CameraPipeline, type CameraStats, type FrameTimings } from './camera-pipeline.ts';
import type { EdgeConfig } from './config/schema.ts';
import { createDetector } from './detect/create-detector.ts';
import { DetectorPool } from './detect/detector-pool.ts';
import { startEdgeServer } from './http/edge-server.ts';
import { resolveSourceUrl } from './ingest/source-url.ts';
import { EdgeMetrics } from './metrics/edge-metrics.ts';
import { MqttPublisher } from './publish/mqtt-publisher.ts';

export interface EdgeOptions {
  /** Directory of the config file, for relative paths. */
  configDir?: string;
}

export interface EdgeHandle {
  /** Resolves when every camera's (non-looping file) source has ended and its frames are processed. */
  ended: Promise<void>;
  /** http://host:port of /metrics, /healthz, /readyz. */
  opsUrl: string;
  /** Per-frame stage timings of every camera (benchmarks). */
  observeTimings(listener: (cameraId: string, t: FrameTimings) => void): void;
  stats(): { cameras: Record<string, CameraStats>; eventsPublished: number; publishFailures: number };
  stop(): Promise<void>;
}

export async function startEdge(config: EdgeConfig, opts: EdgeOptions = {}): Promise<EdgeHandle> {
  const log = logger('edge', { site: config.site });
  const configDir = opts.configDir ?? process.cwd();
  const model = resolveModel(config.detector, { modelsDir: config.modelsDir, configDir });
  const detector = await createDetector(model, config.detector);
  log.info({ model: model.name, family: model.family }, 'detector loaded');
  const pool = new DetectorPool(detector);
  const publisher = new MqttPublisher(config, log);

  let eventsPublished = 0;
  let publishFailures = 0;
  const inflight = new Set<Promise<void>>();
  const publishEvent = (event: MatthanEvent) => {
    const p = publisher
      .publish(Topics.events(config.site, event.camera), JSON.stringify(event), { qos: 1 })
      .then(() => {
        eventsPublished++;
      })
      .catch((err: Error) => {
        publishFailures++;
        log.warn({ camera: event.camera, event: event.id, err: err.message }, 'event publish failed');
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };

  const enabled = config.cameras.filter((c) => c.enabled);
  const cameras = enabled.map((camera) => {
    const camLog = log.child({ camera: camera.id });
    return new CameraPipeline({
      site: config.site,
      camera,
      source: resolveSourceUrl(camera.source.url, {
        mediaDir: config.mediaDir,
        configDir: path.resolve(configDir),
      }),
      pool,
      timezone: config.timezone,
      log: camLog,
      emitEvent: publishEvent,
      emitStatus: (state, reason) => void publisher.publishStatus(camera.id, state, reason ? { reason } : {}),
      ringDir: path.resolve(config.dataDir, 'ring', camera.id),
    });
  });
  for (const c of cameras) c.start();

  const metrics = new EdgeMetrics({
    cameras: () => Object.fromEntries(cameras.map((c, i) => [enabled[i]!.id, c.stats])),
    brokerConnected: () => publisher.connected,
    eventsPublished: () => eventsPublished,
  });
  cameras.forEach((c, i) => c.observeTimings((t) => metrics.observe(enabled[i]!.id, t)));
  const server = await startEdgeServer({
    ...config.http,
    registry: metrics.registry,
    ready: () => {
      const checks = {
        broker: publisher.connected,
        camerasFramed: cameras.filter((c) => c.stats.framesIn > 0).length,
      };
      return { ok: checks.broker, checks };
    },
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') throw err;
    log.error({ port: config.http.port }, 'ops port in use; serving /metrics on a free port instead');
    return startEdgeServer({
      ...config.http,
      port: 0,
      registry: metrics.registry,
      ready: () => ({ ok: publisher.connected, checks: {} }),
    });
  });
  log.info({ url: server.url }, 'edge metrics and health');

  return {
    opsUrl: server.url,
    observeTimings: (listener) =>
      cameras.forEach((c, i) => c.observeTimings((t) => listener(enabled[i]!.id, t))),
    ended: Promise.all(cameras.map((c) => c.ended)).then(() => undefined),
    stats: () => ({
      cameras: Object.fromEntries(cameras.map((c, i) => [enabled[i]!.id, { ...c.stats }])),
      eventsPublished,
      publishFailures,
    }),
    async stop() {
      await Promise.all(cameras.map((c) => c.stop()));
      await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => setTimeout(r, 3000))]);
      await publisher.close();
      await detector.close();
      await server.close();
    },
  };
}
