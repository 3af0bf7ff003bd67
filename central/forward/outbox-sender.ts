// Sends one forwarder's outbox: due messages in order per incident, retries with backoff, dead-letters after N.
import type { Logger } from '../../lib/log.ts';
import { maskUrl } from '../../lib/mask-url.ts';
import { type AttemptOutcome, afterAttempt, classifyStatus } from './backoff.ts';
import type { ForwardMetrics } from './forward-metrics.ts';
import type { Delivery, ForwardOutbox } from './forward-outbox.ts';
import type { Forwarder } from './forwarder.ts';

export interface SenderOptions {
  pollMs: number;
  log: Logger;
  metrics: ForwardMetrics;
  now: () => number;
  random: () => number;
}

const ERROR_EXCERPT_CHARS = 300;

/** The reason a request failed, with the socket error code (ECONNREFUSED, ...) when there is one. */
function describeError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timeout';
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message}: ${cause}` : e.message;
}

export class OutboxSender {
  private readonly inFlight = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    private readonly forwarder: Forwarder,
    private readonly outbox: ForwardOutbox,
    private readonly o: SenderOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** A message was enqueued or retried: look at the outbox now instead of at the next poll. */
  wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  /** Stops taking new work and waits for the attempts in flight to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pump(), delayMs);
    this.timer.unref();
  }

  private pump(): void {
    if (this.stopped) return;
    const c = this.forwarder.config;
    try {
      const free = c.concurrency - this.inFlight.size;
      if (free > 0) {
        for (const d of this.outbox.due(c.id, this.o.now(), free, [...this.inFlight.keys()])) {
          const p = this.attempt(d).finally(() => {
            this.inFlight.delete(d.id);
            this.wake();
          });
          this.inFlight.set(d.id, p);
        }
      }
      const next = this.outbox.nextDueMs(c.id);
      const wait = next === undefined ? this.o.pollMs : next - this.o.now();
      // a past due time here means the message waits for an earlier one in flight: its completion wakes us
      this.schedule(wait <= 0 ? this.o.pollMs : Math.min(wait, this.o.pollMs));
    } catch (err) {
      this.o.log.error({ forwarder: c.id, err: (err as Error).message }, 'outbox scan failed; retrying');
      this.schedule(this.o.pollMs);
    }
  }

  private async attempt(d: Delivery): Promise<void> {
    const c = this.forwarder.config;
    const attempt = d.attempts + 1;
    const rendered = { contentType: d.contentType, body: d.body };
    let outcome: AttemptOutcome;
    let status: number | null = null;
    try {
      const res = await fetch(c.url, {
        method: 'POST',
        headers: this.forwarder.headers(d.id, rendered, attempt, this.o.now()),
        body: d.body,
        signal: AbortSignal.timeout(c.timeoutMs),
      });
      status = res.status;
      const text = (await res.text()).slice(0, ERROR_EXCERPT_CHARS);
      outcome = classifyStatus(res.status, text);
    } catch (err) {
      outcome = { kind: 'retry', error: describeError(err) };
    }
    const now = this.o.now();
    const next = afterAttempt(outcome, attempt, c.maxAttempts, now, c.backoff, this.o.random());
    const error = outcome.kind === 'delivered' ? null : outcome.error;
    try {
      this.outbox.recordAttempt(d.id, {
        state: next.state,
        nowMs: now,
        nextAttemptMs: next.nextAttemptMs,
        error,
        status,
      });
    } catch (err) {
      // the attempt stays pending in the database and is sent again (same idempotency key)
      this.o.log.error(
        { forwarder: c.id, message: d.id, err: (err as Error).message },
        'recording attempt failed',
      );
      return;
    }
    const result = next.state === 'pending' ? 'retry' : next.state;
    this.o.metrics.countAttempt(c.id, result);
    if (next.state === 'dead')
      this.o.log.warn(
        { forwarder: c.id, url: maskUrl(c.url), message: d.id, attempt, error },
        'delivery dead-lettered',
      );
    else if (next.state === 'pending')
      this.o.log.info({ forwarder: c.id, message: d.id, attempt, error }, 'delivery failed; will retry');
  }
}
