// Central ingest: bound, decode and validate each payload, quarantine the bad ones, store the good ones once,
// and say what was taken so the edges can delete it from their outboxes (end-to-end acknowledgement).
import {
  decodePayload,
  ID_PATTERN,
  type MatthanEvent,
  parseTopic,
  type StatusMessage,
  validateEvent,
  validateStatus,
} from '../../contract/index.ts';
import { failpoint } from '../../lib/failpoint.ts';
import type { Logger } from '../../lib/log.ts';
import type { CameraStatusStore } from '../store/camera-status-store.ts';
import type { IncidentStore } from '../store/incident-store.ts';
import type { QuarantineStore } from '../store/quarantine-store.ts';
import type { AckEntry } from './ack-messages.ts';
import { type InflightMarkers, messageDigest, type PriorRun } from './inflight-markers.ts';
import { type IngestLimits, timestampProblem } from './timestamp-bounds.ts';

export interface IngestCounters {
  received: number;
  stored: number;
  duplicates: number;
  quarantined: number;
  incidentsCreated: number;
  /** Events merged into an existing incident as another fragment (edge-stated continuation, grouped camera). */
  merged: number;
  /** Events whose stated continuation was refused (it named an event of another site, camera or rule). */
  refusedContinuations: number;
  statuses: number;
  /** Messages of reviewed incidents: stored with their events, not applied (central/store/incident-store.ts). */
  afterVerdict: number;
  /** Storage transactions committed. */
  batches: number;
  /** Batches whose transaction failed (nothing of them stored, nothing acknowledged). */
  failedBatches: number;
  /** Messages quarantined on redelivery because central stopped while processing them alone (crash loop guard). */
  poisonQuarantined: number;
  /** Messages processed one by one because central stopped while their batch was in flight. */
  isolated: number;
}

export type IngestResult = 'stored' | 'duplicate' | 'quarantined' | 'status';

export interface IngestMessage {
  topic: string;
  payload: Buffer;
}

/** What one handled batch produced: a result per message, and the acknowledgements owed to the edges. */
export interface IngestReport {
  results: IngestResult[];
  acks: AckEntry[];
}

export interface IngestServiceOptions {
  limits?: Partial<IngestLimits>;
  /** Durable in-flight markers (crash-loop guard); without them a poison message is only caught by its content. */
  inflight?: InflightMarkers;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxMessageBytes: 65_536,
  maxClockSkewMs: 300_000,
  maxEventAgeMs: 0,
};

/** Characters of a quarantine reason kept in the log line (the table keeps up to 2000). */
const LOGGED_REASON_CHARS = 300;
/** Characters of a topic kept in quarantine and logs (MQTT allows 64 KiB topics). */
const TOPIC_CHARS = 256;

type Outcome =
  | {
      result: 'stored';
      incidentId: string;
      created: boolean;
      merged: boolean;
      refused?: string;
      frozen?: boolean;
      ack?: AckEntry;
    }
  | { result: 'duplicate'; ack?: AckEntry }
  | { result: 'status' }
  | { result: 'quarantined'; topic: string; reason: string; ack?: AckEntry };

/** A message after the checks that need no database: what the transaction has to do with it. */
type Decision =
  | { kind: 'event'; event: MatthanEvent; text: string; ack: AckEntry }
  | { kind: 'status'; status: StatusMessage }
  | { kind: 'reject'; reason: string; ack?: AckEntry };

export class IngestService {
  readonly counters: IngestCounters = {
    received: 0,
    stored: 0,
    duplicates: 0,
    quarantined: 0,
    incidentsCreated: 0,
    merged: 0,
    refusedContinuations: 0,
    statuses: 0,
    afterVerdict: 0,
    batches: 0,
    failedBatches: 0,
    poisonQuarantined: 0,
    isolated: 0,
  };
  readonly limits: IngestLimits;
  private readonly inflight: InflightMarkers | undefined;
  private readonly listeners = new Set<(incidentId: string, created: boolean) => void>();

