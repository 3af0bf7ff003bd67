// Invalid MQTT payloads, kept with the reason so an integrator can see what their edge sent wrong.
import { ID_PATTERN } from '../../contract/index.ts';
import type { Db } from './database.ts';

const EVENT_ID = new RegExp(ID_PATTERN);

/** The event id a refused payload claims, when it is JSON with a well-formed string id (else undefined). */
export function claimedEventId(payload: Buffer): string | undefined {
  if (payload.length > 65_536) return undefined;
  try {
    const id = (JSON.parse(payload.toString('utf8')) as { id?: unknown })?.id;
    return typeof id === 'string' && EVENT_ID.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The site of an events topic, matthan/v1/{site}/{camera}/events. */
const siteOfTopic = (topic: string): string | undefined => topic.split('/')[2];

export interface QuarantinedPayload {
  id: number;
  topic: string;
  receivedAt: number;
  reason: string;
  payload: string;
}

/** Rows kept by default: at most ~1.6 GB of payloads (16 KiB each), weeks of a misbehaving edge. */
export const DEFAULT_QUARANTINE_MAX_ROWS = 100_000;
/** Pruning runs once per this many inserts, so its DELETE costs nothing per message. */
const PRUNE_EVERY = 1_000;

export class QuarantineStore {
  private readonly insert;
  private readonly prune;
  private readonly refusedQ;
  private sincePrune = 0;

  constructor(
    private readonly db: Db,
    private readonly maxRows = DEFAULT_QUARANTINE_MAX_ROWS,
  ) {
    this.insert = db.prepare(
      'INSERT INTO quarantine (topic, received_at, reason, payload, event_id, site) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.refusedQ = db.prepare<[string, string], { reason: string }>(
      'SELECT reason FROM quarantine WHERE event_id = ? AND site = ? ORDER BY rowid DESC LIMIT 1',
    );
    this.prune = db.prepare<[number]>(
      'DELETE FROM quarantine WHERE rowid <= (SELECT MAX(rowid) FROM quarantine) - ?',
    );
  }

  add(topic: string, payload: Buffer, reason: string, receivedAt = Date.now()): void {
    // Cap what we keep per payload and in total: a hostile or broken client must not fill the disk through
    // quarantine. The counters still count every refused payload; only the oldest rows are dropped.
    const eventId = claimedEventId(payload);
    this.insert.run(
      topic,
      receivedAt,
      reason.slice(0, 2000),
      payload.subarray(0, 16_384),
      eventId ?? null,
      eventId ? (siteOfTopic(topic) ?? null) : null,
    );
    if (++this.sincePrune >= PRUNE_EVERY) {
      this.sincePrune = 0;
      this.prune.run(this.maxRows);
    }
  }

  list(limit = 100, offset = 0): QuarantinedPayload[] {
    return (
      this.db
        .prepare(
          'SELECT rowid AS id, topic, received_at, reason, payload FROM quarantine ORDER BY rowid DESC LIMIT ? OFFSET ?',
        )
        .all(limit, offset) as {
        id: number;
        topic: string;
        received_at: number;
        reason: string;
        payload: Buffer;
      }[]
    ).map((r) => ({
      id: r.id,
      topic: r.topic,
      receivedAt: r.received_at,
      reason: r.reason,
      payload: r.payload.toString('utf8'),
    }));
  }

  /**
   * Why central refused the event of this id from this site, when it did (the newest refusal). Only the site's
   * own topic counts: broker ACLs keep other sites off it, so nobody can get another site's event refused.
   */
  refusedEvent(eventId: string, site: string): string | undefined {
    return this.refusedQ.get(eventId, site)?.reason;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM quarantine').get() as { n: number }).n;
  }
}
