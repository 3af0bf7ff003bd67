// Turns what one committed ingest batch took into central's acknowledgement messages, one or more per site.
import { type AckMessage, MAX_ACKS_PER_MESSAGE, SCHEMA_VERSION, Topics } from '../../contract/index.ts';

/** One event message central has durably taken: stored (now or before), or refused into quarantine. */
export interface AckEntry {
  site: string;
  id: string;
  seq: number;
  /** Set when the message went to quarantine instead of the incident store. */
  refused?: string;
}

export interface AckPublication {
  topic: string;
  message: AckMessage;
}

/** Reasons in an ack are for the edge's log, not the full story (that is in GET /api/quarantine). */
const ACK_REASON_CHARS = 256;

/** Groups entries by site (in order of first appearance) and splits each site into messages of at most maxPerMessage. */
export function buildAckMessages(
  entries: readonly AckEntry[],
  nowMs: number,
  maxPerMessage = MAX_ACKS_PER_MESSAGE,
): AckPublication[] {
  const bySite = new Map<string, AckEntry[]>();
  for (const e of entries) {
    const list = bySite.get(e.site);
    if (list) list.push(e);
    else bySite.set(e.site, [e]);
  }
  const out: AckPublication[] = [];
  for (const [site, list] of bySite) {
    for (let i = 0; i < list.length; i += maxPerMessage) {
      const chunk = list.slice(i, i + maxPerMessage);
      const stored: [string, number][] = [];
      const refused: { id: string; seq: number; reason: string }[] = [];
      for (const e of chunk) {
        if (e.refused === undefined) stored.push([e.id, e.seq]);
        else refused.push({ id: e.id, seq: e.seq, reason: clip(e.refused) });
      }
      const message: AckMessage = { schemaVersion: SCHEMA_VERSION, site, ts: nowMs, stored };
      if (refused.length > 0) message.refused = refused;
      out.push({ topic: Topics.acks(site), message });
    }
  }
  return out;
}

function clip(s: string): string {
  return s.length > ACK_REASON_CHARS ? `${s.slice(0, ACK_REASON_CHARS - 3)}...` : s;
}
