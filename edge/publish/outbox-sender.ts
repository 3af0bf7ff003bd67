// Drains the durable outbox to MQTT in seq order: a bounded window of QoS 1 publishes, each deleted on its PUBACK.
import type { Logger } from '../../lib/log.ts';
import type { OutboxStore } from '../outbox/outbox-store.ts';

/** What the sender needs from the MQTT side (MqttPublisher implements it). */
export interface PublishTarget {
  readonly connected: boolean;
  /** Resolves on PUBACK. */
  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void>;
  onConnect(listener: () => void): void;
}

export interface OutboxSenderOptions {
  /** Messages handed to MQTT without a PUBACK yet; higher rides out latency, lower bounds resends. */
  windowSize: number;
  /** Pause before handing a failed message over again (only happens when the client is closed). */
  retryMs: number;
  nowMs: () => number;
}

export interface OutboxSenderCounters {
  enqueued: number;
  published: number;
  acked: number;
  failures: number;
}

export class OutboxSender {
  readonly counters: OutboxSenderCounters = { enqueued: 0, published: 0, acked: 0, failures: 0 };
  private readonly o: OutboxSenderOptions;
  /**
   * Highest seq handed to the MQTT client in this process. mqtt.js keeps QoS 1 publishes it was given and
   * resends them itself, in order, after a reconnect; handing them over again would only add duplicates.
   * After a process restart this is 0, so every unacknowledged message is replayed from the oldest.
   */
  private lastHandedSeq = 0;
  private readonly inflight = new Set<number>();
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly drainWaiters = new Set<() => void>();

  constructor(
    private readonly store: OutboxStore,
    private readonly target: PublishTarget,
    private readonly log: Logger,
    options: Partial<OutboxSenderOptions> = {},
  ) {
    this.o = { windowSize: 32, retryMs: 1000, nowMs: Date.now, ...options };
    target.onConnect(() => this.pump());
  }

  /** Store first, then publish: once this returns the message survives a crash (Aedes' rule). */
  send(topic: string, payload: string, opts: { qos?: 0 | 1; retain?: boolean } = {}): number {
    const m = this.store.enqueue({ topic, payload, ...opts }, this.o.nowMs());
    this.counters.enqueued++;
    this.pump();
    return m.seq;
  }

  /** Hands messages over while connected and the window has room. */
  pump(): void {
    if (this.stopped || !this.target.connected) return;
    while (this.inflight.size < this.o.windowSize) {
      const batch = this.store.peek(this.o.windowSize - this.inflight.size, this.lastHandedSeq);
      if (batch.length === 0) break;
      for (const m of batch) {
        this.lastHandedSeq = m.seq;
        this.inflight.add(m.seq);
        this.counters.published++;
        this.target.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain }).then(
          () => {
            this.inflight.delete(m.seq);
            this.store.ack(m.seq);
            this.counters.acked++;
            this.notifyDrain();
            this.pump();
          },
          (err: Error) => {
            this.inflight.delete(m.seq);
            this.counters.failures++;
            this.lastHandedSeq = Math.min(this.lastHandedSeq, m.seq - 1);
            this.log.warn({ seq: m.seq, err: err.message }, 'outbox publish failed; will retry');
            this.scheduleRetry();
          },
        );
      }
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, this.o.retryMs);
  }

  private notifyDrain(): void {
    if (this.store.usage().messages > 0) return;
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

  get inflightCount(): number {
    return this.inflight.size;
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }
}
