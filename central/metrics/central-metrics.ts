// Central Prometheus metrics. Counters owned by other modules are read at scrape time (collect), so the
// ingest hot path pays nothing for metrics and modules stay free of prom-client.
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { mirroredCounter } from '../../lib/mirrored-counter.ts';

export interface CentralMetricSources {
  /** Monotonic ingest counters (IngestService.counters). */
  ingest: () => {
    received: number;
    stored: number;
    duplicates: number;
    quarantined: number;
    incidentsCreated: number;
  };
  brokerConnected: () => boolean;
  incidentsByStatus?: () => Record<string, number>;
  /** Monotonic forwarder delivery counters, keyed by forwarder id. */
  forwarding?: () => Record<
    string,
    { delivered: number; failed: number; deadLettered: number; pending: number }
  >;
}

export class CentralMetrics {
  readonly registry = new Registry();

  constructor(sources: CentralMetricSources, opts: { defaultMetrics?: boolean } = {}) {
    const r = this.registry;
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: r, prefix: 'matthan_central_' });
    mirroredCounter(
      r,
      'matthan_central_messages_received_total',
      'MQTT messages received (events and status)',
      [],
      () => [{ labels: {}, value: sources.ingest().received }],
    );
    mirroredCounter(r, 'matthan_central_events_stored_total', 'Events stored (new (id, seq))', [], () => [
      { labels: {}, value: sources.ingest().stored },
    ]);
    mirroredCounter(
      r,
      'matthan_central_events_duplicate_total',
      'Redelivered events dropped by (id, seq) dedup',
      [],
      () => [{ labels: {}, value: sources.ingest().duplicates }],
    );
    mirroredCounter(
      r,
      'matthan_central_payloads_quarantined_total',
      'Invalid payloads kept in quarantine',
      [],
      () => [{ labels: {}, value: sources.ingest().quarantined }],
    );
    mirroredCounter(r, 'matthan_central_incidents_created_total', 'Incidents created', [], () => [
      { labels: {}, value: sources.ingest().incidentsCreated },
    ]);
    new Gauge({
      name: 'matthan_central_broker_connected',
      help: '1 while the MQTT subscription is connected',
      registers: [r],
      collect() {
        this.set(sources.brokerConnected() ? 1 : 0);
      },
    });
    if (sources.incidentsByStatus) {
      const read = sources.incidentsByStatus;
      new Gauge({
        name: 'matthan_central_incidents',
        help: 'Incidents by review status',
        labelNames: ['status'],
        registers: [r],
        collect() {
          for (const [status, n] of Object.entries(read())) this.set({ status }, n);
        },
      });
    }
    if (sources.forwarding) {
      const read = sources.forwarding;
      const rows = (field: 'delivered' | 'failed' | 'deadLettered') => () =>
        Object.entries(read()).map(([forwarder, c]) => ({ labels: { forwarder }, value: c[field] }));
      mirroredCounter(
        r,
        'matthan_central_forward_delivered_total',
        'Alerts delivered to the IOC',
        ['forwarder'],
        rows('delivered'),
      );
      mirroredCounter(
        r,
        'matthan_central_forward_failed_total',
        'Failed delivery attempts (retried)',
        ['forwarder'],
        rows('failed'),
      );
      mirroredCounter(
        r,
        'matthan_central_forward_dead_letter_total',
        'Alerts given up after max attempts',
        ['forwarder'],
        rows('deadLettered'),
      );
      new Gauge({
        name: 'matthan_central_forward_pending',
        help: 'Alerts waiting in the forwarding outbox',
        labelNames: ['forwarder'],
        registers: [r],
        collect() {
          for (const [forwarder, c] of Object.entries(read())) this.set({ forwarder }, c.pending);
        },
      });
    }
  }
}
