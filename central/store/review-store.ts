// Review verdicts: bound to the incident version on screen, with reason codes, undo, and the full history.
import { REVIEW_MIGRATIONS } from '../reviews/review-migrations.ts';
import { type Db, migrate } from './database.ts';
import { type Incident, type IncidentStatus, toIncident } from './incident-store.ts';

export type Verdict = Exclude<IncidentStatus, 'open'>;
export const VERDICTS: readonly Verdict[] = ['confirmed', 'rejected'];

/** Why a reviewer rejects (the UI shows them localised; `other` needs a note). */
export const REJECT_REASONS = [
  'not_violation',
  'wrong_vehicle',
  'evidence_unclear',
  'duplicate',
  'other',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface StoredReview {
  id: number;
  kind: 'verdict' | 'undo';
  verdict: IncidentStatus;
  reviewer: string;
  note: string | null;
  reason: RejectReason | null;
  override: boolean;
  bulk: boolean;
  incidentVersion: number | null;
  handlingMs: number | null;
  createdAt: number;
}

export interface VerdictInput {
  verdict: Verdict;
  reviewer: string;
  note: string | null;
  reason: RejectReason | null;
  override: boolean;
  /** The version the reviewer saw; undefined skips the check (API clients that do not send it). */
  version: number | undefined;
  bulk?: boolean;
  handlingMs?: number | null;
}

/** An incident as the review API returns it: the stored incident plus its version. */
export type VersionedIncident = Incident & { version: number };

export type RecordOutcome =
  | { ok: true; incident: VersionedIncident; review: StoredReview }
  | { ok: false; code: 'not_found' }
  | { ok: false; code: 'version_conflict'; incident: VersionedIncident };

export type UndoOutcome =
  | { ok: true; incident: VersionedIncident; restored: IncidentStatus; undone: StoredReview }
  | { ok: false; code: 'not_found' | 'nothing_to_undo' | 'not_yours' | 'too_late' };

interface ReviewRow {
  rowid: number;
  kind: 'verdict' | 'undo';
  verdict: IncidentStatus;
  reviewer: string;
  note: string | null;
  reason: RejectReason | null;
  override: number;
  bulk: number;
  incident_version: number | null;
  handling_ms: number | null;
  status_before: IncidentStatus | null;
  created_at: number;
  final_at: number | null;
  incident_id: string;
}
const toReview = (r: ReviewRow): StoredReview => ({
  id: r.rowid,
  kind: r.kind,
  verdict: r.verdict,
  reviewer: r.reviewer,
  note: r.note,
  reason: r.reason,
  override: r.override === 1,
  bulk: r.bulk === 1,
  incidentVersion: r.incident_version,
  handlingMs: r.handling_ms,
  createdAt: r.created_at,
});

type IncidentRow = Parameters<typeof toIncident>[0] & { version: number };
export const toVersioned = (r: IncidentRow): VersionedIncident => ({ ...toIncident(r), version: r.version });

export class ReviewStore {
  private readonly q;

  constructor(private readonly db: Db) {
    migrate(db, 'review', REVIEW_MIGRATIONS);
    this.q = {
      get: db.prepare<[string], IncidentRow>('SELECT * FROM incidents WHERE id = ?'),
      setStatus: db.prepare(
        `UPDATE incidents SET status = @status, reviewed_by = @reviewer, reviewed_at = @at, review_note = @note,
           updated_at = @now WHERE id = @id`,
      ),
      insert: db.prepare(
        `INSERT INTO reviews (incident_id, kind, verdict, reviewer, note, reason, override, bulk, incident_version,
           status_before, handling_ms, created_at, final_at)
         VALUES (@id, @kind, @verdict, @reviewer, @note, @reason, @override, @bulk, @version, @before, @handlingMs,
           @now, @finalAt)`,
      ),
      history: db.prepare<[string], ReviewRow>(
        'SELECT rowid, * FROM reviews WHERE incident_id = ? ORDER BY rowid',
      ),
      last: db.prepare<[string], ReviewRow>(
        'SELECT rowid, * FROM reviews WHERE incident_id = ? ORDER BY rowid DESC LIMIT 1',
      ),
      // The verdict in force before `rowid`: the latest verdict not cancelled by an undo after it.
      lastVerdicts: db.prepare<[string, number], ReviewRow>(
        `SELECT rowid, * FROM reviews WHERE incident_id = ? AND rowid < ? ORDER BY rowid DESC`,
      ),
      setFinal: db.prepare<[number, number]>(
        'UPDATE reviews SET final_at = ? WHERE rowid = ? AND final_at IS NULL',
      ),
      pendingFinal: db.prepare<[], ReviewRow>(
        "SELECT rowid, * FROM reviews WHERE final_at IS NULL AND kind = 'verdict' ORDER BY rowid",
      ),
      byId: db.prepare<[number], ReviewRow>('SELECT rowid, * FROM reviews WHERE rowid = ?'),
    };
  }

  get(id: string): VersionedIncident | undefined {
    const r = this.q.get.get(id);
    return r ? toVersioned(r) : undefined;
  }

  /**
   * Records a verdict in one transaction (a later one overrides the status; all stay in the history). Refused
   * when the incident changed since the reviewer's version. The verdict stays undoable (final_at NULL) until
   * the service finalises it.
   */
  record(id: string, v: VerdictInput, now = Date.now()): RecordOutcome {
    return this.db.transaction((): RecordOutcome => {
      const row = this.q.get.get(id);
      if (!row) return { ok: false, code: 'not_found' };
      if (v.version !== undefined && row.version !== v.version)
        return { ok: false, code: 'version_conflict', incident: toVersioned(row) };
      this.q.setStatus.run({ id, status: v.verdict, reviewer: v.reviewer, at: now, note: v.note, now });
      const info = this.q.insert.run({
        id,
        kind: 'verdict',
        verdict: v.verdict,
        reviewer: v.reviewer,
        note: v.note,
        reason: v.reason,
        override: v.override ? 1 : 0,
        bulk: v.bulk ? 1 : 0,
        version: row.version,
        before: row.status,
        handlingMs: v.handlingMs ?? null,
        now,
        finalAt: null,
      });
      const review = toReview(this.q.byId.get(Number(info.lastInsertRowid))!);
      return { ok: true, incident: toVersioned(this.q.get.get(id)!), review };
    })();
  }

  /**
   * Undoes the newest verdict on an incident: only its own reviewer, only while it is not final (within the undo
   * window). The status, reviewer and note return to what they were; the undo is a history row of its own.
   */
  undo(id: string, reviewer: string, windowMs: number, now = Date.now()): UndoOutcome {
    return this.db.transaction((): UndoOutcome => {
      const row = this.q.get.get(id);
      if (!row) return { ok: false, code: 'not_found' };
      const last = this.q.last.get(id);
      if (last?.kind !== 'verdict') return { ok: false, code: 'nothing_to_undo' };
      if (last.reviewer !== reviewer) return { ok: false, code: 'not_yours' };
      if (last.final_at !== null || now - last.created_at > windowMs) return { ok: false, code: 'too_late' };
      const restored = last.status_before ?? 'open';
      const before = this.verdictBefore(id, last.rowid);
      this.q.setStatus.run({
        id,
        status: restored,
        reviewer: restored === 'open' ? null : (before?.reviewer ?? null),
        at: restored === 'open' ? null : (before?.created_at ?? null),
        note: restored === 'open' ? null : (before?.note ?? null),
        now,
      });
      this.q.setFinal.run(now, last.rowid); // an undone verdict is never handed to the forwarders
      this.q.insert.run({
        id,
        kind: 'undo',
        verdict: restored,
        reviewer,
        note: null,
        reason: null,
        override: 0,
        bulk: 0,
        version: row.version,
        before: row.status,
        handlingMs: null,
        now,
        finalAt: now,
      });
      return { ok: true, incident: toVersioned(this.q.get.get(id)!), restored, undone: toReview(last) };
    })();
  }

  /** The verdict in force before review `rowid` (skipping verdicts that an undo cancelled). */
  private verdictBefore(id: string, rowid: number): ReviewRow | undefined {
    let skip = 0;
    for (const r of this.q.lastVerdicts.all(id, rowid)) {
      if (r.kind === 'undo') skip++;
      else if (skip > 0) skip--;
      else return r;
    }
    return undefined;
  }

  /** Marks a verdict final (past its undo window); false when it already was (or was undone). */
  markFinal(reviewId: number, now = Date.now()): boolean {
    return this.q.setFinal.run(now, reviewId).changes > 0;
  }

  /** Verdicts not yet final, oldest first (resumed after a restart). */
  pendingFinal(): (StoredReview & { incidentId: string })[] {
    return this.q.pendingFinal.all().map((r) => ({ ...toReview(r), incidentId: r.incident_id }));
  }

  history(id: string): StoredReview[] {
    return this.q.history.all(id).map(toReview);
  }
}
