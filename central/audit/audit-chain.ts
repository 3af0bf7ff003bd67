// The audit log's hash chain: each row's hash covers its fields and the previous row's hash (pure, no database).
import { createHash } from 'node:crypto';

/** prev_hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditRow {
  seq: number;
  ts: number;
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  /** JSON text exactly as stored (hashing the stored text, not a re-serialisation, keeps the hash stable). */
  details: string | null;
  ip: string | null;
  prevHash: string;
  hash: string;
}

/** SHA-256 over the row's fields in a fixed order (a JSON array: unambiguous, no field can bleed into the next). */
export function auditRowHash(row: Omit<AuditRow, 'hash'>): string {
  const fields = [
    row.seq,
    row.ts,
    row.actor,
    row.role,
    row.action,
    row.target,
    row.details,
    row.ip,
    row.prevHash,
  ];
  return createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex');
}

export interface ChainProblem {
  seq: number;
  problem: string;
}

export interface ChainVerdict {
  ok: boolean;
  rows: number;
  /** seq and hash of the last row checked (what a witness should have recorded). */
  head: { seq: number; hash: string };
  problems: ChainProblem[];
}

/** Problems reported before giving up (a wholesale rewrite would otherwise list every row). */
const MAX_PROBLEMS = 100;

/** A row's seq and hash recorded outside the database (central logs one per append). */
export interface WitnessedHead {
  seq: number;
  hash: string;
}

/**
 * Walks rows in seq order. An edited row fails its own hash; a deleted one leaves a gap in seq and breaks the
 * next row's prevHash; a rewrite that recomputed every hash, or a cut-off tail, is caught against a witnessed
 * head (a seq and hash recorded outside the database, e.g. central's log).
 */
export class ChainVerifier {
  private prev = { seq: 0, hash: GENESIS_HASH };
  private rows = 0;
  private readonly problems: ChainProblem[] = [];
  private witnessSeen = false;

  constructor(private readonly witness?: WitnessedHead) {}

  private report(seq: number, problem: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ seq, problem });
  }

  add(row: AuditRow): void {
    this.rows++;
    if (row.seq !== this.prev.seq + 1)
      this.report(
        row.seq,
        row.seq > this.prev.seq + 1
          ? `rows ${this.prev.seq + 1}..${row.seq - 1} are missing (deleted)`
          : `seq ${row.seq} is out of order after ${this.prev.seq}`,
      );
    if (row.prevHash !== this.prev.hash)
      this.report(row.seq, "prev_hash does not match the previous row's hash");
    if (auditRowHash(row) !== row.hash) this.report(row.seq, 'hash does not match the row (edited)');
    if (this.witness && row.seq === this.witness.seq) {
      this.witnessSeen = true;
      if (row.hash !== this.witness.hash)
        this.report(row.seq, 'hash differs from the witnessed one (the log was rewritten)');
    }
    this.prev = { seq: row.seq, hash: row.hash };
  }

  finish(): ChainVerdict {
    if (this.witness && !this.witnessSeen)
      this.report(
        this.prev.seq,
        `row ${this.witness.seq} was witnessed but the log ends at ${this.prev.seq} (truncated)`,
      );
    return {
      ok: this.problems.length === 0,
      rows: this.rows,
      head: { ...this.prev },
      problems: [...this.problems],
    };
  }
}

/** Verifies a whole list of rows (tests, small logs). */
export function verifyAuditChain(rows: Iterable<AuditRow>, witness?: WitnessedHead): ChainVerdict {
  const v = new ChainVerifier(witness);
  for (const r of rows) v.add(r);
  return v.finish();
}
