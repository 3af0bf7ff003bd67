// Central ingest: validate each payload against the contract, quarantine the bad ones, store the good ones once.
import { parsePayload, parseTopic, validateEvent, validateStatus } from '../../contract/index.ts';
import type { Logger } from '../../lib/log.ts';
import type { CameraStatusStore } from '../store/camera-status-store.ts';
import type { IncidentStore } from '../store/incident-store.ts';
import type { QuarantineStore } from '../store/quarantine-store.ts';

export interface IngestCounters {
  received: number;
  stored: number;
  duplicates: number;
  quarantined: number;
  incidentsCreated: number;
  statuses: number;
}

export type IngestResult = 'stored' | 'duplicate' | 'quarantined' | 'status';

export class IngestService {
  readonly counters: IngestCounters = {
    received: 0,
    stored: 0,
    duplicates: 0,
    quarantined: 0,
    incidentsCreated: 0,
    statuses: 0,
  };
  private readonly listeners = new Set<(incidentId: string, created: boolean) => void>();

  constructor(
    private readonly incidents: IncidentStore,
    private readonly quarantine: QuarantineStore,
    private readonly statuses: CameraStatusStore,
    private readonly log: Logger,
  ) {}

  /** Called when an incident is created or changed (live UI, forwarders). */
  onIncident(listener: (incidentId: string, created: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Handles one MQTT message; never throws. Storage errors propagate so the message is not acknowledged. */
  handle(topic: string, payload: Buffer): IngestResult {
    this.counters.received++;
    const parts = parseTopic(topic);
    if (!parts)
      return this.reject(topic, payload, `topic ${topic} is not a matthan/v1 events or status topic`);
    if (parts.channel === 'status') {
      const v = parsePayload(payload, validateStatus);
      if (!v.ok) return this.reject(topic, payload, v.errors.join('; '));
      this.statuses.record(v.value);
      this.counters.statuses++;
      return 'status';
    }
    const v = parsePayload(payload, validateEvent);
    if (!v.ok) return this.reject(topic, payload, v.errors.join('; '));
    if (v.value.site !== parts.site || v.value.camera !== parts.camera) {
      return this.reject(
        topic,
        payload,
        `event site/camera ${v.value.site}/${v.value.camera} do not match the topic`,
      );
    }
    const outcome = this.incidents.ingest(v.value);
    if (!outcome.stored) {
      this.counters.duplicates++;
      return 'duplicate';
    }
    this.counters.stored++;
    if (outcome.created) this.counters.incidentsCreated++;
    for (const l of this.listeners) {
      try {
        l(outcome.incidentId, outcome.created);
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'incident listener failed');
      }
    }
    return 'stored';
  }

  private reject(topic: string, payload: Buffer, reason: string): IngestResult {
    this.counters.quarantined++;
    this.quarantine.add(topic, payload, reason);
    this.log.warn({ topic, reason }, 'payload quarantined');
    return 'quarantined';
  }
}
