// In-memory outbox with the same contract as the SQLite one; not durable, so it serves tests only.
import type {
  EventKey,
  EvidenceItem,
  NewEvidence,
  NewOutboxMessage,
  OutboxMessage,
  OutboxStore,
  OutboxUsage,
} from './outbox-store.ts';
import { planQuotaTrim } from './quota-policy.ts';

const messageBytes = (m: OutboxMessage) => Buffer.byteLength(m.payload) + Buffer.byteLength(m.topic);
const byAge = (a: EvidenceItem, b: EvidenceItem) => a.createdMs - b.createdMs || a.id.localeCompare(b.id);
const keyOf = (k: EventKey) => `${k.id}\0${k.seq}`;
const copy = (m: OutboxMessage): OutboxMessage => (m.key ? { ...m, key: { ...m.key } } : { ...m });

export class MemoryOutboxStore implements OutboxStore {
  private readonly messages = new Map<number, OutboxMessage>();
  private readonly evidence = new Map<string, EvidenceItem>();
  /** `${id}\0${seq}` -> outbox seq. */
  private readonly byKey = new Map<string, number>();
  private lastSeq = 0;

  enqueue(msg: NewOutboxMessage, nowMs: number): OutboxMessage {
    const m: OutboxMessage = {
      seq: ++this.lastSeq,
      topic: msg.topic,
      payload: msg.payload,
      qos: msg.qos ?? 1,
      retain: msg.retain ?? false,
      createdMs: nowMs,
    };
    if (msg.key) {
      m.key = { id: msg.key.id, seq: msg.key.seq };
      if (!this.byKey.has(keyOf(m.key))) this.byKey.set(keyOf(m.key), m.seq);
    }
    this.messages.set(m.seq, m);
    return copy(m);
  }

  peek(limit: number, afterSeq = 0): OutboxMessage[] {
    return [...this.messages.values()]
      .filter((m) => m.seq > afterSeq)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit)
      .map(copy);
  }

  ack(seq: number): boolean {
    const m = this.messages.get(seq);
    if (!m) return false;
    this.messages.delete(seq);
    if (m.key && this.byKey.get(keyOf(m.key)) === seq) this.byKey.delete(keyOf(m.key));
    return true;
  }

  ackKey(key: EventKey): number | undefined {
    const seq = this.byKey.get(keyOf(key));
    if (seq === undefined) return undefined;
    this.ack(seq);
    return seq;
  }

  addEvidence(item: NewEvidence, nowMs: number): void {
    if (this.evidence.has(item.id)) return;
    const e: EvidenceItem = {
      id: item.id,
      eventId: item.eventId,
      camera: item.camera,
      kind: item.kind,
      contentType: item.contentType,
      state: item.file ? 'ready' : 'pending',
      bytes: item.file ? (item.bytes ?? 0) : 0,
      createdMs: nowMs,
      attempts: 0,
      nextAttemptMs: 0,
    };
    if (item.file) e.file = item.file;
    if (item.job !== undefined) e.job = item.job;
    this.evidence.set(e.id, e);
  }

  markEvidenceReady(id: string, file: string, bytes: number): void {
    const e = this.evidence.get(id);
    if (!e) return;
    e.state = 'ready';
    e.file = file;
    e.bytes = bytes;
  }

  pendingEvidence(limit: number): EvidenceItem[] {
    return [...this.evidence.values()]
      .filter((e) => e.state === 'pending')
      .sort(byAge)
      .slice(0, limit)
      .map((e) => ({ ...e }));
  }

  dueEvidence(nowMs: number, limit: number): EvidenceItem[] {
    return [...this.evidence.values()]
      .filter((e) => e.state === 'ready' && e.nextAttemptMs <= nowMs)
      .sort(byAge)
      .slice(0, limit)
      .map((e) => ({ ...e }));
  }

  deferEvidence(id: string, nextAttemptMs: number, error: string): void {
    const e = this.evidence.get(id);
    if (!e) return;
    e.attempts++;
    e.nextAttemptMs = nextAttemptMs;
    e.lastError = error.slice(0, 500);
  }

  getEvidence(id: string): EvidenceItem | undefined {
    const e = this.evidence.get(id);
    return e ? { ...e } : undefined;
  }

  removeEvidence(id: string): EvidenceItem | undefined {
    const e = this.evidence.get(id);
    this.evidence.delete(id);
    return e ? { ...e } : undefined;
  }

  trimEvidence(maxBytes: number): EvidenceItem[] {
    const mBytes = [...this.messages.values()].reduce((n, m) => n + messageBytes(m), 0);
    const ready = [...this.evidence.values()].filter((e) => e.state === 'ready');
    return planQuotaTrim(ready, mBytes, maxBytes).map((id) => this.removeEvidence(id)!);
  }

  usage(): OutboxUsage {
    const msgs = [...this.messages.values()];
    const ev = [...this.evidence.values()];
    const u: OutboxUsage = {
      messages: msgs.length,
      messageBytes: msgs.reduce((n, m) => n + messageBytes(m), 0),
      evidence: ev.length,
      evidenceBytes: ev.reduce((n, e) => n + e.bytes, 0),
    };
    if (msgs.length > 0) u.oldestMessageMs = Math.min(...msgs.map((m) => m.createdMs));
    if (ev.length > 0) u.oldestEvidenceMs = Math.min(...ev.map((e) => e.createdMs));
    return u;
  }

  close(): void {
    this.messages.clear();
    this.byKey.clear();
    this.evidence.clear();
  }
}
