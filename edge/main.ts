// The edge box, as a table of contents: resolve the model, start the detector, the publisher and every camera.
import path from 'node:path';
import type { MatthanEvent, StatusMessage } from '../contract/index.ts';
import { logger } from '../lib/log.ts';
import { modelsDir } from '../models/asset-dirs.ts';
import { CameraPipeline, type CameraStats, type FrameTimings } from './camera-pipeline.ts';
import { OnnxAttributeClassifier } from './classify/onnx-attribute-classifier.ts';
import type { EdgeConfig } from './config/schema.ts';
import { DetectorPool } from './detect/detector-pool.ts';
import { loadDetector } from './detect/load-detector.ts';
import { EvidenceRecorder, type RecorderCamera, type RecorderMetrics } from './evidence/evidence-recorder.ts';
import { registerRecorderMetrics } from './evidence/recorder-metrics.ts';
import { startEdgeServer } from './http/edge-server.ts';
import { resolveSourceUrl } from './ingest/source-url.ts';
import { EdgeMetrics } from './metrics/edge-metrics.ts';
import { registerPlateMetrics } from './plate/plate-metrics.ts';
import type { PlateCounters } from './plate/plate-service.ts';
import { type PlatesHandle, startPlates } from './plate/start-plates.ts';
import { healthFields } from './publish/camera-health.ts';
import { cameraScene } from './publish/camera-scene.ts';
import { CameraViewReporter } from './publish/camera-view-reporter.ts';
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
    /** Evidence capture (undefined when evidence is off). */
    evidence?: RecorderMetrics;
    /** Plate reading (undefined when no camera reads plates). */
    plates?: PlateCounters & { pending: number; queued: number };
  };
  stop(): Promise<void>;
}

