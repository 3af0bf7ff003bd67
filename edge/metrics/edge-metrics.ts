// Edge Prometheus metrics: one registry per edge process; per-camera stage latencies, fps, drops, outbox, broker.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The pipeline stages timed per frame (STYLE: decode wait, preprocess, inference, postprocess, track, rules, publish). */
export const STAGES = [
  'decode_wait',
  'preprocess',
  'inference',
  'postprocess',
  'track',
  'rules',
  'publish',
] as const;
export type Stage = (typeof STAGES)[number];

// Buckets from 0.5 ms to 2 s: inference on a 2-core box sits around 10-60 ms, stalls show in the top buckets.
const STAGE_BUCKETS_S = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2];

export class EdgeMetrics {
  readonly registry = new Registry();
  readonly stageSeconds = new Histogram({
    name: 'matthan_edge_stage_seconds',
    help: 'Per-frame latency of each pipeline stage',
    labelNames: ['camera', 'stage'] as const,
    buckets: STAGE_BUCKETS_S,
    registers: [this.registry],
  });
  readonly framesIn = new Counter({
    name: 'matthan_edge_frames_in_total',
    help: 'Frames delivered by ffmpeg',
    labelNames: ['camera'] as const,
    registers: [this.registry],
  });
  readonly framesProcessed = new Counter({
    name: 'matthan_edge_frames_processed_total',
    help: 'Frames run through detection, tracking and rules',
    labelNames: ['camera'] as const,
    registers: [this.registry],
  });
  readonly framesDropped = new Counter({
    name: 'matthan_edge_frames_dropped_total',
    help: 'Frames replaced by a newer one before the detector got to them (latest frame wins)',
    labelNames: ['camera'] as const,
    registers: [this.registry],
  });
  readonly detections = new Counter({
    name: 'matthan_edge_detections_total',
    help: 'Detections after filtering',
    labelNames: ['camera'] as const,
    registers: [this.registry],
  });
  readonly events = new Counter({
    name: 'matthan_edge_events_total',
    help: 'Rule events emitted (start/update/end)',
    labelNames: ['camera', 'rule_type', 'phase'] as const,
    registers: [this.registry],
  });
  readonly cameraOnline = new Gauge({
    name: 'matthan_edge_camera_online',
    help: '1 while the camera delivers frames, 0 while offline',
    labelNames: ['camera'] as const,
    registers: [this.registry],
  });
  readonly cameraRestarts = new Counter({
    name: 'matthan_edge_camera_restarts_total',
    help: 'ffmpeg restarts (reconnects, stalls)',
    labelNames: ['camera'] as const,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'matthan_edge_detector_queue_depth',
    help: 'Frames waiting for the shared detector',
    registers: [this.registry],
  });
  readonly brokerConnected = new Gauge({
    name: 'matthan_edge_broker_connected',
    help: '1 while the MQTT connection is up',
    registers: [this.registry],
  });
  readonly eventsPublished = new Counter({
    name: 'matthan_edge_events_published_total',
    help: 'Events acknowledged by the broker (PUBACK)',
    registers: [this.registry],
  });
  readonly outboxEvents = new Gauge({
    name: 'matthan_edge_outbox_events',
    help: 'Events in the outbox awaiting PUBACK',
    registers: [this.registry],
  });
  readonly outboxBytes = new Gauge({
    name: 'matthan_edge_outbox_bytes',
    help: 'Bytes held by the outbox (events and evidence)',
    registers: [this.registry],
  });
  readonly outboxOldestAgeSeconds = new Gauge({
    name: 'matthan_edge_outbox_oldest_age_seconds',
    help: 'Age of the oldest undelivered outbox entry',
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'matthan_edge_' });
  }

  /** Records one stage duration in milliseconds. */
  observeStage(camera: string, stage: Stage, ms: number): void {
    this.stageSeconds.observe({ camera, stage }, ms / 1000);
  }
}
