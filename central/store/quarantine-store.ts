// Invalid MQTT payloads, kept with the reason so an integrator can see what their edge sent wrong.
import type { Db } from './database.ts';

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
  private sincePrune = 0;

  constructor(
    private readonly db: Db,
    private readonly maxRows = DEFAULT_QUARANTINE_MAX_ROWS,
  ) {
    this.insert = db.prepare(
      'INSERT INTO quarantine (topic, received_at, reason, payload) VALUES (?, ?, ?, ?)',
    );
    this.prune = db.prepare<[number]>(
      'DELETE FROM quarantine WHERE rowid <= (SELECT MAX(rowid) FROM quarantine) - ?',
    );
  }

  add(topic: string, payload: Buffer, reason: string, receivedAt = Date.now()): void {
    // Cap what we keep per payload and in total: a hostile or broken client must not fill the disk through
    // quarantine. The counters still count every refused payload; only the oldest rows are dropped.
    this.insert.run(topic, receivedAt, reason.slice(0, 2000), payload.subarray(0, 16_384));
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

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM quarantine').get() as { n: number }).n;
  }
}
