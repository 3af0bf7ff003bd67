// The audit hash chain: intact chains pass; an edited, deleted, reordered or re-hashed row is named.
import { describe, expect, it } from 'vitest';
import {
  type AuditRow,
  auditRowHash,
  GENESIS_HASH,
  verifyAuditChain,
} from '../../central/audit/audit-chain.ts';

function chain(n: number): AuditRow[] {
  const rows: AuditRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const body = {
      seq,
      ts: 1_700_000_000_000 + seq,
      actor: `reviewer-${seq % 3}`,
      role: 'reviewer',
      action: 'verdict',
      target: `inc-${seq}`,
      details: JSON.stringify({ verdict: 'confirmed', incidentVersion: seq }),
      ip: '10.0.0.5',
      prevHash: prev,
    };
    const row = { ...body, hash: auditRowHash(body) };
    rows.push(row);
    prev = row.hash;
  }
  return rows;
}

/** Recomputes every hash after a change, as a forger with the file would. */
function rehash(rows: AuditRow[]): AuditRow[] {
  let prev = GENESIS_HASH;
  return rows.map((r) => {
    const body = { ...r, prevHash: prev };
    const hash = auditRowHash(body);
    prev = hash;
    return { ...body, hash };
  });
}

describe('verifyAuditChain', () => {
  it.each([[0], [1], [5]])('an intact chain of %d rows passes', (n) => {
    const v = verifyAuditChain(chain(n));
    expect(v).toMatchObject({ ok: true, rows: n, problems: [] });
    expect(v.head.seq).toBe(n);
  });

  it.each([
    [
      'an edited verdict',
      (r: AuditRow[]) => r.map((x) => (x.seq === 3 ? { ...x, details: '{"verdict":"rejected"}' } : x)),
      3,
      'edited',
    ],
    [
      'an edited actor',
      (r: AuditRow[]) => r.map((x) => (x.seq === 1 ? { ...x, actor: 'admin' } : x)),
      1,
      'edited',
    ],
    ['a deleted middle row', (r: AuditRow[]) => r.filter((x) => x.seq !== 3), 4, 'missing'],
    ['a deleted first row', (r: AuditRow[]) => r.filter((x) => x.seq !== 1), 2, 'missing'],
    ['two rows swapped', (r: AuditRow[]) => [r[0]!, r[2]!, r[1]!, r[3]!, r[4]!], 3, 'missing'],
    [
      'an inserted row',
      (r: AuditRow[]) => [...r.slice(0, 2), { ...r[1]!, actor: 'x' }, ...r.slice(2)],
      2,
      'out of order',
    ],
  ])('%s is found at row %d', (_what, tamper, seq, problem) => {
    const v = verifyAuditChain(tamper(chain(5)));
    expect(v.ok).toBe(false);
    expect(v.problems.find((p) => p.seq === seq)?.problem).toContain(problem);
  });

  it('a re-hashed rewrite passes alone but fails against the witnessed head', () => {
    const original = chain(5);
    const forged = rehash(
      original.map((x) => (x.seq === 2 ? { ...x, details: '{"verdict":"rejected"}' } : x)),
    );
    expect(verifyAuditChain(forged).ok).toBe(true);
    const witness = { seq: 5, hash: original[4]!.hash };
    expect(verifyAuditChain(original, witness).ok).toBe(true);
    const v = verifyAuditChain(forged, witness);
    expect(v.ok).toBe(false);
    expect(v.problems[0]!.problem).toContain('rewritten');
  });

  it('a cut-off tail fails against the witnessed head', () => {
    const original = chain(5);
    const v = verifyAuditChain(original.slice(0, 3), { seq: 5, hash: original[4]!.hash });
    expect(v.ok).toBe(false);
    expect(v.problems[0]!.problem).toContain('truncated');
  });
});
