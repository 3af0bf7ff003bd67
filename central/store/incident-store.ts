// Incidents and their events in SQLite: idempotent insert on (event id, seq), edge-stated continuations and
// camera-group fragments merged (never by position), filtered listing.
import type { MatthanEvent } from '../../contract/index.ts';
import {
  decideMerge,
  type GroupCandidate,
  type LinkedEvent,
  type Links,
  type MergePolicy,
  type MergeReason,
} from '../ingest/merge-decision.ts';
import type { IncidentPlate } from '../plates/plate-store.ts';
import { PlateStore } from '../plates/plate-store.ts';
import type { Db } from './database.ts';
import type { EvidenceRefs } from './evidence-refs.ts';

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
  /** Changes to what the edge reported (1 = as created); a verdict records the version the reviewer saw. */
  version: number;
  /** Messages that arrived after the verdict: stored with the events, not applied (the incident is frozen). */
  lateMessages: number;
  /** The licence plate (machine read and correction); set by the plates area (central/plates) where it serves. */
  plate?: IncidentPlate | null;
}

export interface StoredMerge {
  eventId: string;
  /**
   * continuation (edge-stated), camera-group, continuation-refused (a `continues` kept apart), unmerged (split
   * out by the upgrade to edge-stated identity); reviewed incidents from before it keep track-switch, same-track
   * and split.
   */
  kind: string;
  gapMs: number;
  distance: number | null;
  reason: string;
  createdAt: number;
}

export interface IncidentDetail extends Incident {
  /** The events the incident is made of. */
  events: MatthanEvent[];
  /** Messages that arrived after the verdict: kept as the record of what the edge said, not applied. */
  lateEvents: MatthanEvent[];
  merges: StoredMerge[];
}

export interface IncidentFilter {
  camera?: string;
  ruleType?: string;
  status?: string;
  fromTs?: number;
  toTs?: number;
  /** Partial plate, normalised (30E586 finds 30E-586.70); matches the corrected plate or the machine read. */
  plate?: string;
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
  version: number;
  late_messages: number;
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
  version: r.version,
  lateMessages: r.late_messages,
});

export type IngestOutcome =
  | {
      stored: true;
      incidentId: string;
      created: boolean;
      merge?: MergeReason;
      /** The event stated a continuation that was refused (another site, camera or rule): why. */
      refused?: string;
      /** The incident already has a verdict: the message was stored with its events but changed nothing. */
      frozen?: boolean;
    }
  | { stored: false; duplicate: true }
  /** The message contradicts what its event id was bound to at first sight (site, camera, rule): why. */
  | { stored: false; rejected: string };

/** Merge settings; groupOf maps a camera to its group from the camera inventory. */
export type IncidentStoreOptions = MergePolicy;

export const DEFAULT_MERGE_POLICY: MergePolicy = {
  mergeWindowMs: 10_000,
  groupOf: () => undefined,
};

interface CandidateRow {
  id: string;
  site: string;
  camera: string;
  rule_type: string;
  merge_group: string | null;
  first_ts: number;
  last_seen_ts: number;
}

const toCandidate = (r: CandidateRow): GroupCandidate => ({
  id: r.id,
  site: r.site,
  camera: r.camera,
  ruleType: r.rule_type,
  group: r.merge_group,
  firstTs: r.first_ts,
  lastSeenTs: r.last_seen_ts,
});

interface LinkRow {
  id: string;
  incident_id: string;
  site: string;
  camera: string;
  rule: string;
  start_ts: number;
  seen_ts: number;
}

const toLinked = (r: LinkRow | undefined): LinkedEvent | undefined =>
  r && {
    eventId: r.id,
    incidentId: r.incident_id,
    site: r.site,
    camera: r.camera,
    rule: r.rule,
    startTs: r.start_ts,
    lastSeenTs: r.seen_ts,
  };

interface KnownEventRow {
  incident_id: string;
  seq: number;
  site: string;
  camera: string;
  rule: string;
  rule_type: string;
  status: IncidentStatus;
}