export async function startEdge(config: EdgeConfig, opts: EdgeOptions = {}): Promise<EdgeHandle> {
  const log = logger('edge', { site: config.site });
  const configDir = opts.configDir ?? process.cwd();
  // A camera-shaped input (detector.inputShape) is a copy of the shared model derived into the data directory.
  const { detector, model, derived } = await loadDetector(config.detector, {
    modelsDir: config.modelsDir,
    configDir,
    dataDir: config.dataDir,
  });
  log.info(
    {
      model: model.name,
      family: model.family,
      ...(derived ? { derivedModel: derived.file, derivedSha256: derived.sha256 } : {}),
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
  let plates: PlatesHandle | undefined;
  const deliverEvent = (event: MatthanEvent) => {
    try {
      delivery.publishEvent(event);
      lastEventTs.set(event.camera, event.ts);
    } catch (err) {
      // The outbox refused the write (disk full, I/O error): the one place an event can be lost, so say so loudly.
      log.error({ camera: event.camera, event: event.id, err: (err as Error).message }, 'event not queued');
    }
  };
  // Evidence ids first, then the plate (an end message may wait for its plate read, see edge/plate).
  const publishEvent = (event: MatthanEvent) => {
    let e = event;
    try {
      if (recorder) e = recorder.attach(event);
    } catch (err) {
      log.error(
        { camera: event.camera, event: event.id, err: (err as Error).message },
        'evidence not attached',
      );
    }
    if (plates) plates.handle(e);
    else deliverEvent(e);
  };
  // Taken by the broker (PUBACK); central's acknowledgements are matthan_edge_events_central_acked_total.
  const eventsPublished = () => delivery.sender.counters.published;
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
  // The health fields last published per camera: a view change republishes them with the new view.
  const lastHealth = new Map<string, Partial<StatusMessage>>();
  const cameras = enabled.map((camera, ci) => {
    const camLog = log.child({ camera: camera.id });
    const signal = signals[ci];
    const reference = camera.viewGuard.referenceImage;
    return new CameraPipeline({
      site: config.site,
      camera,
      source: resolveSourceUrl(camera.source.url, {
        mediaDir: config.mediaDir,
        configDir: path.resolve(configDir),
      }),
      analysisSource: camera.source.analysisUrl
        ? resolveSourceUrl(camera.source.analysisUrl, {
            mediaDir: config.mediaDir,
            configDir: path.resolve(configDir),
          })
        : undefined,
      pool,
      nmsIou: config.detector.nmsIou,
      timezone: config.timezone,
      log: camLog,
      emitEvent: publishEvent,
      emitStatus: (state, reason) => delivery.publishStatus(camera.id, state, reason),
      ringDir: path.resolve(config.dataDir, 'ring', camera.id),
      attributeClassifier: classifiers.get(camera.id),
      signal: signal ? () => signal.state() : undefined,
      signalFrame: signal?.onFrame ? (f) => signal.onFrame?.(f) : undefined,
      viewReferenceFile: reference ? path.resolve(configDir, reference) : undefined,
      onViewChange: (view) =>
        delivery.publishStatus(camera.id, 'online', undefined, { ...lastHealth.get(camera.id), view }),
      onTracks: (tsMs, tracks) => plates?.service.observe(camera.id, tsMs, tracks),
    });
  });
  if (config.evidence.enabled) {
    const recorderCameras = new Map<string, RecorderCamera>(
      cameras.map((c, i) => {
        const cam = enabled[i]!;
        return [cam.id, { ring: c.ring, name: cam.name, zones: cam.zones, lines: cam.lines }];
      }),
    );
    recorder = new EvidenceRecorder(
      delivery,
      recorderCameras,
      { ...config.evidence, timezone: config.timezone },
      log.child({ part: 'evidence' }),
    );
    // Before the cameras start: pending captures of the last run hold their ring segments from the first one on.
    recorder.start();
  }
  plates = await startPlates(
    config.plates,
    cameras.map((c, i) => ({ id: enabled[i]!.id, plates: enabled[i]!.plates, ring: c.ring })),
    { deliver: deliverEvent, sink: delivery, log: log.child({ part: 'plates' }) },
  );
  for (const c of cameras) c.start();
  // Reviewers see the geometry and names the rules use, drawn over the evidence.
  for (const cam of enabled) delivery.notices?.scene(config.site, cam.id, cameraScene(cam));
  // The cameras page shows what each camera sees now, not only the frame of its last incident.
  const notices = delivery.notices;
  const viewReporter =
    notices && config.central && config.central.viewSnapshotS > 0
      ? new CameraViewReporter({
          cameras: cameras.map((c, i) => ({ id: enabled[i]!.id, ring: c.ring })),
          intervalMs: config.central.viewSnapshotS * 1000,
          send: (camera, jpeg, tsMs) => notices.view(config.site, camera, jpeg, tsMs),
          log: log.child({ part: 'camera-view' }),
        })
      : undefined;
  viewReporter?.start();

  const metrics = new EdgeMetrics({
    cameras: () =>
      Object.fromEntries(
        cameras.map((c, i) => [enabled[i]!.id, { ...c.stats, online: c.source.state === 'online' }]),
      ),
    brokerConnected: () => publisher.connected,
    eventsPublished,
    detectorQueueDepth: () => pool.depth,
    views: () =>
      Object.fromEntries(
        cameras.flatMap((c, i) => (c.view ? [[enabled[i]!.id, c.view.metrics()] as const] : [])),
      ),
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
  const rec = recorder;
  if (rec) registerRecorderMetrics(metrics.registry, () => rec.metrics());
  if (plates) {
    const service = plates.service;
    registerPlateMetrics(metrics.registry, () => ({
      counters: service.counters,
      queueDepth: service.queueDepth,
    }));
  }
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
      const health = healthFields(samples[i]!, now[i]!, lastEventTs.get(id));
      lastHealth.set(id, health);
      const view = c.view?.status();
      delivery.publishStatus(id, 'online', undefined, view ? { ...health, view } : health);
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
      ...(recorder ? { evidence: recorder.metrics() } : {}),
      ...(plates
        ? {
            plates: {
              ...plates.service.counters,
              pending: plates.service.pending,
              queued: plates.service.queueDepth,
            },
          }
        : {}),
    }),
    async stop() {
      clearInterval(healthTimer);
      await viewReporter?.stop();
      await Promise.all(cameras.map((c) => c.stop()));
      await plates?.stop();
      for (const s of signals) s?.close();
      for (const c of classifiers.values()) await c.close();
      // Captures stop (running ffmpeg jobs are killed, the rest stays pending in the outbox and resumes after the
      // next start) before the outbox they write to is closed.
      await recorder?.stop();
      // Up to 3 s to deliver what is queued; anything left is replayed from the outbox on the next start.
      await delivery.close(3000);
      await detector.close();
      await server.close();
    },
  };
}
