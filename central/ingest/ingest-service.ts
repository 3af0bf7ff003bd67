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
  /** Events merged into an existing incident as another fragment (tracker id switch, grouped camera). */
  merged: number;
  /** Fragments split back out of an incident because they were seen at the same time as another (two objects). */
  splits: number;
  statuses: number;
  /** Storage transactions committed. */
  batches: number;
  /** Batches whose transaction failed (nothing of them stored, nothing acknowledged). */
  failedBatches: number;
}

export type IngestResult = 'stored' | 'duplicate' | 'quarantined' | 'status';

export interface IngestMessage {
  topic: string;
  payload: Buffer;
}

type Outcome =
  | { result: 'stored'; incidentId: string; created: boolean; merged: boolean; split: string[] }
  | { result: 'duplicate' | 'status' }
  | { result: 'quarantined'; topic: string; reason: string };

export class IngestService {
  readonly counters: IngestCounters = {
    received: 0,
    stored: 0,
    duplicates: 0,
    quarantined: 0,
    incidentsCreated: 0,
    merged: 0,
    splits: 0,
    statuses: 0,
    batches: 0,
    failedBatches: 0,
  };
  private readonly listeners = new Set<(incidentId: string, created: boolean) => void>();

  constructor(
    private readonly incidents: IncidentStore,
    private readonly quarantine: QuarantineStore,
    private readonly statuses: CameraStatusStore,
    private readonly log: Logger,
  ) {}

  /** Called when an incident is created or changed (live UI, forwarders), after the change is committed. */
  onIncident(listener: (incidentId: string, created: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Handles one MQTT message in its own transaction. Storage errors propagate (the message is not acked). */
  handle(topic: string, payload: Buffer): IngestResult {
    return this.handleBatch([{ topic, payload }])[0]!;
  }

  /**
   * Handles messages in one transaction: invalid ones go to quarantine, valid ones are stored once. Bad input
   * never throws; a storage error throws and rolls back the whole batch, so none of it may be acknowledged.
   */
  handleBatch(messages: readonly IngestMessage[], receivedAt = Date.now()): IngestResult[] {
    let outcomes: Outcome[];
    try {
      outcomes = this.incidents.transaction(() =>
        messages.map((m) => this.apply(m.topic, m.payload, receivedAt)),
      );
    } catch (err) {
      this.counters.failedBatches++;
      if (!isPoison(err)) throw err;
      // One message the store rejects must not block its whole batch forever: retry each alone, and
      // quarantine the one that is rejected again (with the reason), so the rest are stored and acknowledged.
      this.log.warn(
        { err: (err as Error).message },
        'batch rejected by the store; retrying message by message',
      );
      outcomes = messages.map((m) => this.applyAlone(m, receivedAt));
    }
    // Counters and listeners only after the commit: a rolled-back batch changed nothing.
    this.counters.batches++;
    this.counters.received += messages.length;
    const changed = new Map<string, boolean>();
    let firstQuarantine: { topic: string; reason: string } | undefined;
    let quarantined = 0;
    for (const o of outcomes) {
      switch (o.result) {
        case 'stored':
          this.counters.stored++;
          if (o.created) this.counters.incidentsCreated++;
          if (o.merged) this.counters.merged++;
          changed.set(o.incidentId, (changed.get(o.incidentId) ?? false) || o.created);
          this.counters.splits += o.split.length;
          this.counters.incidentsCreated += o.split.length;
          for (const id of o.split) changed.set(id, true);
          break;
        case 'duplicate':
          this.counters.duplicates++;
          break;
        case 'status':
          this.counters.statuses++;
          break;
        case 'quarantined':
          this.counters.quarantined++;
          quarantined++;
          firstQuarantine ??= { topic: o.topic, reason: o.reason };
          break;
      }
    }
    // One line per batch, not per payload: a misbehaving edge must not flood the log.
    if (firstQuarantine) this.log.warn({ quarantined, first: firstQuarantine }, 'payloads quarantined');
    for (const [incidentId, created] of changed) this.notify(incidentId, created);
    return outcomes.map((o) => o.result);
  }

  private notify(incidentId: string, created: boolean): void {
    for (const l of this.listeners) {
      try {
        l(incidentId, created);
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'incident listener failed');
      }
    }
  }

  private applyAlone(m: IngestMessage, receivedAt: number): Outcome {
    try {
      return this.incidents.transaction(() => this.apply(m.topic, m.payload, receivedAt));
    } catch (err) {
      if (!isPoison(err)) throw err;
      return this.reject(
        m.topic,
        m.payload,
        `storage rejected the payload: ${(err as Error).message}`,
        receivedAt,
      );
    }
  }

  private apply(topic: string, payload: Buffer, receivedAt: number): Outcome {
    const parts = parseTopic(topic);
    if (!parts)
      return this.reject(
        topic,
        payload,
        `topic ${topic} is not a matthan/v1 events or status topic`,
        receivedAt,
      );
    const text = payload.toString('utf8');
    if (parts.channel === 'status') {
      const v = parsePayload(text, validateStatus);
      if (!v.ok) return this.reject(topic, payload, v.errors.join('; '), receivedAt);
      if (v.value.site !== parts.site || v.value.camera !== parts.camera)
        return this.reject(
          topic,
          payload,
          `status site/camera ${v.value.site}/${v.value.camera} do not match the topic`,
          receivedAt,
        );
      this.statuses.record(v.value);
      return { result: 'status' };
    }
    const v = parsePayload(text, validateEvent);
    if (!v.ok) return this.reject(topic, payload, v.errors.join('; '), receivedAt);
    if (v.value.site !== parts.site || v.value.camera !== parts.camera) {
      return this.reject(
        topic,
        payload,
        `event site/camera ${v.value.site}/${v.value.camera} do not match the topic`,
        receivedAt,
      );
    }
    const outcome = this.incidents.apply(v.value, receivedAt, text);
    if (!outcome.stored) return { result: 'duplicate' };
    return {
      result: 'stored',
      incidentId: outcome.incidentId,
      created: outcome.created,
      merged: !!outcome.merge,
      split: outcome.split ?? [],
    };
  }

  private reject(topic: string, payload: Buffer, reason: string, receivedAt: number): Outcome {
    this.quarantine.add(topic, payload, reason, receivedAt);
    return { result: 'quarantined', topic, reason };
  }
}

/**
 * Errors caused by one message's content (a constraint, a value SQLite cannot store, a bug on odd input), as
 * opposed to the database being unavailable (busy, full, I/O), where retrying later is the right answer.
 */
function isPoison(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return true;
  return (
    code.startsWith('SQLITE_CONSTRAINT') ||
    code === 'SQLITE_MISMATCH' ||
    code === 'SQLITE_TOOBIG' ||
    code === 'SQLITE_RANGE'
  );
}