/** Why a message cannot belong to the event id it carries, or undefined when it agrees with the first sight. */
export function bindingMismatch(
  known: Pick<KnownEventRow, 'site' | 'camera' | 'rule' | 'rule_type'>,
  event: Pick<MatthanEvent, 'id' | 'site' | 'camera' | 'rule' | 'ruleType'>,
): string | undefined {
  if (
    known.site === event.site &&
    known.camera === event.camera &&
    known.rule === event.rule &&
    known.rule_type === event.ruleType
  )
    return undefined;
  const was = `${known.site}/${known.camera} rule ${known.rule} (${known.rule_type})`;
  const now = `${event.site}/${event.camera} rule ${event.rule} (${event.ruleType})`;
  return `event id ${event.id} is bound to ${was} since its first message; this message says ${now}`;
}

/** How many recent incidents of one group are weighed per new event: bounds the work per event. */
const MAX_CANDIDATES = 32;

export class IncidentStore {
  private readonly policy: MergePolicy;
  private readonly insertEvent;
  private readonly seqsOfEvent;
  private readonly lowerFirstTs;
  private readonly insertIncident;
  private readonly updateIncident;
  private readonly insertMerge;
  private readonly getIncident;
  private readonly linkById;
  private readonly linkByContinues;
  private readonly groupCandidates;
  private readonly eventsOf;
  private readonly mergesOf;
  private readonly countLate;

