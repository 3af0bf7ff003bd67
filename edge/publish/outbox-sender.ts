// Drains the durable outbox to MQTT in seq order, within a window of messages not yet acknowledged end to end.
// An event leaves the outbox only when central says it stored it (contract/ack.ts), never on the broker's PUBACK
// alone: a broker drops queued messages (mosquitto's max_queued_messages, a restart without persistence), and
// what it dropped is re-sent from here after an ack timeout, oldest first; central's (id, seq) dedup absorbs
// the copies. In broker mode (outbox.deleteOn: broker) a PUBACK is enough, as before.
import type { AckMessage } from '../../contract/index.ts';
import type { Logger } from '../../lib/log.ts';
import type { EventKey, NewOutboxMessage, OutboxMessage, OutboxStore } from '../outbox/outbox-store.ts';
import { isLikelyDropped, resendDelayMs } from './resend-policy.ts';

/** What the sender needs from the MQTT side (MqttPublisher implements it). */
export interface PublishTarget {
  readonly connected: boolean;
  /** Resolves on PUBACK. */
  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void>;
  onConnect(listener: () => void): void;
}

export type DeleteOn = 'central' | 'broker';

export interface OutboxSenderOptions {
  /**
   * Messages handed to MQTT and not yet acknowledged (by central, or by the broker in broker mode); higher
   * rides out latency, lower keeps what a broker can drop, and what is re-sent, small.
   */
  windowSize: number;
  /** Pause before handing a failed message over again (only happens when the client is closed). */
  retryMs: number;
  nowMs: () => number;
  /** central: delete an event on central's acknowledgement; broker: on the broker's PUBACK. */
  deleteOn: DeleteOn;
  /** First re-send of an event central has not acknowledged after this long. */
  ackTimeoutMs: number;
  /** Re-sends back off, doubling, up to this. */
  ackTimeoutMaxMs: number;
}

export interface OutboxSenderCounters {
  enqueued: number;
  /** Messages the broker acknowledged (first PUBACK of each). */
  published: number;
  /** Messages removed from the outbox as delivered (central's ack; PUBACK in broker mode or for non-events). */
  acked: number;
  /** Events central acknowledged as stored. */
  centralAcked: number;
  /** Events central refused (kept in its quarantine, so not re-sent). */
  refused: number;
  /** Events handed over again because central had not acknowledged them in time. */
  resent: number;
  failures: number;
}

/** A message handed to MQTT and not yet acknowledged end to end. */
interface Handed {
  message: OutboxMessage;
  /** Times handed to MQTT. */
  sends: number;
  pubacked: boolean;
  lastSendMs: number;
  /** When to hand it over again if still unacknowledged. */
  dueMs: number;
}

/** Grace before re-sending an event that central skipped (a later one was acknowledged): batches in flight. */
const GAP_GRACE_MS = 2000;

/** Refusals logged one by one at most this many times per process; the counter keeps counting. */
const LOGGED_REFUSALS = 20;

export class OutboxSender {
  readonly counters: OutboxSenderCounters = {
    enqueued: 0,
    published: 0,
    acked: 0,
    centralAcked: 0,
    refused: 0,
    resent: 0,
    failures: 0,
  };
  private readonly o: OutboxSenderOptions;
  /**
   * Highest seq handed to the MQTT client in this process. mqtt.js keeps QoS 1 publishes it was given and
   * resends them itself, in order, after a reconnect; the resend timer only covers what central has not
   * acknowledged. After a process restart this is 0, so every unacknowledged message is replayed from the oldest.
   */
  private lastHandedSeq = 0;
  /** The window, in seq order (a Map keeps insertion order and seqs are handed in increasing order). */
  private readonly handed = new Map<number, Handed>();
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly resendTimer: NodeJS.Timeout | undefined;
  private readonly drainWaiters = new Set<() => void>();

  constructor(
    private readonly store: OutboxStore,
    private readonly target: PublishTarget,
    private readonly log: Logger,
    options: Partial<OutboxSenderOptions> = {},
  ) {
    this.o = {
      windowSize: 100,
      retryMs: 1000,
      nowMs: Date.now,
      deleteOn: 'central',
      ackTimeoutMs: 30_000,
      ackTimeoutMaxMs: 600_000,
      ...options,
    };
    target.onConnect(() => this.pump());
    if (this.o.deleteOn === 'central') {
      const everyMs = Math.max(50, Math.min(1000, this.o.ackTimeoutMs / 4));
      this.resendTimer = setInterval(() => this.resendOverdue(), everyMs);
      this.resendTimer.unref();
    }
  }

  /** Store first, then publish: once this returns the message survives a crash (Aedes' rule). */
  send(topic: string, payload: string, opts: { qos?: 0 | 1; retain?: boolean; key?: EventKey } = {}): number {
    const msg: NewOutboxMessage = { topic, payload, ...opts };
    const m = this.store.enqueue(msg, this.o.nowMs());
    this.counters.enqueued++;
    this.pump();
    return m.seq;
  }

  /** Hands messages over while connected and the window has room. */
  pump(): void {
    if (this.stopped || !this.target.connected) return;
    while (this.handed.size < this.o.windowSize) {
      const batch = this.store.peek(this.o.windowSize - this.handed.size, this.lastHandedSeq);
      if (batch.length === 0) break;
      for (const m of batch) {
        this.lastHandedSeq = m.seq;
        const h: Handed = { message: m, sends: 0, pubacked: false, lastSendMs: 0, dueMs: 0 };
        this.handed.set(m.seq, h);
        this.hand(h);
      }
    }
  }

