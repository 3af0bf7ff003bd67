// Central evidence retention as a pure function: drop what is older than retentionDays, then oldest until under maxBytes.

export interface RetentionItem {
  id: string;
  bytes: number;
  createdAt: number;
}

export interface RetentionPolicy {
  /** 0 keeps forever. */
  retentionDays: number;
  /** 0 = no size limit. */
  maxBytes: number;
}

const DAY_MS = 24 * 3600 * 1000;

/** Ids to delete, oldest first. */
export function planEvidenceRetention(
  items: readonly RetentionItem[],
  nowMs: number,
  policy: RetentionPolicy,
): string[] {
  const sorted = [...items].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const out: string[] = [];
  let total = sorted.reduce((n, i) => n + i.bytes, 0);
  const cutoff = policy.retentionDays > 0 ? nowMs - policy.retentionDays * DAY_MS : -Infinity;
  for (const item of sorted) {
    const expired = item.createdAt < cutoff;
    const overSize = policy.maxBytes > 0 && total > policy.maxBytes;
    if (!expired && !overSize) break; // sorted oldest first: nothing newer is expired, and size now fits
    out.push(item.id);
    total -= item.bytes;
  }
  return out;
}
