// Soft locks: the incident a reviewer has open is theirs for a short, renewable lease, so two never decide one.
import { type Db, migrate } from '../store/database.ts';
import { REVIEW_MIGRATIONS } from './review-migrations.ts';

export interface ReviewLock {
  incidentId: string;
  reviewer: string;
  acquiredAt: number;
  expiresAt: number;
}

export type LockOutcome = { ok: true; lock: ReviewLock } | { ok: false; heldBy: ReviewLock };

interface Row {
  incident_id: string;
  reviewer: string;
  acquired_at: number;
  expires_at: number;
}
const toLock = (r: Row): ReviewLock => ({
  incidentId: r.incident_id,
  reviewer: r.reviewer,
  acquiredAt: r.acquired_at,
  expiresAt: r.expires_at,
});

/** What work-queue mode draws from: open incidents, optionally narrowed like the queue's filters. */
export interface QueueScope {
  camera?: string;
  ruleType?: string;
  fromTs?: number;
  toTs?: number;
}

export class ReviewLocks {
  private readonly q;

  constructor(private readonly db: Db) {
    migrate(db, 'review', REVIEW_MIGRATIONS);
    this.q = {
      get: db.prepare<[string], Row>('SELECT * FROM review_locks WHERE incident_id = ?'),
      // Takes a free or expired lock, or renews one's own (keeping when it was first taken).
      upsert: db.prepare(
        `INSERT INTO review_locks (incident_id, reviewer, acquired_at, expires_at) VALUES (@id, @reviewer, @now, @until)
         ON CONFLICT (incident_id) DO UPDATE SET
           reviewer = excluded.reviewer,
           acquired_at = CASE WHEN review_locks.reviewer = excluded.reviewer AND review_locks.expires_at > @now
             THEN review_locks.acquired_at ELSE excluded.acquired_at END,
           expires_at = excluded.expires_at
         WHERE review_locks.reviewer = excluded.reviewer OR review_locks.expires_at <= @now`,
      ),
      release: db.prepare<[string, string]>(
        'DELETE FROM review_locks WHERE incident_id = ? AND reviewer = ?',
      ),
      releaseAll: db.prepare<[string]>('DELETE FROM review_locks WHERE reviewer = ?'),
      active: db.prepare<[number], Row>('SELECT * FROM review_locks WHERE expires_at > ?'),
      sweep: db.prepare<[number]>('DELETE FROM review_locks WHERE expires_at <= ?'),
    };
  }

  /** Takes or renews the lease on an incident for `leaseMs`; refused while another reviewer's lease runs. */
  acquire(incidentId: string, reviewer: string, leaseMs: number, now = Date.now()): LockOutcome {
    return this.db
      .transaction((): LockOutcome => {
        const changed = this.q.upsert.run({ id: incidentId, reviewer, now, until: now + leaseMs }).changes;
        const row = this.q.get.get(incidentId)!;
        return changed > 0 ? { ok: true, lock: toLock(row) } : { ok: false, heldBy: toLock(row) };
      })
      .immediate();
  }

  /** The live lock on an incident, if any. */
  holder(incidentId: string, now = Date.now()): ReviewLock | undefined {
    const r = this.q.get.get(incidentId);
    return r && r.expires_at > now ? toLock(r) : undefined;
  }

  /** Whether `reviewer` may decide the incident now: nobody else holds a live lease on it. */
  mayDecide(
    incidentId: string,
    reviewer: string,
    now = Date.now(),
  ): { ok: true } | { ok: false; heldBy: ReviewLock } {
    const h = this.holder(incidentId, now);
    return h && h.reviewer !== reviewer ? { ok: false, heldBy: h } : { ok: true };
  }

  release(incidentId: string, reviewer: string): boolean {
    return this.q.release.run(incidentId, reviewer).changes > 0;
  }

  /** Every live lock (for the queue's "being reviewed by" marks). */
  active(now = Date.now()): ReviewLock[] {
    this.q.sweep.run(now);
    return this.q.active.all(now).map(toLock);
  }

  /**
   * Work-queue mode: the oldest open incident in scope that nobody else holds, locked for `reviewer` in the
   * same transaction (two reviewers asking at once get two different incidents). `skip` lists ids the reviewer
   * passed over. Prefers the reviewer's own live lock, so a reload returns to the same incident.
   */
  next(
    reviewer: string,
    scope: QueueScope,
    leaseMs: number,
    skip: readonly string[] = [],
    now = Date.now(),
  ): ReviewLock | undefined {
    return this.db
      .transaction((): ReviewLock | undefined => {
        const where = [
          "i.status = 'open'",
          '(l.incident_id IS NULL OR l.expires_at <= @now OR l.reviewer = @reviewer)',
        ];
        const params: Record<string, unknown> = { now, reviewer };
        if (scope.camera) {
          where.push('i.camera = @camera');
          params.camera = scope.camera;
        }
        if (scope.ruleType) {
          where.push('i.rule_type = @ruleType');
          params.ruleType = scope.ruleType;
        }
        if (scope.fromTs !== undefined) {
          where.push('i.first_ts >= @fromTs');
          params.fromTs = scope.fromTs;
        }
        if (scope.toTs !== undefined) {
          where.push('i.first_ts < @toTs');
          params.toTs = scope.toTs;
        }
        if (skip.length > 0) {
          where.push(`i.id NOT IN (${skip.map((_, i) => `@skip${i}`).join(', ')})`);
          skip.forEach((id, i) => {
            params[`skip${i}`] = id;
          });
        }
        const row = this.db
          .prepare(
            `SELECT i.id FROM incidents i LEFT JOIN review_locks l ON l.incident_id = i.id
           WHERE ${where.join(' AND ')}
           ORDER BY (l.reviewer = @reviewer AND l.expires_at > @now) DESC, i.first_ts ASC, i.id ASC LIMIT 1`,
          )
          .get(params) as { id: string } | undefined;
        if (!row) return undefined;
        const out = this.acquire(row.id, reviewer, leaseMs, now);
        return out.ok ? out.lock : undefined;
      })
      .immediate();
  }

  /** Drops every lock of a reviewer (sign-out). */
  releaseAll(reviewer: string): number {
    return this.q.releaseAll.run(reviewer).changes;
  }
}
