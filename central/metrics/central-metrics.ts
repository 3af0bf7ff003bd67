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
    afterVerdict?: number;
    /** Crash-loop guard: quarantined on redelivery / processed one by one after central stopped mid-batch. */
    poisonQuarantined?: number;
    isolated?: number;
  };
  /** Central's end-to-end acknowledgements to the edges (messages, entries, publish failures). */
  acks?: () => { messages: number; entries: number; failures: number };
  brokerConnected: () => boolean;
  /** Refusals of the embedded broker (bad logins, unauthorised publishes and subscriptions). */
  brokerRefused?: () => { connect: number; publish: number; subscribe: number };
  incidentsByStatus?: () => Record<string, number>;
  /** Monotonic forwarder delivery counters, keyed by forwarder id. */
  forwarding?: () => Record<
    string,
    {
      delivered: number;
      failed: number;
      /** Given up after max attempts, plus messages that could not be built or written. */
      deadLettered: number;
      pending: number;
      buildFailures?: number;
      enqueueFailures?: number;
    }
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
    mirroredCounter(
      r,
      'matthan_central_poison_quarantined_total',
      'Messages quarantined on redelivery because central stopped while processing them alone (crash-loop guard)',
      [],
      () => [{ labels: {}, value: sources.ingest().poisonQuarantined ?? 0 }],
    );
    mirroredCounter(
      r,
      'matthan_central_isolated_total',
      'Messages processed one by one because central stopped while their batch was in flight',
      [],
      () => [{ labels: {}, value: sources.ingest().isolated ?? 0 }],
    );
    if (sources.acks) {
      const acks = sources.acks;
      mirroredCounter(
        r,
        'matthan_central_acks_published_total',
        "Acknowledgement entries ([id, seq] stored or refused) published to the edges' ack topics",
        [],
        () => [{ labels: {}, value: acks().entries }],
      );
      mirroredCounter(
        r,
        'matthan_central_ack_publish_failures_total',
        'Acknowledgement messages the broker did not take (the edges re-send; dedup answers again)',
        [],
        () => [{ labels: {}, value: acks().failures }],
      );
    }
    mirroredCounter(
      r,
      'matthan_central_events_after_verdict_total',
      'Messages of reviewed incidents: stored with their events, not applied (the incident is frozen)',
      [],
      () => [{ labels: {}, value: sources.ingest().afterVerdict ?? 0 }],
    );
    if (sources.brokerRefused) {
      const read = sources.brokerRefused;
      mirroredCounter(
        r,
        'matthan_central_broker_refused_total',
        'Embedded broker refusals: connect (bad login, client id of another user), publish, subscribe',
        ['kind'],
        () => Object.entries(read()).map(([kind, value]) => ({ labels: { kind }, value })),
      );
    }
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
        'Alerts dead-lettered: given up after max attempts, or never built or written (see ..._failures_total)',
        ['forwarder'],
        rows('deadLettered'),
      );
      mirroredCounter(
        r,
        'matthan_central_forward_failures_total',
        'Alerts that could not be made: the format could not be built from the incident, or the outbox write failed',
        ['forwarder', 'failure'],
        () =>
          Object.entries(read()).flatMap(([forwarder, c]) => [
            { labels: { forwarder, failure: 'build' }, value: c.buildFailures ?? 0 },
            { labels: { forwarder, failure: 'enqueue' }, value: c.enqueueFailures ?? 0 },
          ]),
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
