// The edge's durable outbox as an interface: event messages kept until central acknowledges them (or, in broker
// mode, until PUBACK), evidence files kept until uploaded.

/** The (event id, seq) of an event message: what central's end-to-end acknowledgement names. */
export interface EventKey {
  id: string;
  seq: number;
}

/** One MQTT message waiting for its acknowledgement; `seq` orders replay and never repeats, even across restarts. */
export interface OutboxMessage {
  seq: number;
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
  createdMs: number;
  /** Set for event messages: central acknowledges them by this key. */
  key?: EventKey;
}

export interface NewOutboxMessage {
  topic: string;
  payload: string;
  qos?: 0 | 1;
  retain?: boolean;
  key?: EventKey;
}

export type EvidenceKind = 'snapshot' | 'snapshotClean' | 'clip' | 'plate';

/** pending: minted but not yet captured (the post-roll is still being recorded); ready: a file waits for upload. */
export type EvidenceState = 'pending' | 'ready';

export interface EvidenceItem {
  id: string;
  eventId: string;
  camera: string;
  kind: EvidenceKind;
  contentType: string;
  state: EvidenceState;
  /** Absolute path of the captured file (ready items only). */
  file?: string;
  bytes: number;
  createdMs: number;
  attempts: number;
  nextAttemptMs: number;
  lastError?: string;
  /** What to capture, as JSON (the recorder's job; opaque to the store). */
  job?: string;
}

export interface NewEvidence {
  id: string;
  eventId: string;
  camera: string;
  kind: EvidenceKind;
  contentType: string;
  job?: string;
  /** Set when the file already exists (then the item starts ready). */
  file?: string;
  bytes?: number;
}

export interface OutboxUsage {
  messages: number;
  messageBytes: number;
  /** createdMs of the oldest unacknowledged message. */
  oldestMessageMs?: number;
  evidence: number;
  evidenceBytes: number;
  oldestEvidenceMs?: number;
}

export interface OutboxStore {
  /** Appends a message durably (it survives a crash once this returns). */
  enqueue(msg: NewOutboxMessage, nowMs: number): OutboxMessage;
  /** Unacknowledged messages with seq > afterSeq, oldest first. */
  peek(limit: number, afterSeq?: number): OutboxMessage[];
  /** Deletes a message by its outbox seq (PUBACK in broker mode); false when it was already gone. */
  ack(seq: number): boolean;
  /**
   * Deletes the event message with this key (central's acknowledgement); returns its outbox seq, or undefined
   * when there is none (already acknowledged, or never ours: acks go to every box of a site).
   */
  ackKey(key: EventKey): number | undefined;

  /** Records an evidence item; adding an id that exists is a no-op (ids are derived from event ids). */
  addEvidence(item: NewEvidence, nowMs: number): void;
  /** The capture finished: the file waits for upload. */
  markEvidenceReady(id: string, file: string, bytes: number): void;
  /** Pending items (not yet captured), oldest first. */
  pendingEvidence(limit: number): EvidenceItem[];
  /** Ready items whose next attempt is due, oldest first. */
  dueEvidence(nowMs: number, limit: number): EvidenceItem[];
  /** A failed upload: counts the attempt and sets when to retry. */
  deferEvidence(id: string, nextAttemptMs: number, error: string): void;
  getEvidence(id: string): EvidenceItem | undefined;
  /** Forgets an item (uploaded, trimmed, or given up); returns it so the caller can delete the file. */
  removeEvidence(id: string): EvidenceItem | undefined;
  /**
   * Quota policy: removes ready evidence oldest-first until messages + evidence fit in maxBytes.
   * Messages (events) are never removed, even when they alone exceed the quota. Returns the removed items.
   */
  trimEvidence(maxBytes: number): EvidenceItem[];

  usage(): OutboxUsage;
  close(): void;
}
