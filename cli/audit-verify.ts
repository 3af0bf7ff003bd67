// `matthan audit verify DB [--head SEQ:HASH]`: walks the audit log's hash chain of a database (or a copy of one).
import Database from 'better-sqlite3';
import type { WitnessedHead } from '../central/audit/audit-chain.ts';
import { verifyAuditDatabase } from '../central/audit/audit-log.ts';

/** "SEQ:HASH" as central logs it (`audit` lines carry seq and hash). */
export function parseWitness(text: string | undefined): WitnessedHead | undefined | Error {
  if (text === undefined) return undefined;
  const m = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  if (!m) return new Error(`--head must be SEQ:HASH (64 hex), as in central's audit log lines; got ${text}`);
  return { seq: Number(m[1]), hash: m[2]! };
}

export function auditVerifyCommand(file: string, headText?: string): number {
  const witness = parseWitness(headText);
  if (witness instanceof Error) {
    process.stderr.write(`${witness.message}\n`);
    return 2;
  }
  let db: Database.Database;
  try {
    // Read-only: verifying must never change the evidence it checks.
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    process.stderr.write(`${file}: cannot open (${(err as Error).message})\n`);
    return 1;
  }
  try {
    const v = verifyAuditDatabase(db, witness);
    const problems = [...v.problems];
    if (!v.triggers)
      problems.push({
        seq: 0,
        problem: 'the append-only triggers are gone (someone dropped them to edit rows)',
      });
    if (problems.length === 0) {
      process.stdout.write(`${file}: audit log intact: ${v.rows} rows, head ${v.head.seq}:${v.head.hash}\n`);
      return 0;
    }
    process.stderr.write(
      `${file}: audit log FAILED verification (${problems.length} problems, ${v.rows} rows)\n`,
    );
    for (const p of problems) process.stderr.write(`  row ${p.seq}: ${p.problem}\n`);
    return 1;
  } catch (err) {
    process.stderr.write(`${file}: no readable audit log (${(err as Error).message})\n`);
    return 1;
  } finally {
    db.close();
  }
}
