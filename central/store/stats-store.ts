// Incident counts per rule type, camera, status and hour over a time range, for the dashboard.
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
    };
  }
}
