// Prometheus series of plate reading: jobs, drops at the queue bound, frames read, verdicts, queue depth, OCR time.
import { Gauge, type Registry } from 'prom-client';
import { mirroredCounter } from '../../lib/mirrored-counter.ts';
import type { PlateCounters } from './plate-service.ts';

export function registerPlateMetrics(
  registry: Registry,
  read: () => { counters: PlateCounters; queueDepth: number },
): void {
  new Gauge({
    name: 'matthan_edge_plate_queue_depth',
    help: 'Plate jobs (one vehicle each) waiting for the OCR',
    registers: [registry],
    collect() {
      this.set(read().queueDepth);
    },
  });
  const counter = (name: string, help: string, pick: (c: PlateCounters) => number) =>
    mirroredCounter(registry, name, help, [], () => [{ labels: {}, value: pick(read().counters) }]);
  counter('matthan_edge_plate_jobs_total', 'Vehicles queued for a plate read', (c) => c.jobs);
  counter(
    'matthan_edge_plate_jobs_dropped_total',
    'Plate jobs dropped because the queue was at plates.queueLimit (the CPU budget)',
    (c) => c.dropped,
  );
  counter('matthan_edge_plate_frames_read_total', 'Full-resolution frames the OCR read', (c) => c.framesRead);
  counter('matthan_edge_plate_readable_total', 'Plate votes that gave a plate', (c) => c.readable);
  counter(
    'matthan_edge_plate_unreadable_total',
    'Plate votes that gave no plate (unreadable)',
    (c) => c.unreadable,
  );
  counter(
    'matthan_edge_plate_failed_total',
    'Plate jobs that failed (frames gone, decode error)',
    (c) => c.failed,
  );
  counter(
    'matthan_edge_plate_ends_timed_out_total',
    'End messages sent without their plate after plates.holdEndS',
    (c) => c.endsTimedOut,
  );
  counter(
    'matthan_edge_plate_ocr_seconds_total',
    'CPU-bound OCR time (det + rec)',
    (c) => (c.detMs + c.recMs) / 1000,
  );
}
