// Forwarding counters (plain numbers, no prom-client): central/metrics mirrors them at scrape time.
import type { MessageKind } from './forwarder.ts';

export type AttemptResult = 'delivered' | 'retry' | 'dead';

export class ForwardMetrics {
  /** Attempts by forwarder and result; monotonic for the life of the process. */
  readonly attempts = new Map<string, Record<AttemptResult, number>>();
  /** Messages written to the outbox by forwarder and kind. */
  readonly enqueued = new Map<string, Record<MessageKind, number>>();
  /** Incident changes that could not be turned into an outbox message (see the log and the dead letters). */
  enqueueErrors = 0;
  /** The same, by forwarder and failure: the renderer threw (build) or the outbox write failed (enqueue). */
  readonly failures = new Map<string, { build: number; enqueue: number }>();

  countFailure(forwarderId: string, failure: 'build' | 'enqueue'): void {
    this.enqueueErrors++;
    const c = this.failures.get(forwarderId) ?? { build: 0, enqueue: 0 };
    c[failure]++;
    this.failures.set(forwarderId, c);
  }

  countAttempt(forwarderId: string, result: AttemptResult): void {
    const c = this.attempts.get(forwarderId) ?? { delivered: 0, retry: 0, dead: 0 };
    c[result]++;
    this.attempts.set(forwarderId, c);
  }

  countEnqueued(forwarderId: string, kind: MessageKind): void {
    const c = this.enqueued.get(forwarderId) ?? { alert: 0, update: 0, cancel: 0 };
    c[kind]++;
    this.enqueued.set(forwarderId, c);
  }
}