  /** Central's acknowledgement for this site: delete what it names (ours or not: acks go to every box of a site). */
  onCentralAck(ack: AckMessage): void {
    let removed = 0;
    let latest: { seq: number; lastSendMs: number } | undefined;
    const take = (key: EventKey): boolean => {
      const seq = this.store.ackKey(key);
      if (seq === undefined) return false;
      const h = this.handed.get(seq);
      if (h && (!latest || seq > latest.seq)) latest = { seq, lastSendMs: h.lastSendMs };
      this.handed.delete(seq);
      this.counters.acked++;
      removed++;
      return true;
    };
    for (const [id, seq] of ack.stored) if (take({ id, seq })) this.counters.centralAcked++;
    for (const r of ack.refused ?? []) {
      if (!take({ id: r.id, seq: r.seq })) continue;
      this.counters.refused++;
      // The event is kept in central's quarantine, not lost, but someone must look: say why, a few times.
      if (this.counters.refused <= LOGGED_REFUSALS)
        this.log.warn(
          { event: r.id, seq: r.seq, reason: r.reason, refusedSoFar: this.counters.refused },
          'central refused an event (kept in its quarantine, GET /api/quarantine)',
        );
    }
    if (removed === 0) return;
    if (latest) this.expediteGaps(latest);
    this.notifyDrain();
    this.pump();
  }

  /** Older events sent before one central just acknowledged were probably dropped: re-send them soon. */
  private expediteGaps(acked: { seq: number; lastSendMs: number }): void {
    const soon = this.o.nowMs() + Math.min(GAP_GRACE_MS, this.o.ackTimeoutMs);
    for (const [seq, h] of this.handed) {
      if (seq >= acked.seq) break;
      if (isLikelyDropped({ seq, lastSendMs: h.lastSendMs, pubacked: h.pubacked }, acked))
        h.dueMs = Math.min(h.dueMs, soon);
    }
  }

  private hand(h: Handed): void {
    const m = h.message;
    h.sends++;
    h.lastSendMs = this.o.nowMs();
    // Until central acknowledges it, hand it over again after the timeout (doubling per send).
    h.dueMs = h.lastSendMs + resendDelayMs(h.sends, this.o.ackTimeoutMs, this.o.ackTimeoutMaxMs);
    this.target.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain }).then(
      () => {
        if (this.handed.get(m.seq) !== h) return; // already acknowledged by central
        if (!h.pubacked) {
          h.pubacked = true;
          this.counters.published++;
        }
        // Events wait for central; everything else (and every event in broker mode) is delivered on PUBACK.
        if (this.o.deleteOn === 'broker' || !m.key) {
          this.handed.delete(m.seq);
          this.store.ack(m.seq);
          this.counters.acked++;
          this.notifyDrain();
          this.pump();
        }
      },
      (err: Error) => {
        this.counters.failures++;
        if (this.handed.get(m.seq) !== h) return;
        // The client refused it (closed): hand it over again shortly, in its place in the window.
        h.dueMs = this.o.nowMs() + this.o.retryMs;
        this.log.warn({ seq: m.seq, err: err.message }, 'outbox publish failed; will retry');
        this.scheduleRetry();
      },
    );
  }

  /** Hands over again, oldest first, what is overdue for an acknowledgement (or failed to publish). */
  private resendOverdue(): void {
    if (this.stopped || !this.target.connected) return;
    const now = this.o.nowMs();
    for (const h of this.handed.values()) {
      if (h.dueMs > now) continue;
      this.counters.resent++;
      this.hand(h);
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.resendFailed();
      this.pump();
    }, this.o.retryMs);
  }

  /** Broker mode has no resend timer: failed publishes are handed over again from here. */
  private resendFailed(): void {
    if (this.o.deleteOn === 'central') {
      this.resendOverdue();
      return;
    }
    if (this.stopped || !this.target.connected) return;
    const now = this.o.nowMs();
    for (const h of this.handed.values()) if (!h.pubacked && h.dueMs <= now) this.hand(h);
  }

  private notifyDrain(): void {
    // usage() scans the table: only when someone waits.
    if (this.drainWaiters.size === 0 || this.store.usage().messages > 0) return;
    for (const w of this.drainWaiters) w();
    this.drainWaiters.clear();
  }

  /** Resolves true when the outbox is empty, false after timeoutMs. */
  async drained(timeoutMs: number): Promise<boolean> {
    if (this.store.usage().messages === 0) return true;
    return new Promise<boolean>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.drainWaiters.delete(done);
        resolve(false);
      }, timeoutMs);
      this.drainWaiters.add(done);
    });
  }

  /** Messages handed over and not yet acknowledged (the window in use). */
  get inflightCount(): number {
    return this.handed.size;
  }

  /** Handed messages the broker has acknowledged and central not yet. */
  get awaitingCentralCount(): number {
    let n = 0;
    for (const h of this.handed.values()) if (h.pubacked) n++;
    return n;
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.resendTimer) clearInterval(this.resendTimer);
  }
}
