// The disk-quota policy as a pure function: which evidence to drop (oldest first) so the outbox fits its quota.

export interface QuotaCandidate {
  id: string;
  bytes: number;
  createdMs: number;
}

/**
 * Evidence ids to trim, oldest first, until messageBytes + remaining evidence bytes <= maxBytes.
 * Events are never trimmed: when messageBytes alone exceed the quota every evidence item goes and the
 * events stay (an event without its clip is still worth delivering; a lost event is not).
 * maxBytes <= 0 means no quota.
 */
export function planQuotaTrim(
  evidence: readonly QuotaCandidate[],
  messageBytes: number,
  maxBytes: number,
): string[] {
  if (maxBytes <= 0) return [];
  let total = messageBytes + evidence.reduce((n, e) => n + e.bytes, 0);
  if (total <= maxBytes) return [];
  const oldestFirst = [...evidence].sort((a, b) => a.createdMs - b.createdMs || a.id.localeCompare(b.id));
  const out: string[] = [];
  for (const e of oldestFirst) {
    if (total <= maxBytes) break;
    out.push(e.id);
    total -= e.bytes;
  }
  return out;
}