  constructor(
    private readonly incidents: IncidentStore,
    private readonly quarantine: QuarantineStore,
    private readonly statuses: CameraStatusStore,
    private readonly log: Logger,
    opts: IngestServiceOptions = {},
  ) {
    this.limits = { ...DEFAULT_INGEST_LIMITS, ...opts.limits };
    this.inflight = opts.inflight;
  }

  /** Called when an incident is created or changed (live UI, forwarders), after the change is committed. */
  onIncident(listener: (incidentId: string, created: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Handles one MQTT message in its own transaction. Storage errors propagate (the message is not acked). */
  handle(topic: string, payload: Buffer): IngestResult {
    return this.handleBatch([{ topic, payload }])[0]!;
  }

  /** handleBatch without the acknowledgements (tests, benchmarks). */
  handleBatch(messages: readonly IngestMessage[], receivedAt = Date.now()): IngestResult[] {
    return this.ingestBatch(messages, receivedAt).results;
  }

  /**
   * Handles messages in one transaction: invalid ones go to quarantine, valid ones are stored once. Bad input
   * never throws; a storage error throws and rolls back the whole batch, so none of it may be acknowledged.
   */
  ingestBatch(messages: readonly IngestMessage[], receivedAt = Date.now()): IngestReport {
    if (messages.length === 0) return { results: [], acks: [] };
    const inflight = this.inflight;
    const digests = inflight ? messages.map((m) => messageDigest(m.topic, m.payload)) : [];
    const prior = inflight ? digests.map((d) => inflight.prior(d)) : [];
    // Central stopped while this batch (or part of it) was in flight: process each message by itself, so the
    // one that stopped it is found, and its neighbours are stored (a kill -9 must not quarantine 500 events).
    if (messages.length > 1 && prior.some((p) => p !== undefined)) {
      this.counters.isolated += messages.length;
      this.log.warn(
        { messages: messages.length, suspects: prior.filter(Boolean).length },
        'redelivered batch was in flight when central stopped; processing its messages one by one',
      );
      const reports = messages.map((m) => this.ingestBatch([m], receivedAt));
      return { results: reports.flatMap((r) => r.results), acks: reports.flatMap((r) => r.acks) };
    }
    let runId: number | undefined;
    try {
      runId = inflight?.begin(digests, receivedAt);
    } catch (err) {
      // The database refused even the marks (locked, full): nothing was stored, nothing may be acknowledged.
      this.counters.failedBatches++;
      throw err;
    }
    failpoint('ingest.in-flight');
    // Everything that needs no database happens here, outside the transaction: a payload that makes parsing or
    // validation misbehave costs its own message, never a rollback of its neighbours.
    const decisions = messages.map((m, i) => this.decide(m, receivedAt, prior[i]));
    let outcomes: Outcome[];
    try {
      outcomes = this.incidents.transaction(() => {
        const out = messages.map((m, i) => this.apply(m, decisions[i]!, receivedAt));
        if (runId !== undefined) inflight?.finish(runId, digests);
        return out;
      });
    } catch (err) {
      this.counters.failedBatches++;
      if (!isPoison(err)) {
        // The database is unwell (busy, full, I/O): not the messages' fault, so they must not count as having
        // stopped central. Best effort: if this fails too, the next run isolates them, no worse.
        if (runId !== undefined) this.abandonRun(runId);
        throw err;
      }
      // One message the store rejects must not block its whole batch forever: retry each alone, and
      // quarantine the one that is rejected again (with the reason), so the rest are stored and acknowledged.
      this.log.warn(
        { err: clip((err as Error).message, LOGGED_REASON_CHARS) },
        'batch rejected by the store; retrying message by message',
      );
      outcomes = messages.map((m, i) => this.applyAlone(m, decisions[i]!, receivedAt));
      if (runId !== undefined) this.incidents.transaction(() => inflight?.finish(runId, digests));
    }
    inflight?.resolved(digests);
    return this.account(messages.length, outcomes);
  }

  private abandonRun(runId: number): void {
    try {
      this.inflight?.abandon(runId);
    } catch (err) {
      this.log.warn({ err: clip((err as Error).message, 200) }, 'could not clear the in-flight record');
    }
  }

  /** Counters, one log line and listeners, only after the commit: a rolled-back batch changed nothing. */
  private account(received: number, outcomes: Outcome[]): IngestReport {
    this.counters.batches++;
    this.counters.received += received;
    const changed = new Map<string, boolean>();
    const acks: AckEntry[] = [];
    let firstQuarantine: { topic: string; reason: string } | undefined;
    let quarantined = 0;
    let firstRefused: string | undefined;
    let refused = 0;
    for (const o of outcomes) {
      if ('ack' in o && o.ack) acks.push(o.ack);
      switch (o.result) {
        case 'stored':
          this.counters.stored++;
          if (o.created) this.counters.incidentsCreated++;
          if (o.merged) this.counters.merged++;
          // A frozen (reviewed) incident did not change: no live update, no forwarder message.
          if (o.frozen) this.counters.afterVerdict++;
          else changed.set(o.incidentId, (changed.get(o.incidentId) ?? false) || o.created);
          if (o.refused) {
            this.counters.refusedContinuations++;
            refused++;
            firstRefused ??= o.refused;
          }
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
          firstQuarantine ??= { topic: o.topic, reason: clip(o.reason, LOGGED_REASON_CHARS) };
          break;
      }
    }
    // One line per batch, not per payload, with a clipped reason: a misbehaving edge must not flood the log.
    if (firstQuarantine) this.log.warn({ quarantined, first: firstQuarantine }, 'payloads quarantined');
    if (firstRefused)
      this.log.warn(
        { refused, first: clip(firstRefused, LOGGED_REASON_CHARS) },
        'stated continuations refused',
      );
    for (const [incidentId, created] of changed) this.notify(incidentId, created);
    return { results: outcomes.map((o) => o.result), acks };
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

  /** Bounds, decoding and validation: pure with respect to the database, and never throws. */
  private decide(m: IngestMessage, receivedAt: number, prior: PriorRun | undefined): Decision {
    const topic = clip(m.topic, TOPIC_CHARS);
    const parts = parseTopic(m.topic);
    if (prior?.alone) {
      // It was being processed by itself when central stopped: do not run it again (crash loop), keep it.
      this.counters.poisonQuarantined++;
      return {
        kind: 'reject',
        reason:
          `central stopped while processing this message (${prior.attempts} unfinished run${prior.attempts > 1 ? 's' : ''}); ` +
          'quarantined on redelivery instead of processed again',
        ack: parts?.channel === 'events' ? sniffAck(parts.site, m.payload) : undefined,
      };
    }
    if (!parts)
      return { kind: 'reject', reason: `topic ${topic} is not a matthan/v1 events or status topic` };
    const limits = {
      maxBytes: this.limits.maxMessageBytes,
      limitName: 'ingest.maxMessageBytes',
    };
    if (parts.channel === 'status') {
      const v = decodePayload(m.payload, validateStatus, limits);
      if (!v.ok) return { kind: 'reject', reason: v.errors.join('; ') };
      const s = v.value;
      if (s.site !== parts.site || s.camera !== parts.camera)
        return {
          kind: 'reject',
          reason: `status site/camera ${s.site}/${s.camera} do not match the topic`,
        };
      // ts 0 is the last will's "time unknown" (the status store stamps it on receipt).
      const problem =
        (s.ts === 0 ? undefined : timestampProblem('/ts', s.ts, receivedAt, this.limits)) ??
        (s.lastEventTs === undefined
          ? undefined
          : timestampProblem('/lastEventTs', s.lastEventTs, receivedAt, this.limits));
      if (problem) return { kind: 'reject', reason: problem };
      return { kind: 'status', status: s };
    }
    const v = decodePayload(m.payload, validateEvent, limits);
    if (!v.ok) return { kind: 'reject', reason: v.errors.join('; '), ack: sniffAck(parts.site, m.payload) };
    const e = v.value;
    const ack: AckEntry = { site: parts.site, id: e.id, seq: e.seq };
    if (e.site !== parts.site || e.camera !== parts.camera)
      return {
        kind: 'reject',
        reason: `event site/camera ${e.site}/${e.camera} do not match the topic`,
        ack,
      };
    const problem = eventTimestampProblem(e, receivedAt, this.limits);
    if (problem) return { kind: 'reject', reason: problem, ack };
    return { kind: 'event', event: e, text: v.text, ack };
  }

  private applyAlone(m: IngestMessage, d: Decision, receivedAt: number): Outcome {
    try {
      return this.incidents.transaction(() => this.apply(m, d, receivedAt));
    } catch (err) {
      if (!isPoison(err)) throw err;
      const reason = `storage rejected the payload: ${clip((err as Error).message, 200)}`;
      const ack = d.kind === 'event' ? d.ack : undefined;
      return this.incidents.transaction(() => this.reject(m, { reason, ack }, receivedAt));
    }
  }

  private apply(m: IngestMessage, d: Decision, receivedAt: number): Outcome {
    if (d.kind === 'reject') return this.reject(m, d, receivedAt);
    if (d.kind === 'status') {
      this.statuses.record(d.status, receivedAt);
      return { result: 'status' };
    }
    const outcome = this.incidents.apply(d.event, receivedAt, d.text);
    if (!outcome.stored)
      return 'rejected' in outcome
        ? // Refused by the store (it contradicts what is bound to its id): kept in quarantine, acknowledged as refused.
          this.reject(m, { reason: outcome.rejected, ack: d.ack }, receivedAt)
        : { result: 'duplicate', ack: d.ack };
    return {
      result: 'stored',
      incidentId: outcome.incidentId,
      created: outcome.created,
      merged: !!outcome.merge,
      ...(outcome.refused ? { refused: outcome.refused } : {}),
      ...(outcome.frozen ? { frozen: true } : {}),
      ack: d.ack,
    };
  }

  private reject(m: IngestMessage, d: { reason: string; ack?: AckEntry }, receivedAt: number): Outcome {
    const topic = clip(m.topic, TOPIC_CHARS);
    this.quarantine.add(topic, m.payload, d.reason, receivedAt);
    const ack = d.ack ? { ...d.ack, refused: d.reason } : undefined;
    return { result: 'quarantined', topic, reason: d.reason, ...(ack ? { ack } : {}) };
  }
}

function eventTimestampProblem(e: MatthanEvent, nowMs: number, limits: IngestLimits): string | undefined {
  return (
    timestampProblem('/ts', e.ts, nowMs, limits) ??
    timestampProblem('/startTs', e.startTs, nowMs, limits) ??
    (e.endTs === undefined ? undefined : timestampProblem('/endTs', e.endTs, nowMs, limits)) ??
    (e.best === undefined ? undefined : timestampProblem('/best/ts', e.best.ts, nowMs, limits))
  );
}

const ID_RE = new RegExp(ID_PATTERN);
/** The edge serialises an event with schemaVersion, id and seq first: enough to find them without a parse. */
const HEAD_RE = /^\{"schemaVersion":\d+,"id":"([A-Za-z0-9_-]{8,64})","seq":(\d{1,15})[,}]/;

/**
 * The (id, seq) of a refused event, so its edge stops re-sending it: read from the head of the payload as the
 * edge writes it, never by parsing a payload that failed the checks. Undefined when it is not there.
 */
function sniffAck(site: string, payload: Buffer): AckEntry | undefined {
  const m = HEAD_RE.exec(payload.subarray(0, 200).toString('latin1'));
  if (!m || !ID_RE.test(m[1]!)) return undefined;
  const seq = Number(m[2]);
  if (!Number.isSafeInteger(seq)) return undefined;
  return { site, id: m[1]!, seq };
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
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
