// Incidents and their events in SQLite: idempotent insert on (event id, seq), fragments merged, filtered listing.
import type { MatthanEvent } from '../../contract/index.ts';
import {
  concurrentFragments,
  decideMerge,
  type Fragment,
  type MergeCandidate,
  type MergeKind,
  type MergePolicy,
  type MergeReason,
} from '../ingest/merge-decision.ts';
import type { Db } from './database.ts';

export const INCIDENT_STATUSES = ['open', 'confirmed', 'rejected'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export interface Incident {
  id: string;
  site: string;
  camera: string;
  rule: string;
  ruleType: string;
  label: string;
  /** open (awaiting review), confirmed or rejected. */
  status: IncidentStatus;
  firstTs: number;
  lastTs: number;
  /** Latest wall-clock ms the violation was seen (end messages carry it as endTs). */
  lastSeenTs: number;
  /** Every fragment (event id) of the incident has ended. */
  ended: boolean;
  confidence: number;
  boxXyxyNorm: [number, number, number, number];
  details: Record<string, unknown> | null;
  evidence: Record<string, string> | null;
  eventCount: number;
  /** Distinct event ids merged into this incident (1 unless fragments were merged). */
  fragments: number;
  group: string | null;
  reviewedBy: string | null;
  reviewedAt: number | null;
  reviewNote: string | null;
}

export interface StoredMerge {
  eventId: string;
  kind: string;
  gapMs: number;
  distance: number | null;
  reason: string;
  createdAt: number;
}

export interface IncidentDetail extends Incident {
  events: MatthanEvent[];
  merges: StoredMerge[];
}

export interface IncidentFilter {
  camera?: string;
  ruleType?: string;
  status?: string;
  fromTs?: number;
  toTs?: number;
  limit: number;
  offset: number;
}

interface IncidentRow {
  id: string;
  site: string;
  camera: string;
  rule: string;
  rule_type: string;
  label: string;
  status: IncidentStatus;
  first_ts: number;
  last_ts: number;
  last_seen_ts: number;
  ended: number;
  confidence: number;
  box: string;
  details: string | null;
  evidence: string | null;
  event_count: number;
  fragments: number;
  merge_group: string | null;
  last_track_id: number | null;
  reviewed_by: string | null;
  reviewed_at: number | null;
  review_note: string | null;
}

export const toIncident = (r: IncidentRow): Incident => ({
  id: r.id,
  site: r.site,
  camera: r.camera,
  rule: r.rule,
  ruleType: r.rule_type,
  label: r.label,
  status: r.status,
  firstTs: r.first_ts,
  lastTs: r.last_ts,
  lastSeenTs: r.last_seen_ts,
  ended: r.ended === 1,
  confidence: r.confidence,
  boxXyxyNorm: JSON.parse(r.box),
  details: r.details ? JSON.parse(r.details) : null,
  evidence: r.evidence ? JSON.parse(r.evidence) : null,
  eventCount: r.event_count,
  fragments: r.fragments,
  group: r.merge_group,
  reviewedBy: r.reviewed_by,
  reviewedAt: r.reviewed_at,
  reviewNote: r.review_note,
});

export type IngestOutcome =
  | {
      stored: true;
      incidentId: string;
      created: boolean;
      merge?: MergeReason;
      /** Fragments found to be separate objects and split out into incidents of their own (new ids). */
      split?: string[];
    }
  | { stored: false; duplicate: true };

/** Merge settings; groupOf maps a camera to its group from the camera inventory. */
export type IncidentStoreOptions = MergePolicy;

export const DEFAULT_MERGE_POLICY: MergePolicy = {
  mergeWindowMs: 10_000,
  mergeDistance: 0.15,
  overlapToleranceMs: 1_000,
  groupOf: () => undefined,
};

interface CandidateRow {
  id: string;
  site: string;
  camera: string;
  rule: string;
  rule_type: string;
  merge_group: string | null;
  first_ts: number;
  last_seen_ts: number;
  box: string;
  last_track_id: number | null;
}

const toCandidate = (r: CandidateRow): MergeCandidate => ({
  id: r.id,
  site: r.site,
  camera: r.camera,
  rule: r.rule,
  ruleType: r.rule_type,
  group: r.merge_group,
  firstTs: r.first_ts,
  lastSeenTs: r.last_seen_ts,
  boxXyxyNorm: JSON.parse(r.box),
  lastTrackId: r.last_track_id,
});

/** How many recent incidents of one camera/rule (or group) are weighed per new event: bounds the work per event. */
const MAX_CANDIDATES = 32;

export class IncidentStore {
  private readonly policy: MergePolicy;
  private readonly insertEvent;
  private readonly seqsOfEvent;
  private readonly lowerFirstTs;
  private readonly insertIncident;
  private readonly updateIncident;
  private readonly insertMerge;
  private readonly fragmentsOf;
  private readonly copyIncidentAs;
  private readonly moveEvents;
  private readonly deleteMerge;
  private readonly recompute;
  private readonly getIncident;
  private readonly cameraCandidates;
  private readonly groupCandidates;
  private readonly eventsOf;
  private readonly mergesOf;

  constructor(
    private readonly db: Db,
    policy: Partial<MergePolicy> = {},
  ) {
    this.policy = { ...DEFAULT_MERGE_POLICY, ...policy };
    this.insertEvent = db.prepare(
      `INSERT INTO events (id, seq, incident_id, phase, site, camera, rule, track_id, ts, received_at, payload)
       VALUES (@id, @seq, @incidentId, @phase, @site, @camera, @rule, @trackId, @ts, @receivedAt, @payload)`,
    );
    // One primary-key range read answers both "seen this (id, seq)?" and "which incident holds this id?".
    this.seqsOfEvent = db.prepare<[string], { incident_id: string; seq: number }>(
      'SELECT incident_id, seq FROM events WHERE id = ?',
    );
    // Kept out of updateIncident: naming first_ts in its SET would rewrite the four first_ts indexes on every
    // message, although it changes only for out-of-order or cross-camera fragments.
    this.lowerFirstTs = db.prepare<[number, string, number]>(
      'UPDATE incidents SET first_ts = ? WHERE id = ? AND first_ts > ?',
    );
    this.insertIncident = db.prepare(
      `INSERT INTO incidents (id, site, camera, rule, rule_type, label, first_ts, last_ts, last_seen_ts, ended, confidence,
         box, details, evidence, event_count, fragments, fragments_ended, merge_group, last_track_id, created_at, updated_at)
       VALUES (@id, @site, @camera, @rule, @ruleType, @label, @startTs, @ts, @seenTs, @isEnd, @confidence,
         @box, @details, @evidence, 1, 1, @isEnd, @group, @trackId, @now, @now)`,
    );
    // SQLite evaluates every SET expression against the row as it was before the update.
    this.updateIncident = db.prepare(
      `UPDATE incidents SET
         last_ts = MAX(last_ts, @ts),
         last_seen_ts = MAX(last_seen_ts, @seenTs),
         box = CASE WHEN @seenTs >= last_seen_ts THEN @box ELSE box END,
         last_track_id = CASE WHEN @seenTs >= last_seen_ts THEN @trackId ELSE last_track_id END,
         fragments = fragments + @newFragment,
         fragments_ended = fragments_ended + @isEnd,
         ended = CASE WHEN fragments_ended + @isEnd >= fragments + @newFragment THEN 1 ELSE 0 END,
         confidence = MAX(confidence, @confidence),
         details = CASE WHEN @ts >= last_ts AND @details IS NOT NULL THEN @details ELSE details END,
         evidence = CASE WHEN @evidence IS NULL THEN evidence ELSE json_patch(@evidence, COALESCE(evidence, '{}')) END,
         event_count = event_count + 1,
         updated_at = @now
       WHERE id = @id
       RETURNING fragments`,
    );
    this.fragmentsOf = db.prepare<
      [string],
      { event_id: string; camera: string; rule: string; start_ts: number; merge_kind: MergeKind | null }
    >(
      `SELECT e.id AS event_id, MIN(e.camera) AS camera, MIN(e.rule) AS rule,
         MIN(json_extract(e.payload, '$.startTs')) AS start_ts, MIN(m.kind) AS merge_kind
       FROM events e LEFT JOIN incident_merges m ON m.incident_id = e.incident_id AND m.event_id = e.id
       WHERE e.incident_id = ? GROUP BY e.id`,
    );
    this.copyIncidentAs = db.prepare(
      `INSERT INTO incidents (id, site, camera, rule, rule_type, label, status, first_ts, last_ts, last_seen_ts, ended,
         confidence, box, details, evidence, event_count, fragments, fragments_ended, merge_group, last_track_id,
         created_at, updated_at)
       SELECT @id, site, camera, rule, rule_type, label, 'open', first_ts, last_ts, last_seen_ts, ended,
         confidence, box, details, evidence, event_count, 1, 0, merge_group, last_track_id, @now, @now
       FROM incidents WHERE id = @from`,
    );
    this.moveEvents = db.prepare<[string, string]>('UPDATE events SET incident_id = ? WHERE id = ?');
    this.deleteMerge = db.prepare<[string, string]>(
      'DELETE FROM incident_merges WHERE incident_id = ? AND event_id = ?',
    );
    // Rebuilds an incident's aggregates from its events (after a split moved some away); rare, so clarity wins.
    const ofIncident = 'FROM events WHERE incident_id = @id';
    const seenTs = "COALESCE(json_extract(payload, '$.endTs'), ts)";
    this.recompute = db.prepare(
      `UPDATE incidents SET
         label = (SELECT json_extract(payload, '$.label') ${ofIncident} ORDER BY ts, id, seq LIMIT 1),
         first_ts = (SELECT MIN(json_extract(payload, '$.startTs')) ${ofIncident}),
         last_ts = (SELECT MAX(ts) ${ofIncident}),
         last_seen_ts = (SELECT MAX(${seenTs}) ${ofIncident}),
         box = (SELECT json_extract(payload, '$.boxXyxyNorm') ${ofIncident} ORDER BY ${seenTs} DESC LIMIT 1),
         last_track_id = (SELECT track_id ${ofIncident} ORDER BY ${seenTs} DESC LIMIT 1),
         confidence = (SELECT MAX(json_extract(payload, '$.confidence')) ${ofIncident}),
         details = (SELECT json_extract(payload, '$.details') ${ofIncident} ORDER BY ts DESC LIMIT 1),
         evidence = (SELECT json_extract(payload, '$.evidence') ${ofIncident}
           AND json_extract(payload, '$.evidence') IS NOT NULL ORDER BY ts, seq LIMIT 1),
         event_count = (SELECT COUNT(*) ${ofIncident}),
         fragments = (SELECT COUNT(DISTINCT id) ${ofIncident}),
         fragments_ended = (SELECT COUNT(*) ${ofIncident} AND phase = 'end'),
         ended = (SELECT COUNT(DISTINCT id) <= COUNT(CASE WHEN phase = 'end' THEN 1 END) ${ofIncident}),
         updated_at = @now
       WHERE id = @id`,
    );
    this.insertMerge = db.prepare(
      `INSERT INTO incident_merges (incident_id, event_id, kind, gap_ms, distance, reason, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.getIncident = db.prepare<[string], IncidentRow>('SELECT * FROM incidents WHERE id = ?');
    const candidateCols =
      'id, site, camera, rule, rule_type, merge_group, first_ts, last_seen_ts, box, last_track_id';
    // Both bounds matter: events replayed out of order must find the incidents around their own time, not the
    // newest ones (which would crowd them out of the LIMIT and cost a scan).
    this.cameraCandidates = db.prepare<[string, string, string, number, number], CandidateRow>(
      `SELECT ${candidateCols} FROM incidents
       WHERE site = ? AND camera = ? AND rule = ? AND last_seen_ts >= ? AND last_seen_ts <= ?
       ORDER BY last_seen_ts DESC LIMIT ${MAX_CANDIDATES}`,
    );
    this.groupCandidates = db.prepare<[string, string, number, number], CandidateRow>(
      `SELECT ${candidateCols} FROM incidents
       WHERE merge_group = ? AND rule_type = ? AND last_seen_ts >= ? AND first_ts <= ?
       ORDER BY last_seen_ts ASC LIMIT ${MAX_CANDIDATES}`,
    );
    this.eventsOf = db.prepare<[string], { payload: string }>(
      'SELECT payload FROM events WHERE incident_id = ? ORDER BY ts, id, seq',
    );
    this.mergesOf = db.prepare<
      [string],
      {
        event_id: string;
        kind: string;
        gap_ms: number;
        distance: number | null;
        reason: string;
        created_at: number;
      }
    >(
      'SELECT event_id, kind, gap_ms, distance, reason, created_at FROM incident_merges WHERE incident_id = ? ORDER BY rowid',
    );
  }

  /**
   * Runs fn in one transaction (nested calls become savepoints). BEGIN IMMEDIATE takes the write lock first:
   * with several central instances on one file, a read-then-write transaction could otherwise fail with
   * SQLITE_BUSY_SNAPSHOT instead of waiting out the busy timeout.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Stores one validated event in its own transaction; a redelivered (id, seq) is a no-op. */
  ingest(event: MatthanEvent, receivedAt = Date.now(), rawJson?: string): IngestOutcome {
    return this.transaction(() => this.apply(event, receivedAt, rawJson));
  }

  /**
   * Stores one validated event; call inside a transaction (the ingest batches many per commit).
   * rawJson is the payload as received (already validated), saving a re-serialisation.
   */
  apply(event: MatthanEvent, receivedAt: number, rawJson?: string): IngestOutcome {
    const seen = this.seqsOfEvent.all(event.id);
    for (const r of seen) if (r.seq === event.seq) return { stored: false, duplicate: true };
    const isEnd = event.phase === 'end' ? 1 : 0;
    const seenTs = event.endTs ?? event.ts;
    const row = {
      site: event.site,
      camera: event.camera,
      rule: event.rule,
      ruleType: event.ruleType,
      label: event.label,
      ts: event.ts,
      startTs: event.startTs,
      seenTs,
      isEnd,
      confidence: event.confidence,
      box: JSON.stringify(event.boxXyxyNorm),
      details: event.details ? JSON.stringify(event.details) : null,
      evidence: event.evidence ? JSON.stringify(event.evidence) : null,
      trackId: event.trackId ?? null,
      now: receivedAt,
    };
    let incidentId: string;
    let created = false;
    let merge: MergeReason | undefined;
    const known = seen[0];
    let fragments = 1;
    if (known) {
      incidentId = known.incident_id;
      fragments = (
        this.updateIncident.get({ ...row, id: incidentId, newFragment: 0 }) as { fragments: number }
      ).fragments;
      this.lowerFirstTs.run(event.startTs, incidentId, event.startTs);
    } else {
      const decision = decideMerge(event, this.candidatesFor(event), this.policy);
      if (decision.kind === 'merge') {
        incidentId = decision.incidentId;
        merge = decision.reason;
        this.updateIncident.get({ ...row, id: incidentId, newFragment: 1 });
        this.lowerFirstTs.run(event.startTs, incidentId, event.startTs);
        this.insertMerge.run(
          incidentId,
          event.id,
          merge.kind,
          merge.gapMs,
          merge.distance,
          merge.text,
          receivedAt,
        );
      } else {
        incidentId = event.id;
        created = true;
        this.insertIncident.run({
          ...row,
          id: incidentId,
          group: this.policy.groupOf(event.site, event.camera) ?? null,
        });
      }
    }
    this.insertEvent.run({
      id: event.id,
      seq: event.seq,
      incidentId,
      phase: event.phase,
      site: event.site,
      camera: event.camera,
      rule: event.rule,
      trackId: event.trackId ?? null,
      ts: event.ts,
      receivedAt,
      payload: rawJson ?? JSON.stringify(event),
    });
    const split = known && fragments > 1 ? this.splitConcurrent(incidentId, event, seenTs, receivedAt) : [];
    return {
      stored: true,
      incidentId,
      created,
      ...(merge ? { merge } : {}),
      ...(split.length ? { split } : {}),
    };
  }

  /**
   * A message of an event already in a multi-fragment incident may show that a fragment merged as its
   * continuation was in fact seen at the same time (two objects): such fragments become incidents of their own.
   */
  private splitConcurrent(incidentId: string, event: MatthanEvent, seenTs: number, now: number): string[] {
    const fragments: Fragment[] = this.fragmentsOf.all(incidentId).map((f) => ({
      eventId: f.event_id,
      camera: f.camera,
      rule: f.rule,
      startTs: f.start_ts,
      mergeKind: f.merge_kind,
    }));
    const ids = concurrentFragments(
      { eventId: event.id, camera: event.camera, rule: event.rule, startTs: event.startTs, seenTs },
      fragments,
      this.policy.overlapToleranceMs,
    );
    for (const id of ids) {
      this.copyIncidentAs.run({ id, from: incidentId, now });
      this.moveEvents.run(id, id);
      this.deleteMerge.run(incidentId, id);
      this.recompute.run({ id: incidentId, now });
      this.recompute.run({ id, now });
      this.insertMerge.run(
        id,
        event.id,
        'split',
        seenTs - (fragments.find((f) => f.eventId === id)?.startTs ?? seenTs),
        null,
        `split from ${incidentId}: event ${event.id} was still seen ${seenTs - (fragments.find((f) => f.eventId === id)?.startTs ?? seenTs)} ms after this one started, so they are two objects`,
        now,
      );
    }
    return ids;
  }

  private candidatesFor(event: MatthanEvent): MergeCandidate[] {
    const since = event.startTs - this.policy.mergeWindowMs;
    const rows = this.cameraCandidates.all(
      event.site,
      event.camera,
      event.rule,
      since,
      event.startTs + this.policy.overlapToleranceMs,
    );
    const group = this.policy.groupOf(event.site, event.camera);
    if (group !== undefined)
      rows.push(
        ...this.groupCandidates.all(group, event.ruleType, since, event.startTs + this.policy.mergeWindowMs),
      );
    return rows.map(toCandidate);
  }

  get(id: string): Incident | undefined {
    const r = this.getIncident.get(id);
    return r ? toIncident(r) : undefined;
  }

  /** The incident with its stored events (ordered by time) and the reason for each merge. */
  detail(id: string): IncidentDetail | undefined {
    const incident = this.get(id);
    if (!incident) return undefined;
    return {
      ...incident,
      events: this.eventsOf.all(id).map((r) => JSON.parse(r.payload) as MatthanEvent),
      merges: this.mergesOf.all(id).map((m) => ({
        eventId: m.event_id,
        kind: m.kind,
        gapMs: m.gap_ms,
        distance: m.distance,
        reason: m.reason,
        createdAt: m.created_at,
      })),
    };
  }

  list(f: IncidentFilter): { items: Incident[]; total: number } {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (f.camera) {
      where.push('camera = @camera');
      params.camera = f.camera;
    }
    if (f.ruleType) {
      where.push('rule_type = @ruleType');
      params.ruleType = f.ruleType;
    }
    if (f.status) {
      where.push('status = @status');
      params.status = f.status;
    }
    if (f.fromTs !== undefined) {
      where.push('first_ts >= @fromTs');
      params.fromTs = f.fromTs;
    }
    if (f.toTs !== undefined) {
      where.push('first_ts < @toTs');
      params.toTs = f.toTs;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM incidents ${clause}`).get(params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT * FROM incidents ${clause} ORDER BY first_ts DESC, id LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: f.limit, offset: f.offset }) as IncidentRow[];
    return { items: rows.map(toIncident), total };
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM incidents').get() as { n: number }).n;
  }

  eventCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  }
}
