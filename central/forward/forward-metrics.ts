// Prometheus metrics of the forwarders: attempts by result, messages enqueued, outbox depth by state.
import { Counter, Gauge, Registry } from 'prom-client';
import type { ForwardOutbox } from './forward-outbox.ts';

export class ForwardMetrics {
  readonly attempts: Counter<'forwarder' | 'result'>;
  readonly enqueued: Counter<'forwarder' | 'kind'>;
  readonly planErrors: Counter<'forwarder'>;

  constructor(
    readonly registry: Registry,
    outbox: ForwardOutbox,
  ) {
    this.attempts = new Counter({
      name: 'matthan_forward_attempts_total',
      help: 'HTTP delivery attempts to IOC receivers by result (delivered, retry, dead)',
      labelNames: ['forwarder', 'result'],
      registers: [registry],
    });
    this.enqueued = new Counter({
      name: 'matthan_forward_messages_enqueued_total',
      help: 'alert messages written to the forwarding outbox by kind (alert, update, cancel)',
      labelNames: ['forwarder', 'kind'],
      registers: [registry],
    });
    this.planErrors = new Counter({
      name: 'matthan_forward_enqueue_errors_total',
      help: 'incident changes that could not be turned into an outbox message (see the log)',
      labelNames: ['forwarder'],
      registers: [registry],
    });
    new Gauge({
      name: 'matthan_forward_outbox_messages',
      help: 'messages in the forwarding outbox by state (pending, delivered, dead)',
      labelNames: ['forwarder', 'state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const c of outbox.counts()) this.set({ forwarder: c.forwarderId, state: c.state }, c.n);
      },
    });
  }

  static standalone(outbox: ForwardOutbox): ForwardMetrics {
    return new ForwardMetrics(new Registry(), outbox);
  }
}
