// Prometheus series for evidence delivery (queue size and age, trims, uploads), read from EdgeDelivery at scrape time.
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
