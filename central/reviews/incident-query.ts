// Incident listing for the review workstation: the queue's filters (reviewer included), newest or oldest first.
import { PlateStore } from '../plates/plate-store.ts';
import type { Db } from '../store/database.ts';
import { toVersioned, type VersionedIncident } from '../store/review-store.ts';

export interface IncidentQueryFilter {
  camera?: string;
  ruleType?: string;
  status?: string;
  /** Who gave the current verdict (reviewed_by). */
  reviewer?: string;
  fromTs?: number;
  toTs?: number;
  /** Partial plate, normalised (30E586 finds 30E-586.70); the corrected plate or the machine read. */
  plate?: string;
  /** newest (default, the browsing queue) or oldest (work-queue mode: first come, first decided). */
  order?: 'newest' | 'oldest';
  limit: number;
  offset: number;
}

export class IncidentQuery {
  constructor(private readonly db: Db) {}

  list(f: IncidentQueryFilter): { items: VersionedIncident[]; total: number } {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    const add = (sql: string, key: string, value: unknown) => {
      where.push(sql);
      params[key] = value;
    };
    if (f.camera) add('camera = @camera', 'camera', f.camera);
    if (f.ruleType) add('rule_type = @ruleType', 'ruleType', f.ruleType);
    if (f.status) add('status = @status', 'status', f.status);
    if (f.reviewer) add('reviewed_by = @reviewer', 'reviewer', f.reviewer);
    if (f.fromTs !== undefined) add('first_ts >= @fromTs', 'fromTs', f.fromTs);
    if (f.toTs !== undefined) add('first_ts < @toTs', 'toTs', f.toTs);
    if (f.plate !== undefined) {
      const c = PlateStore.searchClause(f.plate);
      where.push(c ? c.sql : '0');
      if (c) Object.assign(params, c.params);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM incidents ${clause}`).get(params) as { n: number }
    ).n;
    const order = f.order === 'oldest' ? 'first_ts ASC, id ASC' : 'first_ts DESC, id';
    const rows = this.db
      .prepare(`SELECT * FROM incidents ${clause} ORDER BY ${order} LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: f.limit, offset: f.offset }) as Parameters<typeof toVersioned>[0][];
    return { items: rows.map(toVersioned), total };
  }

  /** Reviewers who gave a current verdict (for the reviewer filter). */
  reviewers(): string[] {
    return (
      this.db
        .prepare('SELECT DISTINCT reviewed_by AS r FROM incidents WHERE reviewed_by IS NOT NULL ORDER BY r')
        .all() as { r: string }[]
    ).map((x) => x.r);
  }
}
