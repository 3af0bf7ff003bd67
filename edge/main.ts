// The edge box, as a table of contents: resolve the model, start the detector, the publisher and every camera.
import path from 'node:path';
import type { MatthanEvent } from '../contract/index.ts';
import { logger } from '../lib/log.ts';
import { modelsDir } from '../models/asset-dirs.ts';
import { resolveModel } from '../models/resolve.ts';
import { CameraPipeline, type CameraStats, type FrameTimings } from './camera-pipeline.ts';
import { OnnxAttributeClassifier } from './classify/onnx-attribute-classifier.ts';
import type { EdgeConfig } from './config/schema.ts';
import { createDetector } from './detect/create-detector.ts';
import { DetectorPool } from './detect/detector-pool.ts';
import { EvidenceRecorder, type RecorderCamera, type RingLike } from './evidence/evidence-recorder.ts';
import { startEdgeServer } from './http/edge-server.ts';
import { resolveSourceUrl } from './ingest/source-url.ts';
import { EdgeMetrics } from './metrics/edge-metrics.ts';
import { healthFields } from './publish/camera-health.ts';
import { registerDeliveryMetrics } from './publish/delivery-metrics.ts';
import { type DeliveryMetrics, EdgeDelivery } from './publish/edge-delivery.ts';
import { createSignalSource } from './signal/create-signal-source.ts';

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
  stats(): {
    cameras: Record<string, CameraStats>;
    eventsPublished: number;
    publishFailures: number;
    delivery: DeliveryMetrics;
  };
  stop(): Promise<void>;
}

export async function startEdge(config: EdgeConfig, opts: EdgeOptions = {}): Promise<EdgeHandle> {
  const log = logger('edge', { site: config.site });
  const configDir = opts.configDir ?? process.cwd();
  const model = resolveModel(config.detector, { modelsDir: config.modelsDir, configDir });
  const detector = await createDetector(model, config.detector);
  log.info(
    {
      model: model.name,
      family: model.family,
      input: detector.frameSpec,
      executionProvider: config.detector.executionProvider,
      intraOpThreads: config.detector.intraOpThreads,
    },
    'detector loaded',
  );
  const pool = new DetectorPool(detector);
  // Events go to the durable outbox first and leave it on PUBACK; evidence files go to central over HTTP.
  const delivery = new EdgeDelivery(config, log);
  const publisher = delivery.publisher;
  let recorder: EvidenceRecorder | undefined;
  const publishEvent = (event: MatthanEvent) => {
    try {
      delivery.publishEvent(recorder ? recorder.attach(event) : event);
      lastEventTs.set(event.camera, event.ts);
    } catch (err) {
      // The outbox refused the write (disk full, I/O error): the one place an event can be lost, so say so loudly.
      log.error({ camera: event.camera, event: event.id, err: (err as Error).message }, 'event not queued');
    }
  };
  const eventsPublished = () => delivery.sender.counters.acked;
  const lastEventTs = new Map<string, number>();

  const enabled = config.cameras.filter((c) => c.enabled);
  // Second-stage classifiers (camera.classifier, e.g. a helmet model the user brings), one session per camera.
  const classifiers = new Map<string, OnnxAttributeClassifier>();
  for (const c of enabled) {
    if (!c.classifier) continue;
    const file = path.resolve(modelsDir(config.modelsDir), c.classifier.model);
    classifiers.set(c.id, await OnnxAttributeClassifier.load(file, c.classifier));
  }
  const signals = enabled.map((camera) =>
    createSignalSource(camera.signal, {
      client: publisher.client,
      log: log.child({ camera: camera.id, part: 'signal' }),
    }),
  );
  const cameras = enabled.map((camera, ci) => {
    const camLog = log.child({ camera: camera.id });
    const signal = signals[ci];
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
      emitStatus: (state, reason) => delivery.publishStatus(camera.id, state, reason),
      ringDir: path.resolve(config.dataDir, 'ring', camera.id),
      attributeClassifier: classifiers.get(camera.id),
      signal: signal ? () => signal.state() : undefined,
      signalFrame: signal?.onFrame ? (f) => signal.onFrame?.(f) : undefined,
    });
  });
  if (config.evidence.enabled) {
    const ringOf = (p: CameraPipeline) => (p as unknown as { ring?: RingLike }).ring;
    const recorderCameras = new Map<string, RecorderCamera>(
      cameras.map((c, i) => {
        const cam = enabled[i]!;
        return [cam.id, { ring: ringOf(c), name: cam.name, zones: cam.zones, lines: cam.lines }];
      }),
    );
    recorder = new EvidenceRecorder(
      delivery,
      recorderCameras,
      { ...config.evidence, timezone: config.timezone },
      log.child({ part: 'evidence' }),
    );
    recorder.start();
  }
  for (const c of cameras) c.start();

  const metrics = new EdgeMetrics({
    cameras: () =>
      Object.fromEntries(
        cameras.map((c, i) => [enabled[i]!.id, { ...c.stats, online: c.source.state === 'online' }]),
      ),
    brokerConnected: () => publisher.connected,
    eventsPublished,
    detectorQueueDepth: () => pool.depth,
    outbox: () => {
      const m = delivery.metrics();
      return {
        events: m.outboxMessages,
        bytes: m.outboxMessageBytes + m.evidenceBytes,
        oldestAgeS: Math.max(m.outboxOldestMessageAgeS, m.evidenceOldestAgeS),
      };
    },
  });
  registerDeliveryMetrics(metrics.registry, () => delivery.metrics());
  cameras.forEach((c, i) => {
    c.observeTimings((t) => metrics.observe(enabled[i]!.id, t));
  });
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

  // Retained per-camera health (fps, drops, last event) for central's camera panel, on top of the
  // online/offline transitions ingest reports as they happen.
  let samples = cameras.map((c) => ({ atMs: Date.now(), stats: { ...c.stats } }));
  const healthTimer = setInterval(() => {
    const now = cameras.map((c) => ({ atMs: Date.now(), stats: { ...c.stats } }));
    cameras.forEach((c, i) => {
      const id = enabled[i]!.id;
      if (c.source.state !== 'online') return;
      delivery.publishStatus(
        id,
        'online',
        undefined,
        healthFields(samples[i]!, now[i]!, lastEventTs.get(id)),
      );
    });
    samples = now;
  }, config.statusIntervalS * 1000);
  healthTimer.unref();

  return {
    opsUrl: server.url,
    observeTimings: (listener) => {
      cameras.forEach((c, i) => {
        c.observeTimings((t) => listener(enabled[i]!.id, t));
      });
    },
    ended: Promise.all(cameras.map((c) => c.ended)).then(() => undefined),
    stats: () => ({
      cameras: Object.fromEntries(cameras.map((c, i) => [enabled[i]!.id, { ...c.stats }])),
      eventsPublished: eventsPublished(),
      publishFailures: delivery.sender.counters.failures,
      delivery: delivery.metrics(),
    }),
    async stop() {
      clearInterval(healthTimer);
      await Promise.all(cameras.map((c) => c.stop()));
      for (const s of signals) s?.close();
      for (const c of classifiers.values()) await c.close();
      recorder?.stop();
      // Up to 3 s to deliver what is queued; anything left is replayed from the outbox on the next start.
      await delivery.close(3000);
      await detector.close();
      await server.close();
    },
  };
}
