// Review verdicts: the incident's current status plus the full history of who decided what, and when.
import type { Db } from './database.ts';
import { type Incident, type IncidentStatus, toIncident } from './incident-store.ts';

export type Verdict = Exclude<IncidentStatus, 'open'>;
export const VERDICTS: readonly Verdict[] = ['confirmed', 'rejected'];

export interface StoredReview {
  verdict: Verdict;
  reviewer: string;
  note: string | null;
  createdAt: number;
}

export class ReviewStore {
  private readonly setStatus;
  private readonly insertReview;
  private readonly getIncident;
  private readonly historyOf;

  constructor(private readonly db: Db) {
    this.setStatus = db.prepare(
      `UPDATE incidents SET status = @verdict, reviewed_by = @reviewer, reviewed_at = @now, review_note = @note,
         updated_at = @now WHERE id = @id`,
    );
    this.insertReview = db.prepare(
      'INSERT INTO reviews (incident_id, verdict, reviewer, note, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.getIncident = db.prepare('SELECT * FROM incidents WHERE id = ?');
    this.historyOf = db.prepare<
      [string],
      { verdict: Verdict; reviewer: string; note: string | null; created_at: number }
    >('SELECT verdict, reviewer, note, created_at FROM reviews WHERE incident_id = ? ORDER BY rowid');
  }

  /** Records a verdict (a later one overrides the status; all stay in the history); undefined if no such incident. */
  record(
    id: string,
    verdict: Verdict,
    reviewer: string,
    note: string | null,
    now = Date.now(),
  ): Incident | undefined {
    return this.db.transaction(() => {
      const changed = this.setStatus.run({ id, verdict, reviewer, note, now }).changes;
      if (changed === 0) return undefined;
      this.insertReview.run(id, verdict, reviewer, note, now);
      return toIncident(this.getIncident.get(id) as Parameters<typeof toIncident>[0]);
    })();
  }

  history(id: string): StoredReview[] {
    return this.historyOf.all(id).map((r) => ({
      verdict: r.verdict,
      reviewer: r.reviewer,
      note: r.note,
      createdAt: r.created_at,
    }));
  }
}
