// SQLite outbox (WAL, synchronous=FULL): messages and evidence rows survive process crashes and power loss.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type {
  EventKey,
  EvidenceItem,
  EvidenceKind,
  EvidenceState,
  NewEvidence,
  NewOutboxMessage,
  OutboxMessage,
  OutboxStore,
  OutboxUsage,
} from './outbox-store.ts';
import { planQuotaTrim } from './quota-policy.ts';

/** Append-only; the index is PRAGMA user_version. */
const MIGRATIONS: readonly string[] = [
  `
  -- AUTOINCREMENT: a seq is never reused after a delete, so replay order holds across restarts.
  CREATE TABLE messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    qos INTEGER NOT NULL,
    retain INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
  );
  CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    camera TEXT NOT NULL,
    kind TEXT NOT NULL,
    content_type TEXT NOT NULL,
    state TEXT NOT NULL,
    file TEXT,
    bytes INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    job TEXT
  );
  CREATE INDEX evidence_state_created ON evidence (state, created_ms);
  `,
  // 2: event messages carry their (event id, seq), the key central's end-to-end acknowledgement names.
  `
  ALTER TABLE messages ADD COLUMN event_id TEXT;
  ALTER TABLE messages ADD COLUMN event_seq INTEGER;
  CREATE INDEX messages_event ON messages (event_id, event_seq) WHERE event_id IS NOT NULL;
  -- Rows queued by an older version: their key is in the payload (contract/event.ts).
  UPDATE messages SET event_id = json_extract(payload, '$.id'), event_seq = json_extract(payload, '$.seq')
   WHERE topic LIKE '%/events' AND json_valid(payload)
     AND json_type(payload, '$.id') = 'text' AND json_type(payload, '$.seq') = 'integer';
  `,
];

interface MessageRow {
  seq: number;
  topic: string;
  payload: string;
  qos: number;
  retain: number;
  created_ms: number;
  event_id: string | null;
  event_seq: number | null;
}

interface EvidenceRow {
  id: string;
  event_id: string;
  camera: string;
  kind: string;
  content_type: string;
  state: string;
  file: string | null;
  bytes: number;
  created_ms: number;
  attempts: number;
  next_attempt_ms: number;
  last_error: string | null;
  job: string | null;
}

const toMessage = (r: MessageRow): OutboxMessage => {
  const m: OutboxMessage = {
    seq: r.seq,
    topic: r.topic,
    payload: r.payload,
    qos: r.qos === 0 ? 0 : 1,
    retain: r.retain === 1,
    createdMs: r.created_ms,
  };
  if (r.event_id !== null && r.event_seq !== null) m.key = { id: r.event_id, seq: r.event_seq };
  return m;
};

const toEvidence = (r: EvidenceRow): EvidenceItem => {
  const item: EvidenceItem = {
    id: r.id,
    eventId: r.event_id,
    camera: r.camera,
    kind: r.kind as EvidenceKind,
    contentType: r.content_type,
    state: r.state as EvidenceState,
    bytes: r.bytes,
    createdMs: r.created_ms,
    attempts: r.attempts,
    nextAttemptMs: r.next_attempt_ms,
  };
  if (r.file !== null) item.file = r.file;
  if (r.last_error !== null) item.lastError = r.last_error;
  if (r.job !== null) item.job = r.job;
  return item;
};

export class SqliteOutboxStore implements OutboxStore {
  private readonly db: Database.Database;
  private readonly q;

  /** file: the SQLite path, or ':memory:' for tests. */
  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: an edge box loses power, and an event acknowledged into the outbox must survive that.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
    const d = this.db;
    this.q = {
      insertMessage: d.prepare(
        'INSERT INTO messages (topic, payload, qos, retain, created_ms, event_id, event_seq) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      // The oldest row with the key (a key enqueued twice is a bug upstream; each ack removes one copy).
      ackKey: d.prepare<[string, number], { seq: number }>(
        `DELETE FROM messages WHERE seq = (SELECT MIN(seq) FROM messages WHERE event_id = ? AND event_seq = ?)
         RETURNING seq`,
      ),
      peek: d.prepare('SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?'),
      ack: d.prepare('DELETE FROM messages WHERE seq = ?'),
      insertEvidence: d.prepare(
        `INSERT INTO evidence (id, event_id, camera, kind, content_type, state, file, bytes, created_ms, job)
         VALUES (@id, @eventId, @camera, @kind, @contentType, @state, @file, @bytes, @createdMs, @job)
         ON CONFLICT (id) DO NOTHING`,
      ),
      ready: d.prepare("UPDATE evidence SET state = 'ready', file = ?, bytes = ? WHERE id = ?"),
      pending: d.prepare("SELECT * FROM evidence WHERE state = 'pending' ORDER BY created_ms, id LIMIT ?"),
      due: d.prepare(
        "SELECT * FROM evidence WHERE state = 'ready' AND next_attempt_ms <= ? ORDER BY created_ms, id LIMIT ?",
      ),
      defer: d.prepare(
        'UPDATE evidence SET attempts = attempts + 1, next_attempt_ms = ?, last_error = ? WHERE id = ?',
      ),
      get: d.prepare('SELECT * FROM evidence WHERE id = ?'),
      remove: d.prepare('DELETE FROM evidence WHERE id = ?'),
      readyAll: d.prepare("SELECT id, bytes, created_ms FROM evidence WHERE state = 'ready'"),
      messageUsage: d.prepare(
        'SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(CAST(payload AS BLOB)) + LENGTH(topic)), 0) AS bytes, MIN(created_ms) AS oldest FROM messages',
      ),
      evidenceUsage: d.prepare(
        'SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS bytes, MIN(created_ms) AS oldest FROM evidence',
      ),
    };
  }

