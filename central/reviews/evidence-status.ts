// Per evidence reference of an incident: available (with its digest), still uploading, failed (why), or expired.

import type { EvidenceNote } from '../store/evidence-notes-store.ts';
import type { EvidenceMeta } from '../store/evidence-store.ts';

export type EvidenceState = 'available' | 'pending' | 'failed' | 'expired' | 'missing';

export interface EvidenceStatus {
  id: string;
  state: EvidenceState;
  /** Why it is failed, expired or missing, in the edge's or central's words. */
  reason?: string;
  contentType?: string;
  bytes?: number;
  sha256?: string;
  /** Wall-clock ms of a clip's first frame, when the edge wrote it into the file. */
  startMs?: number;
}

/** What the status of one reference depends on, given by the caller (pure: no store, no clock inside). */
export interface EvidenceFacts {
  meta: (id: string) => EvidenceMeta | undefined;
  note: (id: string) => EvidenceNote | undefined;
  clipStart: (id: string) => number | undefined;
}

/**
 * `pendingMaxMs` after the incident was last seen, a file that never arrived and was never explained is
 * "missing": the edge may have lost it (an old edge without failure notices, a lost notice, a dead box).
 */
export function evidenceStatus(
  evidence: Record<string, string> | null,
  lastSeenTs: number,
  nowMs: number,
  pendingMaxMs: number,
  facts: EvidenceFacts,
): Record<string, EvidenceStatus> {
  const out: Record<string, EvidenceStatus> = {};
  for (const [kind, id] of Object.entries(evidence ?? {})) {
    if (typeof id !== 'string') continue;
    const meta = facts.meta(id);
    if (meta) {
      const startMs = meta.contentType === 'video/mp4' ? facts.clipStart(id) : undefined;
      out[kind] = {
        id,
        state: 'available',
        contentType: meta.contentType,
        bytes: meta.bytes,
        sha256: meta.sha256,
        ...(startMs !== undefined ? { startMs } : {}),
      };
      continue;
    }
    const note = facts.note(id);
    if (note) out[kind] = { id, state: note.state, reason: note.reason };
    else if (nowMs - lastSeenTs > pendingMaxMs)
      out[kind] = {
        id,
        state: 'missing',
        reason: `not received ${Math.round((nowMs - lastSeenTs) / 60_000)} min after the event`,
      };
    else out[kind] = { id, state: 'pending' };
  }
  return out;
}

/** Whether an incident has the evidence a fine needs (a snapshot and a clip on central) without an override. */
export function hasCompleteEvidence(status: Record<string, EvidenceStatus>): boolean {
  const ok = (k: string) => status[k]?.state === 'available';
  return (ok('snapshot') || ok('snapshotClean')) && ok('clip');
}
