// Invalid MQTT payloads, kept with the reason so an integrator can see what their edge sent wrong.
import type { Db } from './database.ts';

export interface QuarantinedPayload {
  id: number;
  topic: string;
  receivedAt: number;
  reason: string;
  payload: string;
}

export class QuarantineStore {
  private readonly insert;
  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      'INSERT INTO quarantine (topic, received_at, reason, payload) VALUES (?, ?, ?, ?)',
    );
  }

  add(topic: string, payload: Buffer, reason: string, receivedAt = Date.now()): void {
    // Cap what we keep per payload: a hostile or broken client must not fill the disk through quarantine.
    this.insert.run(topic, receivedAt, reason.slice(0, 2000), payload.subarray(0, 16_384));
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