  enqueue(msg: NewOutboxMessage, nowMs: number): OutboxMessage {
    const qos = msg.qos ?? 1;
    const retain = msg.retain ?? false;
    const r = this.q.insertMessage.run(
      msg.topic,
      msg.payload,
      qos,
      retain ? 1 : 0,
      nowMs,
      msg.key?.id ?? null,
      msg.key?.seq ?? null,
    );
    const m: OutboxMessage = {
      seq: Number(r.lastInsertRowid),
      topic: msg.topic,
      payload: msg.payload,
      qos,
      retain,
      createdMs: nowMs,
    };
    if (msg.key) m.key = { id: msg.key.id, seq: msg.key.seq };
    return m;
  }

  peek(limit: number, afterSeq = 0): OutboxMessage[] {
    return (this.q.peek.all(afterSeq, limit) as MessageRow[]).map(toMessage);
  }

  ack(seq: number): boolean {
    return this.q.ack.run(seq).changes > 0;
  }

  ackKey(key: EventKey): number | undefined {
    return this.q.ackKey.get(key.id, key.seq)?.seq;
  }

  addEvidence(item: NewEvidence, nowMs: number): void {
    this.q.insertEvidence.run({
      id: item.id,
      eventId: item.eventId,
      camera: item.camera,
      kind: item.kind,
      contentType: item.contentType,
      state: item.file ? 'ready' : 'pending',
      file: item.file ?? null,
      bytes: item.file ? (item.bytes ?? 0) : 0,
      createdMs: nowMs,
      job: item.job ?? null,
    });
  }

  markEvidenceReady(id: string, file: string, bytes: number): void {
    this.q.ready.run(file, bytes, id);
  }

  pendingEvidence(limit: number): EvidenceItem[] {
    return (this.q.pending.all(limit) as EvidenceRow[]).map(toEvidence);
  }

  dueEvidence(nowMs: number, limit: number): EvidenceItem[] {
    return (this.q.due.all(nowMs, limit) as EvidenceRow[]).map(toEvidence);
  }

  deferEvidence(id: string, nextAttemptMs: number, error: string): void {
    this.q.defer.run(nextAttemptMs, error.slice(0, 500), id);
  }

  getEvidence(id: string): EvidenceItem | undefined {
    const r = this.q.get.get(id) as EvidenceRow | undefined;
    return r ? toEvidence(r) : undefined;
  }

  removeEvidence(id: string): EvidenceItem | undefined {
    return this.db.transaction(() => {
      const item = this.getEvidence(id);
      if (item) this.q.remove.run(id);
      return item;
    })();
  }

  trimEvidence(maxBytes: number): EvidenceItem[] {
    return this.db.transaction(() => {
      const m = this.q.messageUsage.get() as { bytes: number };
      const candidates = (this.q.readyAll.all() as { id: string; bytes: number; created_ms: number }[]).map(
        (r) => ({ id: r.id, bytes: r.bytes, createdMs: r.created_ms }),
      );
      const removed: EvidenceItem[] = [];
      for (const id of planQuotaTrim(candidates, m.bytes, maxBytes)) {
        const item = this.removeEvidence(id);
        if (item) removed.push(item);
      }
      return removed;
    })();
  }

  usage(): OutboxUsage {
    const m = this.q.messageUsage.get() as { n: number; bytes: number; oldest: number | null };
    const e = this.q.evidenceUsage.get() as { n: number; bytes: number; oldest: number | null };
    const u: OutboxUsage = {
      messages: m.n,
      messageBytes: m.bytes,
      evidence: e.n,
      evidenceBytes: e.bytes,
    };
    if (m.oldest !== null) u.oldestMessageMs = m.oldest;
    if (e.oldest !== null) u.oldestEvidenceMs = e.oldest;
    return u;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
