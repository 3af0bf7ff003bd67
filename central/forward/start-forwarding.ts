// Wires forwarding into central: subscribes to incident changes and review verdicts, starts the senders.
import type { Logger } from '../../lib/log.ts';
import type { Db } from '../store/database.ts';
import type { Incident } from '../store/incident-store.ts';
import type { ForwardMetrics } from './forward-metrics.ts';
import type { ForwardingConfig } from './forward-schema.ts';
import type { CameraInfo } from './forwarder.ts';
import { type ForwardingDeps, ForwardingService } from './forwarding-service.ts';

// whatever the hook returns; a function is taken as the unsubscribe
type Unsubscribe = unknown;

export interface StartForwardingOptions {
  db: Db;
  incidents: { get(id: string): Incident | undefined };
  onIncident: (listener: (incidentId: string, created: boolean) => void) => Unsubscribe;
  onVerdict?: (
    listener: (
      incident: Incident,
      verdict: 'confirmed' | 'rejected',
      reviewer: string,
      note?: string,
    ) => void,
  ) => Unsubscribe;
  cameras?: ReadonlyArray<{
    site: string;
    id: string;
    name?: string;
    location?: { lat: number; lon: number };
  }>;
  config: ForwardingConfig;
  publicUrl: string | (() => string);
  /** Size and digests of a stored evidence file, for the alerts' resources. */
  evidenceFile?: ForwardingDeps['evidenceFile'];
  log: Logger;
  metrics?: ForwardMetrics;
  now?: () => number;
}

export interface ForwardingHandle {
  service: ForwardingService;
  stop(): Promise<void>;
}

export function startForwarding(o: StartForwardingOptions): ForwardingHandle {
  const cameras: CameraInfo[] = (o.cameras ?? []).map((c) => ({
    site: c.site,
    id: c.id,
    name: c.name,
    location: c.location,
  }));
  const service = new ForwardingService({
    db: o.db,
    incidents: o.incidents,
    config: o.config,
    publicUrl: o.publicUrl,
    evidenceFile: o.evidenceFile,
    cameras,
    log: o.log,
    metrics: o.metrics,
    now: o.now,
  });
  const unsubscribe = [
    o.onIncident((id) => service.handleIncident(id)),
    o.onVerdict?.((incident, verdict, reviewer, note) =>
      service.handleVerdict(incident, verdict, reviewer, note),
    ),
  ];
  service.start();
  return {
    service,
    async stop() {
      for (const u of unsubscribe) if (typeof u === 'function') (u as () => unknown)();
      await service.stop();
    },
  };
}
