// Central evidence retention as a pure function: drop what is older than retentionDays, then oldest until under
// maxBytes, never trimming for size the evidence of a confirmed incident.

export interface RetentionItem {
  id: string;
  bytes: number;
  createdAt: number;
  /** Evidence of a confirmed incident: kept until retentionDays whatever the size (a fine may rest on it). */
  held?: boolean;
}

export interface RetentionPolicy {
  /** 0 keeps forever. */
  retentionDays: number;
  /** 0 = no size limit. */
  maxBytes: number;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Ids to delete, oldest first. Expired items go whatever they are; over maxBytes, the oldest items that are not
 * held go next. Held items may keep the total above maxBytes: the disk must then be sized for them.
 */
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
    if (!expired && item.held) continue; // size alone never removes a confirmed incident's evidence
    out.push(item.id);
    total -= item.bytes;
  }
  return out;
}
