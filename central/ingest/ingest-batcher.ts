// Groups incoming messages into one storage transaction per batch; each message is acked only after its commit.

export interface PendingMessage {
  topic: string;
  payload: Buffer;
  /** Called once the message's batch is committed (no error) or has failed (error: do not acknowledge). */
  ack: (err?: Error) => void;
}

export interface IngestBatcherOptions {
  /** Stores a whole batch atomically; throws when nothing of it was stored. */
  store: (messages: readonly PendingMessage[]) => void;
  /** Messages per transaction at most. */
  batchSize: number;
  /**
   * Runs fn once the messages already parsed from the socket have been handed over (default setImmediate:
   * mqtt.js hands over queued packets on process.nextTick, which runs before it).
   */
  schedule?: (fn: () => void) => void;
}

export class IngestBatcher {
  private pending: PendingMessage[] = [];
  private scheduled = false;
  private readonly schedule: (fn: () => void) => void;

  constructor(private readonly o: IngestBatcherOptions) {
    this.schedule = o.schedule ?? ((fn) => setImmediate(fn));
  }

  get size(): number {
    return this.pending.length;
  }

  add(message: PendingMessage): void {
    this.pending.push(message);
    if (this.pending.length >= this.o.batchSize) {
      this.flush();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Stores what is pending now; acks every message after the commit, or fails all of them. */
  flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    try {
      this.o.store(batch);
    } catch (err) {
      for (const m of batch) m.ack(err as Error);
      return;
    }
    for (const m of batch) m.ack();
  }
}
