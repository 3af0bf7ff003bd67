// Edge Prometheus metrics: per-camera stage latency histograms observed per frame; every counter and gauge is
// read from the pipeline's own stats at scrape time (no prom-client work on the per-frame path beyond one histogram).
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { mirroredCounter } from '../../lib/mirrored-counter.ts';
import type { CameraStats, FrameTimings } from '../camera-pipeline.ts';
import type { ViewGuardMetrics } from '../view/view-guard-stage.ts';

/** Stage label -> FrameTimings field. */
const STAGES = {
  decode_wait: 'decodeWaitMs',
  queue_wait: 'queueWaitMs',
  preprocess: 'preprocessMs',
  inference: 'inferenceMs',
  postprocess: 'postprocessMs',
  track: 'trackMs',
  view: 'viewMs',
  rules: 'rulesMs',
  publish: 'publishMs',
} as const satisfies Record<string, keyof FrameTimings>;

// 0.1 ms to 2 s: tracking and rules sit well under 1 ms, inference at 10-60 ms, stalls in the top buckets.
const STAGE_BUCKETS_S = [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2];

export interface EdgeMetricSources {
  cameras: () => Record<string, CameraStats & { online?: boolean }>;
  brokerConnected: () => boolean;
  eventsPublished: () => number;
  /** Outbox state, once there is an outbox. */
  outbox?: () => { events: number; bytes: number; oldestAgeS: number };
  /** Frames waiting for the shared detector. */
  detectorQueueDepth?: () => number;
  /** Each camera's view guard (cameras with it disabled are absent). */
  views?: () => Record<string, ViewGuardMetrics>;
}

export class EdgeMetrics {
  readonly registry = new Registry();
  private readonly stageSeconds: Histogram<'camera' | 'stage'>;

  constructor(sources: EdgeMetricSources, opts: { defaultMetrics?: boolean } = {}) {
    const r = this.registry;
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: r, prefix: 'matthan_edge_' });
    this.stageSeconds = new Histogram({
      name: 'matthan_edge_stage_seconds',
      help: 'Per-frame latency of each pipeline stage',
      labelNames: ['camera', 'stage'],
      buckets: STAGE_BUCKETS_S,
      registers: [r],
    });
    const perCamera = (field: keyof CameraStats) => () =>
      Object.entries(sources.cameras()).map(([camera, s]) => ({ labels: { camera }, value: s[field] }));
    mirroredCounter(
      r,
      'matthan_edge_frames_in_total',
      'Frames delivered by ffmpeg',
      ['camera'],
      perCamera('framesIn'),
    );
    mirroredCounter(
      r,
      'matthan_edge_frames_processed_total',
      'Frames run through detection, tracking and rules',
      ['camera'],
      perCamera('framesProcessed'),
    );
    mirroredCounter(
      r,
      'matthan_edge_frames_dropped_total',
      'Frames replaced by a newer one before the detector took them (latest frame wins)',
      ['camera'],
      perCamera('framesDropped'),
    );
    mirroredCounter(
      r,
      'matthan_edge_detections_total',
      'Detections after filtering',
      ['camera'],
      perCamera('detections'),
    );
    mirroredCounter(
      r,
      'matthan_edge_events_total',
      'Rule events emitted (start/update/end)',
      ['camera'],
      perCamera('events'),
    );
    mirroredCounter(
      r,
      'matthan_edge_events_published_total',
      'Events acknowledged by the broker (PUBACK)',
      [],
      () => [{ labels: {}, value: sources.eventsPublished() }],
    );
    new Gauge({
      name: 'matthan_edge_camera_online',
      help: '1 while the camera delivers frames, 0 while offline',
      labelNames: ['camera'],
      registers: [r],
      collect() {
        for (const [camera, s] of Object.entries(sources.cameras()))
          if (s.online !== undefined) this.set({ camera }, s.online ? 1 : 0);
      },
    });
    new Gauge({
      name: 'matthan_edge_broker_connected',
      help: '1 while the MQTT connection is up',
      registers: [r],
      collect() {
        this.set(sources.brokerConnected() ? 1 : 0);
      },
    });
    if (sources.detectorQueueDepth) {
      const read = sources.detectorQueueDepth;
      new Gauge({
        name: 'matthan_edge_detector_queue_depth',
        help: 'Frames waiting for the shared detector',
        registers: [r],
        collect() {
          this.set(read());
        },
      });
    }
    if (sources.views) {
      const read = sources.views;
      const perView = (pick: (v: ViewGuardMetrics) => number) => () =>
        Object.entries(read()).map(([camera, v]) => ({ labels: { camera }, value: pick(v) }));
      mirroredCounter(
        r,
        'matthan_edge_view_pauses_total',
        "Times the camera's rules were paused because its view moved or could not be measured",
        ['camera'],
        perView((v) => v.pauses),
      );
      mirroredCounter(
        r,
        'matthan_edge_view_paused_frames_total',
        'Analysed frames whose detections the view guard held back (rules paused)',
        ['camera'],
        perView((v) => v.pausedFrames),
      );
      mirroredCounter(
        r,
        'matthan_edge_view_estimates_total',
        "Full measurements of the camera's view against its reference",
        ['camera'],
        perView((v) => v.estimates),
      );
      mirroredCounter(
        r,
        'matthan_edge_view_checks_total',
        'Analysed frames the per-frame check found the view unchanged on (no full measurement needed)',
        ['camera'],
        perView((v) => v.checks),
      );
      const viewGauge = (name: string, help: string, pick: (v: ViewGuardMetrics) => number) =>
        new Gauge({
          name,
          help,
          labelNames: ['camera'],
          registers: [r],
          collect() {
            for (const [camera, v] of Object.entries(read())) this.set({ camera }, pick(v));
          },
        });
      viewGauge('matthan_edge_view_paused', "1 while the camera's rules are paused by its view guard", (v) =>
        v.paused ? 1 : 0,
      );
      viewGauge(
        'matthan_edge_view_scale',
        'Zoom of the view against its reference (1 = as drawn)',
        (v) => v.scale,
      );
      viewGauge(
        'matthan_edge_view_move_ratio',
        'Largest movement of any point of the view against its reference, as a fraction of the width',
        (v) => v.maxMoveNorm,
      );
    }
    if (sources.outbox) {
      const read = sources.outbox;
      const gauge = (name: string, help: string, pick: (o: ReturnType<typeof read>) => number) =>
        new Gauge({
          name,
          help,
          registers: [r],
          collect() {
            this.set(pick(read()));
          },
        });
      gauge(
        'matthan_edge_outbox_events',
        "Events in the outbox awaiting central's acknowledgement (broker mode: PUBACK)",
        (o) => o.events,
      );
      gauge('matthan_edge_outbox_bytes', 'Bytes held by the outbox (events and evidence)', (o) => o.bytes);
      gauge(
        'matthan_edge_outbox_oldest_age_seconds',
        'Age of the oldest undelivered outbox entry',
        (o) => o.oldestAgeS,
      );
    }
  }

  observe(camera: string, t: FrameTimings): void {
    for (const [stage, field] of Object.entries(STAGES))
      this.stageSeconds.observe({ camera, stage }, t[field] / 1000);
  }
}
