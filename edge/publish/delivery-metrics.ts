// Prometheus series for delivery (events awaiting central's acknowledgement, evidence queue, trims, uploads), read
// from EdgeDelivery at scrape time.
import { Gauge, type Registry } from 'prom-client';
import { mirroredCounter } from '../../lib/mirrored-counter.ts';
import type { DeliveryMetrics } from './edge-delivery.ts';

export function registerDeliveryMetrics(registry: Registry, read: () => DeliveryMetrics): void {
  const gauge = (name: string, help: string, pick: (m: DeliveryMetrics) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(pick(read()));
      },
    });
  gauge(
    'matthan_edge_events_awaiting_central',
    'Events in the outbox not yet acknowledged by central (in broker mode: by the broker); sent or not',
    (m) => m.outboxMessages,
  );
  gauge(
    'matthan_edge_events_awaiting_central_oldest_age_seconds',
    'Age of the oldest event not yet acknowledged by central (0 when none)',
    (m) => m.outboxOldestMessageAgeS,
  );
  gauge(
    'matthan_edge_events_sent_awaiting_central',
    'Events the broker took (PUBACK) and central has not acknowledged yet',
    (m) => m.eventsSentAwaitingCentral,
  );
  gauge(
    'matthan_edge_evidence_queued',
    'Evidence items waiting for capture or upload',
    (m) => m.evidenceQueued,
  );
  gauge('matthan_edge_evidence_bytes', 'Bytes of evidence files waiting for upload', (m) => m.evidenceBytes);
  gauge(
    'matthan_edge_evidence_oldest_age_seconds',
    'Age of the oldest evidence item not yet uploaded',
    (m) => m.evidenceOldestAgeS,
  );
  const counter = (name: string, help: string, pick: (m: DeliveryMetrics) => number) =>
    mirroredCounter(registry, name, help, [], () => [{ labels: {}, value: pick(read()) }]);
  counter(
    'matthan_edge_events_central_acked_total',
    'Events central acknowledged as stored (then deleted from the outbox)',
    (m) => m.eventsCentralAcked,
  );
  counter(
    'matthan_edge_events_refused_total',
    'Events central refused and keeps in its quarantine (deleted from the outbox; see central GET /api/quarantine)',
    (m) => m.eventsRefused,
  );
  counter(
    'matthan_edge_events_resent_total',
    "Events sent again because central's acknowledgement did not come in time (broker drops, lost acks)",
    (m) => m.eventsResent,
  );
  counter(
    'matthan_edge_evidence_trimmed_total',
    'Evidence files deleted by the outbox disk quota (oldest first; events are never dropped)',
    (m) => m.evidenceTrimmed,
  );
  counter(
    'matthan_edge_evidence_trimmed_bytes_total',
    'Bytes of evidence deleted by the quota',
    (m) => m.evidenceTrimmedBytes,
  );
  counter(
    'matthan_edge_evidence_uploaded_total',
    'Evidence files accepted by central',
    (m) => m.evidenceUploaded,
  );
  counter(
    'matthan_edge_evidence_upload_failures_total',
    'Evidence uploads that failed and will be retried',
    (m) => m.evidenceUploadFailures,
  );
}
