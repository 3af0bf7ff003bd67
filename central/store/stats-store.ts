// Incident counts per rule type, camera, status, hour and day over a time range, and review figures (confirmation
// rate, median time to a verdict), for the statistics page.
import type { Db } from './database.ts';

export interface IncidentStats {
  from: number | null;
  to: number | null;
  total: number;
  byRule: { ruleType: string; count: number }[];
  byCamera: { site: string; camera: string; count: number }[];
  byStatus: { status: string; count: number }[];
  /** hour = epoch ms of the start of the UTC hour the incident started in. */
  byHour: { hour: number; count: number }[];
  review: ReviewStats;
}

export interface ReviewStats {
  confirmed: number;
  rejected: number;
  /** confirmed / (confirmed + rejected); null before any verdict. */
  confirmationRate: number | null;
  /** Median ms from the incident's arrival at central to its current verdict; null before any verdict. */
  medianTimeToVerdictMs: number | null;
  /** Median ms the reviewer had the incident open before deciding (reported by the page); null when none. */
  medianHandlingMs: number | null;
  byReviewer: { reviewer: string; confirmed: number; rejected: number }[];
  byRule: { ruleType: string; confirmed: number; rejected: number }[];
}

/** Median of a sorted list; null when empty. */
export function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : Math.round((sorted[m - 1]! + sorted[m]!) / 2);
}

const HOUR_MS = 3_600_000;

export class StatsStore {
  constructor(private readonly db: Db) {}

  incidents(fromTs?: number, toTs?: number): IncidentStats {
    const where: string[] = [];
    const params: Record<string, number> = {};
    if (fromTs !== undefined) {
      where.push('first_ts >= @fromTs');
      params.fromTs = fromTs;
    }
    if (toTs !== undefined) {
      where.push('first_ts < @toTs');
      params.toTs = toTs;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const q = <T>(sql: string) => this.db.prepare(sql).all(params) as T[];
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM incidents ${clause}`).get(params) as { n: number }
    ).n;
    return {
      from: fromTs ?? null,
      to: toTs ?? null,
      total,
      byRule: q(
        `SELECT rule_type AS ruleType, COUNT(*) AS count FROM incidents ${clause} GROUP BY rule_type ORDER BY count DESC, rule_type`,
      ),
      byCamera: q(
        `SELECT site, camera, COUNT(*) AS count FROM incidents ${clause} GROUP BY site, camera ORDER BY count DESC, site, camera`,
      ),
      byStatus: q(
        `SELECT status, COUNT(*) AS count FROM incidents ${clause} GROUP BY status ORDER BY status`,
      ),
      byHour: q(
        `SELECT (first_ts / ${HOUR_MS}) * ${HOUR_MS} AS hour, COUNT(*) AS count FROM incidents ${clause} GROUP BY hour ORDER BY hour`,
      ),
      review: this.review(clause, params),
    };
  }

  private review(clause: string, params: Record<string, number>): ReviewStats {
    const decided = `${clause ? `${clause} AND` : 'WHERE'} status IN ('confirmed', 'rejected')`;
    const counts = this.db
      .prepare(`SELECT status, COUNT(*) AS n FROM incidents ${decided} GROUP BY status`)
      .all(params) as { status: string; n: number }[];
    const confirmed = counts.find((c) => c.status === 'confirmed')?.n ?? 0;
    const rejected = counts.find((c) => c.status === 'rejected')?.n ?? 0;
    const toVerdict = (
      this.db
        .prepare(
          `SELECT reviewed_at - created_at AS ms FROM incidents ${decided} AND reviewed_at IS NOT NULL ORDER BY ms`,
        )
        .all(params) as { ms: number }[]
    ).map((r) => Math.max(0, r.ms));
    // Handling time of the verdicts in force (the newest verdict row of each decided incident).
    const handling = (
      this.db
        .prepare(
          `SELECT r.handling_ms AS ms FROM reviews r JOIN incidents i ON i.id = r.incident_id
           WHERE r.rowid = (SELECT MAX(rowid) FROM reviews x WHERE x.incident_id = i.id AND x.kind = 'verdict')
             AND r.handling_ms IS NOT NULL AND i.status IN ('confirmed', 'rejected')
             ${clause ? `AND ${clause.slice(6).replaceAll('first_ts', 'i.first_ts')}` : ''}
           ORDER BY ms`,
        )
        .all(params) as { ms: number }[]
    ).map((r) => r.ms);
    const split = (col: string, as: string) =>
      this.db
        .prepare(
          `SELECT ${col} AS ${as}, SUM(status = 'confirmed') AS confirmed, SUM(status = 'rejected') AS rejected
           FROM incidents ${decided} GROUP BY ${col} ORDER BY ${col}`,
        )
        .all(params);
    return {
      confirmed,
      rejected,
      confirmationRate: confirmed + rejected > 0 ? confirmed / (confirmed + rejected) : null,
      medianTimeToVerdictMs: median(toVerdict),
      medianHandlingMs: median(handling),
      byReviewer: split('reviewed_by', 'reviewer') as ReviewStats['byReviewer'],
      byRule: split('rule_type', 'ruleType') as ReviewStats['byRule'],
    };
  }
}
