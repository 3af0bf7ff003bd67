// Incidents and their events in SQLite: idempotent insert on (event id, seq), incident upsert, filtered listing.
import type { MatthanEvent } from '../../contract/index.ts';
import type { Db } from './database.ts';

export interface Incident {
  id: string;
  site: string;
  camera: string;
  rule: string;
  ruleType: string;
  label: string;
  status: string;
  firstTs: number;
  lastTs: number;
  ended: boolean;
  confidence: number;
  boxXyxyNorm: [number, number, number, number];
  details: Record<string, unknown> | null;
  evidence: Record<string, string> | null;
  eventCount: number;
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
  status: string;
  first_ts: number;
  last_ts: number;
  ended: number;
  confidence: number;
  box: string;
  details: string | null;
  evidence: string | null;
  event_count: number;
}

const toIncident = (r: IncidentRow): Incident => ({
  id: r.id,
  site: r.site,
  camera: r.camera,
  rule: r.rule,
  ruleType: r.rule_type,
  label: r.label,
  status: r.status,
  firstTs: r.first_ts,
  lastTs: r.last_ts,
  ended: r.ended === 1,
  confidence: r.confidence,
  boxXyxyNorm: JSON.parse(r.box),
  details: r.details ? JSON.parse(r.details) : null,
  evidence: r.evidence ? JSON.parse(r.evidence) : null,
  eventCount: r.event_count,
});

export type IngestOutcome =
  | { stored: true; incidentId: string; created: boolean }
  | { stored: false; duplicate: true };

export class IncidentStore {
  private readonly insertEvent;
  private readonly hasEvent;
  private readonly findIncidentOfEvent;
  private readonly insertIncident;
  private readonly updateIncident;
  private readonly getIncident;

  constructor(private readonly db: Db) {
    this.insertEvent = db.prepare(
      `INSERT INTO events (id, seq, incident_id, phase, site, camera, rule, track_id, ts, received_at, payload)
       VALUES (@id, @seq, @incidentId, @phase, @site, @camera, @rule, @trackId, @ts, @receivedAt, @payload)`,
    );
    this.hasEvent = db.prepare<[string, number], { one: number }>(
      'SELECT 1 AS one FROM events WHERE id = ? AND seq = ?',
    );
    this.findIncidentOfEvent = db.prepare<[string], { incident_id: string }>(
      'SELECT incident_id FROM events WHERE id = ? LIMIT 1',
    );
    this.insertIncident = db.prepare(
      `INSERT INTO incidents (id, site, camera, rule, rule_type, label, first_ts, last_ts, ended, confidence, box, details, evidence, event_count, created_at, updated_at)
       VALUES (@id, @site, @camera, @rule, @ruleType, @label, @firstTs, @ts, @ended, @confidence, @box, @details, @evidence, 1, @now, @now)`,
    );
    this.updateIncident = db.prepare(
      `UPDATE incidents SET
         last_ts = MAX(last_ts, @ts),
         first_ts = MIN(first_ts, @startTs),
         ended = MAX(ended, @ended),
         confidence = MAX(confidence, @confidence),
         box = CASE WHEN @ts >= last_ts THEN @box ELSE box END,
         details = CASE WHEN @ts >= last_ts AND @details IS NOT NULL THEN @details ELSE details END,
         evidence = COALESCE(json_patch(COALESCE(evidence, '{}'), @evidence), evidence),
         event_count = event_count + 1,
         updated_at = @now
       WHERE id = @id`,
    );
    this.getIncident = db.prepare<[string], IncidentRow>('SELECT * FROM incidents WHERE id = ?');
  }

  /** Stores one validated event; a redelivered (id, seq) is a no-op. One transaction per event. */
  ingest(event: MatthanEvent, receivedAt = Date.now()): IngestOutcome {
    return this.db.transaction((): IngestOutcome => {
      if (this.hasEvent.get(event.id, event.seq)) return { stored: false, duplicate: true };
      const existing = this.findIncidentOfEvent.get(event.id);
      const incidentId = existing?.incident_id ?? event.id;
      const row = {
        id: incidentId,
        site: event.site,
        camera: event.camera,
        rule: event.rule,
        ruleType: event.ruleType,
        label: event.label,
        ts: event.ts,
        startTs: event.startTs,
        ended: event.phase === 'end' ? 1 : 0,
        confidence: event.confidence,
        box: JSON.stringify(event.boxXyxyNorm),
        details: event.details ? JSON.stringify(event.details) : null,
        evidence: event.evidence ? JSON.stringify(event.evidence) : null,
        now: receivedAt,
      };
      if (existing) this.updateIncident.run(row);
      else this.insertIncident.run({ ...row, firstTs: event.startTs });
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
        payload: JSON.stringify(event),
      });
      return { stored: true, incidentId, created: !existing };
    })();
  }

  get(id: string): Incident | undefined {
    const r = this.getIncident.get(id);
    return r ? toIncident(r) : undefined;
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
}
