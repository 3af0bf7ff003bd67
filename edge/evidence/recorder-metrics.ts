// Prometheus series for evidence capture (backlog, oldest pending age, captures done, captures lost by reason),
// read from the EvidenceRecorder at scrape time.
import { Gauge, type Registry } from 'prom-client';
import { mirroredCounter } from '../../lib/mirrored-counter.ts';
import { LOST_REASONS } from './capture-decision.ts';
import type { RecorderMetrics } from './evidence-recorder.ts';

export function registerRecorderMetrics(registry: Registry, read: () => RecorderMetrics): void {
  new Gauge({
    name: 'matthan_edge_evidence_capture_backlog',
    help: 'Evidence captures (snapshot decodes, clip cuts) pending or running',
    registers: [registry],
    collect() {
      this.set(read().backlog);
    },
  });
  new Gauge({
    name: 'matthan_edge_evidence_capture_oldest_pending_age_seconds',
    help: 'Age of the event time of the oldest pending capture (0 when none); near ring.seconds + heldMaxS, captures get lost',
    registers: [registry],
    collect() {
      this.set(read().oldestPendingAgeS);
    },
  });
  mirroredCounter(
    registry,
    'matthan_edge_evidence_captures_total',
    'Evidence captured, by kind (snapshot: the annotated and clean pair of one event time; clip)',
    ['kind'],
    () => {
      const c = read().counters;
      return [
        { labels: { kind: 'snapshot' }, value: c.snapshots },
        { labels: { kind: 'clip' }, value: c.clips },
      ];
    },
  );
  mirroredCounter(
    registry,
    'matthan_edge_evidence_captures_lost_total',
    'Evidence captures given up, by reason (segment_expired: the backlog outlived the ring and its held seconds; ' +
      'not_recorded: no footage of that time; ring_stalled: none arrived in captureTimeoutS; capture_failed: ' +
      'ffmpeg failed after retries; no_ring)',
    ['reason'],
    () => {
      const lost = read().counters.lost;
      return LOST_REASONS.map((reason) => ({ labels: { reason }, value: lost[reason] }));
    },
  );
  mirroredCounter(
    registry,
    'matthan_edge_evidence_snapshot_decodes_total',
    'ffmpeg runs that decoded snapshot frames (one run serves the events whose frames share a segment)',
    [],
    () => [{ labels: {}, value: read().counters.snapshotRuns }],
  );
}
