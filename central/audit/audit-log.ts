// The append-only, hash-chained audit log in SQLite: who did what to which incident or file, and what they saw.
import type { Logger } from '../../lib/log.ts';
import { type Db, migrate } from '../store/database.ts';
import {
  type AuditRow,
  auditRowHash,
  type ChainVerdict,
  ChainVerifier,
  GENESIS_HASH,
  type WitnessedHead,
} from './audit-chain.ts';

export const AUDIT_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    actor TEXT NOT NULL,
    role TEXT,
    action TEXT NOT NULL,
    target TEXT,
    details TEXT,
    ip TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX audit_log_action ON audit_log (action, seq);
  CREATE INDEX audit_log_target ON audit_log (target, seq);
  -- Append-only inside the product: no code path may change or remove a row. Someone with the file can drop
  -- these; the hash chain (matthan audit verify) is what proves the rows were not touched.
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  `,
];

/** What is audited (README "Audit log" lists them with their details). */
export const AUDIT_ACTIONS = [
  'login',
  'login.failed',
  'login.limited',
  'logout',
  'verdict',
  'verdict.undo',
  'plate.correct',
  'evidence.download',
  'admin.request',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  actor: string;
  role?: string;
  action: AuditAction;
  /** What was acted on: an incident id, an evidence id, a route. */
  target?: string;
  details?: Record<string, unknown>;
  ip?: string;
}

export interface AuditRecord extends Omit<AuditRow, 'details'> {
  details: Record<string, unknown> | null;
}

interface DbRow {
  seq: number;
  ts: number;
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  details: string | null;
  ip: string | null;
  prev_hash: string;
  hash: string;
}

const toRow = (r: DbRow): AuditRow => ({
  seq: r.seq,
  ts: r.ts,
  actor: r.actor,
  role: r.role,
  action: r.action,
  target: r.target,
  details: r.details,
  ip: r.ip,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export interface AuditQuery {
  /** Rows with seq below this (paging back from the newest). */
  beforeSeq?: number;
  action?: string;
  target?: string;
  limit: number;
}

export class AuditLog {
  private readonly q;

  constructor(
    private readonly db: Db,
    private readonly log?: Logger,
    private readonly nowMs: () => number = Date.now,
  ) {
    migrate(db, 'audit', AUDIT_MIGRATIONS);
    this.q = {
      head: db.prepare<[], { seq: number; hash: string }>(
        'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
      ),
      insert: db.prepare(
        `INSERT INTO audit_log (seq, ts, actor, role, action, target, details, ip, prev_hash, hash)
         VALUES (@seq, @ts, @actor, @role, @action, @target, @details, @ip, @prevHash, @hash)`,
      ),
    };
  }

  /** The newest row's seq and hash (seq 0 and the genesis hash for an empty log). */
  head(): WitnessedHead {
    return this.q.head.get() ?? { seq: 0, hash: GENESIS_HASH };
  }

  /**
   * Appends one entry. Inside a caller's transaction it commits with the caller's change (a verdict and its
   * audit row are one), and SQLite's single writer keeps seq and prev_hash consistent.
   */
  append(entry: AuditEntry): AuditRow {
    const row = this.db.transaction(() => {
      const prev = this.head();
      const body: Omit<AuditRow, 'hash'> = {
        seq: prev.seq + 1,
        ts: this.nowMs(),
        actor: entry.actor,
        role: entry.role ?? null,
        action: entry.action,
        target: entry.target ?? null,
        details: entry.details === undefined ? null : JSON.stringify(entry.details),
        ip: entry.ip ?? null,
        prevHash: prev.hash,
      };
      const full: AuditRow = { ...body, hash: auditRowHash(body) };
      this.q.insert.run(full);
      return full;
    })();
    // The log line is a witness outside the database: `matthan audit verify --head SEQ:HASH` checks against it.
    this.log?.info(
      { audit: { seq: row.seq, hash: row.hash, action: row.action, actor: row.actor, target: row.target } },
      'audit',
    );
    return row;
  }

  /** Newest first. */
  list(query: AuditQuery): AuditRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (query.beforeSeq !== undefined) {
      where.push('seq < ?');
      args.push(query.beforeSeq);
    }
    if (query.action !== undefined) {
      where.push('action = ?');
      args.push(query.action);
    }
    if (query.target !== undefined) {
      where.push('target = ?');
      args.push(query.target);
    }
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    const rows = this.db.prepare<(string | number)[], DbRow>(sql).all(...args, query.limit);
    return rows.map((r) => {
      const row = toRow(r);
      return {
        ...row,
        details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
      };
    });
  }

  /** Walks the whole chain (streamed, so a long log costs no memory). */
  verify(witness?: WitnessedHead): ChainVerdict & { triggers: boolean } {
    return verifyAuditDatabase(this.db, witness);
  }
}

/** Verifies the chain of any database holding an audit_log table (the CLI opens a copy read-only). */
export function verifyAuditDatabase(db: Db, witness?: WitnessedHead): ChainVerdict & { triggers: boolean } {
  const v = new ChainVerifier(witness);
  for (const r of db.prepare<[], DbRow>('SELECT * FROM audit_log ORDER BY seq').iterate()) v.add(toRow(r));
  const triggers = db
    .prepare<[], { n: number }>(
      "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name IN ('audit_log_no_update', 'audit_log_no_delete')",
    )
    .get()!.n;
  const verdict = v.finish();
  return { ...verdict, triggers: triggers === 2 };
}
