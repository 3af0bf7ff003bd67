// Durable "in flight" markers for ingest: each batch is recorded (committed) before it is processed and the
// record is deleted in the transaction that stores it. A record still there at start belongs to a run that died
// mid-processing; its messages become suspects, recognised when the broker redelivers them, so a message that
// stopped central cannot stop it again and again. One row per batch, not per message: two extra statements per
// batch in normal operation.
import { createHash } from 'node:crypto';
import { type Db, migrate } from '../store/database.ts';

export const INGEST_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE ingest_inflight (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    digests TEXT NOT NULL,          -- JSON array of message digests (messageDigest)
    alone INTEGER NOT NULL,         -- 1: a batch of one message
    started_ms INTEGER NOT NULL
  );
  CREATE TABLE ingest_suspects (
    digest TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,      -- runs that started processing it and died
    alone INTEGER NOT NULL          -- 1: one of those runs processed it by itself
  );
  `,
  // 2: timestamps an older central stored before ingest bounded them (issue 17: an incident with ts 1e300 sorted to
  // the top and blanked the review queue; 9e15 broke the CAP alert). Outside the contract's range (2000-01-01 ..
  // 9999-12-31, contract/timestamp.ts) or not an integer, a timestamp takes the time central received the message.
  `
  UPDATE incidents SET first_ts = created_at
   WHERE typeof(first_ts) <> 'integer' OR first_ts NOT BETWEEN 946684800000 AND 253402300799999;
  UPDATE incidents SET last_ts = updated_at
   WHERE typeof(last_ts) <> 'integer' OR last_ts NOT BETWEEN 946684800000 AND 253402300799999;
  UPDATE incidents SET last_seen_ts = updated_at
   WHERE typeof(last_seen_ts) <> 'integer' OR last_seen_ts NOT BETWEEN 946684800000 AND 253402300799999;
  UPDATE events SET ts = received_at
   WHERE typeof(ts) <> 'integer' OR ts NOT BETWEEN 946684800000 AND 253402300799999;
  UPDATE events SET payload = json_set(payload, '$.ts', received_at)
   WHERE json_valid(payload) AND json_type(payload, '$.ts') IS NOT NULL
     AND (json_type(payload, '$.ts') <> 'integer' OR json_extract(payload, '$.ts') NOT BETWEEN 946684800000 AND 253402300799999);
  UPDATE events SET payload = json_set(payload, '$.startTs', received_at)
   WHERE json_valid(payload) AND json_type(payload, '$.startTs') IS NOT NULL
     AND (json_type(payload, '$.startTs') <> 'integer' OR json_extract(payload, '$.startTs') NOT BETWEEN 946684800000 AND 253402300799999);
  UPDATE events SET payload = json_set(payload, '$.endTs', received_at)
   WHERE json_valid(payload) AND json_type(payload, '$.endTs') IS NOT NULL
     AND (json_type(payload, '$.endTs') <> 'integer' OR json_extract(payload, '$.endTs') NOT BETWEEN 946684800000 AND 253402300799999);
  UPDATE events SET payload = json_set(payload, '$.best.ts', received_at)
   WHERE json_valid(payload) AND json_type(payload, '$.best.ts') IS NOT NULL
     AND (json_type(payload, '$.best.ts') <> 'integer' OR json_extract(payload, '$.best.ts') NOT BETWEEN 946684800000 AND 253402300799999);
  `,
];

/** What a redelivered message left behind from earlier runs that died while processing it. */
export interface PriorRun {
  attempts: number;
  /** A run processed it by itself and died: it, not a neighbour, is what stopped central. */
  alone: boolean;
}

/** Bytes of each end of the payload that go into the digest: bounded cost for a 30 MB message. */
const DIGEST_SPAN = 65_536;

/** Identifies one message across redeliveries (a QoS 1 redelivery carries the same topic and payload). */
export function messageDigest(topic: string, payload: Buffer): string {
  const h = createHash('sha256').update(topic).update('\0').update(String(payload.length)).update('\0');
  if (payload.length <= 2 * DIGEST_SPAN) h.update(payload);
  else h.update(payload.subarray(0, DIGEST_SPAN)).update(payload.subarray(payload.length - DIGEST_SPAN));
  return h.digest('base64');
}

export class InflightMarkers {
  private readonly q;
  /** Suspects by digest, loaded at start; only a run that died leaves any. */
  private readonly suspects = new Map<string, PriorRun>();

  constructor(private readonly db: Db) {
    migrate(db, 'ingest', INGEST_MIGRATIONS);
    this.q = {
      begin: db.prepare<[string, number, number]>(
        'INSERT INTO ingest_inflight (digests, alone, started_ms) VALUES (?, ?, ?)',
      ),
      finish: db.prepare<[number]>('DELETE FROM ingest_inflight WHERE id = ?'),
      resolve: db.prepare<[string]>('DELETE FROM ingest_suspects WHERE digest = ?'),
      count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM ingest_inflight'),
    };
    this.foldUnfinishedRuns();
  }

  /** Runs that died become suspects (durably, so a second crash before the redelivery still knows). */
  private foldUnfinishedRuns(): void {
    this.db.transaction(() => {
      const runs = this.db.prepare('SELECT digests, alone FROM ingest_inflight').all() as {
        digests: string;
        alone: number;
      }[];
      const upsert = this.db.prepare<[string, number]>(
        `INSERT INTO ingest_suspects (digest, attempts, alone) VALUES (?, 1, ?)
         ON CONFLICT (digest) DO UPDATE SET attempts = attempts + 1, alone = MAX(alone, excluded.alone)`,
      );
      for (const run of runs) for (const d of parseDigests(run.digests)) upsert.run(d, run.alone);
      this.db.exec('DELETE FROM ingest_inflight');
    })();
    const rows = this.db.prepare('SELECT digest, attempts, alone FROM ingest_suspects').all() as {
      digest: string;
      attempts: number;
      alone: number;
    }[];
    for (const r of rows) this.suspects.set(r.digest, { attempts: r.attempts, alone: r.alone === 1 });
  }

  /** Earlier runs that died with this message in flight; undefined for nearly every message. */
  prior(digest: string): PriorRun | undefined {
    return this.suspects.size === 0 ? undefined : this.suspects.get(digest);
  }

  /** Records a batch as in flight and commits, before any of it is processed; returns the record's id. */
  begin(digests: readonly string[], nowMs: number): number {
    const r = this.q.begin.run(JSON.stringify(digests), digests.length === 1 ? 1 : 0, nowMs);
    return Number(r.lastInsertRowid);
  }

  /**
   * Inside the transaction that stores the batch: deletes its record and the suspect rows among its digests, so
   * both commit together. Call resolved() after the commit.
   */
  finish(runId: number, digests: readonly string[]): void {
    this.q.finish.run(runId);
    if (this.suspects.size === 0) return;
    for (const d of digests) if (this.suspects.has(d)) this.q.resolve.run(d);
  }

  /** After the commit of finish(): forget the suspects that were handled. */
  resolved(digests: readonly string[]): void {
    if (this.suspects.size === 0) return;
    for (const d of digests) this.suspects.delete(d);
  }

  /** The batch failed for a reason that is not its messages' fault (database locked, full): forget the record. */
  abandon(runId: number): void {
    this.q.finish.run(runId);
  }

  /** Batches recorded and not finished (in flight right now). */
  inflightCount(): number {
    return this.q.count.get()!.n;
  }

  get suspectCount(): number {
    return this.suspects.size;
  }
}

function parseDigests(text: string): string[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v.filter((d): d is string => typeof d === 'string') : [];
  } catch {
    // Our own row, so this does not happen; if it did, the batch's messages are simply not suspects.
    return [];
  }
}