  constructor(
    private readonly db: Db,
    policy: Partial<MergePolicy> = {},
    /** Evidence ids bound to their event at first sight (central/store/evidence-refs.ts); checked on ingest. */
    private readonly evidenceRefs?: EvidenceRefs,
  ) {
    this.policy = { ...DEFAULT_MERGE_POLICY, ...policy };
    this.insertEvent = db.prepare(
      `INSERT INTO events (id, seq, incident_id, phase, site, camera, rule, track_id, ts, received_at, payload, continues,
         after_verdict)
       VALUES (@id, @seq, @incidentId, @phase, @site, @camera, @rule, @trackId, @ts, @receivedAt, @payload, @continues,
         @afterVerdict)`,
    );
    // One primary-key range read answers "seen this (id, seq)?", "which incident holds this id?", "what was the id
    // bound to at first sight?" and "does that incident have a verdict?".
    this.seqsOfEvent = db.prepare<[string], KnownEventRow>(
      `SELECT e.incident_id, e.seq, e.site, e.camera, e.rule, i.rule_type, i.status
       FROM events e JOIN incidents i ON i.id = e.incident_id WHERE e.id = ? ORDER BY e.rowid`,
    );
    this.countLate = db.prepare<[string]>(
      'UPDATE incidents SET late_messages = late_messages + 1 WHERE id = ?',
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
         version = version + 1,
         updated_at = @now
       WHERE id = @id AND status = 'open'`,
    );
    this.insertMerge = db.prepare(
      `INSERT INTO incident_merges (incident_id, event_id, kind, gap_ms, distance, reason, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.getIncident = db.prepare<[string], IncidentRow>('SELECT * FROM incidents WHERE id = ?');
    // A stored event as a continuation link: where it is and when it was seen (all its messages).
    const linkCols = `id, MIN(incident_id) AS incident_id, MIN(site) AS site, MIN(camera) AS camera, MIN(rule) AS rule,
      MIN(json_extract(payload, '$.startTs')) AS start_ts, MAX(COALESCE(json_extract(payload, '$.endTs'), ts)) AS seen_ts`;
    this.linkById = db.prepare<[string], LinkRow>(`SELECT ${linkCols} FROM events WHERE id = ? GROUP BY id`);
    // The earliest stored event that continues the given id (events_continues index), other than the asking one.
    this.linkByContinues = db.prepare<[string, string], LinkRow>(
      `SELECT ${linkCols} FROM events WHERE continues = ? AND id <> ? GROUP BY id ORDER BY MIN(rowid) LIMIT 1`,
    );
    const candidateCols = 'id, site, camera, rule_type, merge_group, first_ts, last_seen_ts';
    // Both bounds matter: events replayed out of order must find the incidents around their own time, not the
    // newest ones (which would crowd them out of the LIMIT and cost a scan).
    this.groupCandidates = db.prepare<[string, string, number, number], CandidateRow>(
      `SELECT ${candidateCols} FROM incidents
       WHERE merge_group = ? AND rule_type = ? AND last_seen_ts >= ? AND first_ts <= ?
       ORDER BY last_seen_ts ASC LIMIT ${MAX_CANDIDATES}`,
    );
    this.eventsOf = db.prepare<[string], { payload: string; after_verdict: number }>(
      'SELECT payload, after_verdict FROM events WHERE incident_id = ? ORDER BY ts, id, seq',
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
    let refused: string | undefined;
    // An evidence id belongs to the first event naming it, with the digest that event declared.
    const claim = this.evidenceRefs?.conflict(event);
    if (claim) return { stored: false, rejected: claim };
    let frozen = false;
    const known = seen[0];
    if (known) {
      // An event id is bound to its site, camera and rule at first sight: a message that says otherwise is not
      // this event (a box of another site reusing a confirmed incident's id), and must not touch it.
      const mismatch = bindingMismatch(known, event);
      if (mismatch) return { stored: false, rejected: mismatch };
      incidentId = known.incident_id;
      if (known.status !== 'open') {
        // Frozen after the verdict: the reviewer confirmed what they saw, and a fine rests on it. The message is
        // kept with the events (the record of what the edge said), the incident is not changed.
        frozen = true;
        this.countLate.run(incidentId);
      } else {
        this.updateIncident.run({ ...row, id: incidentId, newFragment: 0 });
        this.lowerFirstTs.run(event.startTs, incidentId, event.startTs);
      }
    } else {
      let decision = decideMerge(event, this.linksOf(event), this.groupCandidatesFor(event), this.policy);
      if (decision.kind === 'merge') {
        const target = this.getIncident.get(decision.incidentId);
        // A new fragment of a reviewed violation is reviewed on its own: joining would change a decided incident.
        if (target && target.status !== 'open')
          decision = {
            kind: 'new',
            refused: {
              eventId: target.id,
              text: `incident ${target.id} already has a verdict (${target.status}); this event is reviewed on its own`,
            },
          };
      }
      if (decision.kind === 'merge') {
        incidentId = decision.incidentId;
        merge = decision.reason;
        this.updateIncident.run({ ...row, id: incidentId, newFragment: 1 });
        this.lowerFirstTs.run(event.startTs, incidentId, event.startTs);
        this.insertMerge.run(incidentId, event.id, merge.kind, merge.gapMs, null, merge.text, receivedAt);
      } else {
        incidentId = event.id;
        created = true;
        this.insertIncident.run({
          ...row,
          id: incidentId,
          group: this.policy.groupOf(event.site, event.camera) ?? null,
        });
        if (decision.refused) {
          refused = decision.refused.text;
          // Kept in the incident's merge history, where a reviewer sees why a stated continuation is apart.
          this.insertMerge.run(incidentId, event.id, 'continuation-refused', 0, null, refused, receivedAt);
        }
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
      continues: event.continues ?? null,
      afterVerdict: frozen ? 1 : 0,
    });
    this.evidenceRefs?.record(event, receivedAt);
    return {
      stored: true,
      incidentId,
      created,
      ...(merge ? { merge } : {}),
      ...(refused ? { refused } : {}),
      ...(frozen ? { frozen } : {}),
    };
  }

  /** The stored events linked to a new event by `continues` (see Links). */
  private linksOf(event: MatthanEvent): Links {
    if (event.continues === undefined)
      return { follower: toLinked(this.linkByContinues.get(event.id, event.id)) };
    const root = toLinked(this.linkById.get(event.continues));
    if (root) return { root };
    return { sibling: toLinked(this.linkByContinues.get(event.continues, event.id)) };
  }

  private groupCandidatesFor(event: MatthanEvent): GroupCandidate[] {
    const group = this.policy.groupOf(event.site, event.camera);
    if (group === undefined) return [];
    const w = this.policy.mergeWindowMs;
    return this.groupCandidates
      .all(group, event.ruleType, event.startTs - w, event.startTs + w)
      .map(toCandidate);
  }

  get(id: string): Incident | undefined {
    const r = this.getIncident.get(id);
    return r ? toIncident(r) : undefined;
  }

  /** The incident with its stored events (ordered by time) and the reason for each merge. */
  detail(id: string): IncidentDetail | undefined {
    const incident = this.get(id);
    if (!incident) return undefined;
    const rows = this.eventsOf.all(id);
    const parse = (r: { payload: string }) => JSON.parse(r.payload) as MatthanEvent;
    return {
      ...incident,
      events: rows.filter((r) => r.after_verdict === 0).map(parse),
      lateEvents: rows.filter((r) => r.after_verdict === 1).map(parse),
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
    if (f.plate !== undefined) {
      const c = PlateStore.searchClause(f.plate);
      where.push(c ? c.sql : '0');
      if (c) Object.assign(params, c.params);
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
