// Turns incident changes and review verdicts into outbox messages for every forwarder, and runs their senders.
import type { Logger } from '../../lib/log.ts';
import { maskUrl } from '../../lib/mask-url.ts';
import { type Db, migrate } from '../store/database.ts';
import type { Incident } from '../store/incident-store.ts';
import { createForwarder } from './create-forwarder.ts';
import { ForwardMetrics } from './forward-metrics.ts';
import { type Delivery, type DeliveryState, ForwardOutbox } from './forward-outbox.ts';
import { incidentFingerprint, planMessage, type Trigger } from './forward-plan.ts';
import type { ForwardingConfig } from './forward-schema.ts';
import type { AlertMessage, CameraInfo, Forwarder, ReviewInfo } from './forwarder.ts';
import { FORWARD_MIGRATIONS } from './migrations.ts';
import { OutboxSender } from './outbox-sender.ts';

export interface ForwardingDeps {
  db: Db;
  incidents: {
    get(id: string): Incident | undefined;
    list?(f: { fromTs?: number; limit: number; offset: number }): { items: Incident[]; total: number };
  };
  config: ForwardingConfig;
  /** Base URL of this central as the IOC reaches it (links to incidents and evidence); a function when the
   * listening port is only known after start. */
  publicUrl: string | (() => string);
  cameras?: readonly CameraInfo[];
  log: Logger;
  metrics?: ForwardMetrics;
  now?: () => number;
  random?: () => number;
}

export interface ForwarderSummary {
  id: string;
  type: string;
  url: string;
  pending: number;
  delivered: number;
  dead: number;
}

export class ForwardingService {
  readonly outbox: ForwardOutbox;
  readonly metrics: ForwardMetrics;
  private readonly forwarders: Forwarder[];
  private readonly senders = new Map<string, OutboxSender>();
  private readonly now: () => number;

  constructor(private readonly deps: ForwardingDeps) {
    migrate(deps.db, 'forward', FORWARD_MIGRATIONS);
    this.outbox = new ForwardOutbox(deps.db);
    this.metrics = deps.metrics ?? new ForwardMetrics();
    this.now = deps.now ?? Date.now;
    this.forwarders = deps.config.forwarders.map(createForwarder);
    for (const f of this.forwarders) {
      this.senders.set(
        f.config.id,
        new OutboxSender(f, this.outbox, {
          pollMs: deps.config.pollMs,
          log: deps.log,
          metrics: this.metrics,
          now: this.now,
          random: deps.random ?? Math.random,
        }),
      );
    }
  }

  /** Starts the senders; messages left pending by an earlier run go out first. */
  start(): void {
    this.catchUp();
    for (const s of this.senders.values()) s.start();
    this.deps.log.info(
      { forwarders: this.forwarders.map((f) => `${f.config.id}:${f.config.type}`) },
      'forwarding started',
    );
  }

  /**
   * Re-plans the recent incidents: what a crash cut off between storing an incident (or a verdict) and writing
   * its message is enqueued now. Planning is idempotent, so already-sent states produce nothing.
   */
  catchUp(): number {
    const hours = this.deps.config.catchUpHours;
    const list = this.deps.incidents.list?.bind(this.deps.incidents);
    if (!list || hours <= 0 || this.forwarders.length === 0) return 0;
    const fromTs = this.now() - hours * 3_600_000;
    const page = 500;
    let seen = 0;
    for (let offset = 0; ; offset += page) {
      const { items } = list({ fromTs, limit: page, offset });
      // order across incidents does not matter; within one, seq orders the messages
      for (const i of items) {
        if (i.status === 'confirmed' || i.status === 'rejected') {
          const reviewer = (i as Incident & { reviewedBy?: string | null }).reviewedBy ?? 'a reviewer';
          this.consider(i, { kind: 'verdict', verdict: i.status }, { verdict: i.status, reviewer });
        }
        this.consider(i, { kind: 'incident' });
      }
      seen += items.length;
      if (items.length < page) break;
    }
    if (seen) this.deps.log.info({ incidents: seen, hours }, 'forwarding: recent incidents re-checked');
    return seen;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.senders.values()].map((s) => s.stop()));
  }

  /** IngestService.onIncident listener: an incident was created or changed. */
  handleIncident(incidentId: string): void {
    const incident = this.deps.incidents.get(incidentId);
    if (!incident) {
      this.deps.log.warn({ incident: incidentId }, 'forwarding: incident not found');
      return;
    }
    this.consider(incident, { kind: 'incident' });
  }

  /** Review service onVerdict listener: a reviewer confirmed or rejected an incident. */
  handleVerdict(
    incident: Incident,
    verdict: 'confirmed' | 'rejected',
    reviewer: string,
    note?: string,
  ): void {
    const review: ReviewInfo = { verdict, reviewer, ...(note ? { note } : {}) };
    // the verdict is the new status, whatever the listener's copy of the incident says
    this.consider({ ...incident, status: verdict }, { kind: 'verdict', verdict }, review);
  }

  /** Puts a dead-lettered delivery back in the queue; undefined when no such delivery. */
  retry(id: string): Delivery | undefined {
    const d = this.outbox.retry(id, this.now());
    if (d) this.senders.get(d.forwarderId)?.wake();
    return d;
  }

  summary(): ForwarderSummary[] {
    const counts = this.outbox.counts();
    const n = (id: string, state: DeliveryState) =>
      counts.find((c) => c.forwarderId === id && c.state === state)?.n ?? 0;
    return this.forwarders.map((f) => ({
      id: f.config.id,
      type: f.config.type,
      url: maskUrl(f.config.url),
      pending: n(f.config.id, 'pending'),
      delivered: n(f.config.id, 'delivered'),
      dead: n(f.config.id, 'dead'),
    }));
  }

  /**
   * Per forwarder, for central/metrics (CentralMetricSources.forwarding): delivered from the outbox (monotonic:
   * rows are kept), failed and dead-lettered attempts since start (a retried dead letter leaves the dead
   * state, so the outbox count would go down), and the current backlog.
   */
  metricsSnapshot(): Record<
    string,
    { delivered: number; failed: number; deadLettered: number; pending: number }
  > {
    const out: Record<string, { delivered: number; failed: number; deadLettered: number; pending: number }> =
      {};
    for (const s of this.summary())
      out[s.id] = {
        delivered: s.delivered,
        failed: this.metrics.attempts.get(s.id)?.retry ?? 0,
        deadLettered: this.metrics.attempts.get(s.id)?.dead ?? 0,
        pending: s.pending,
      };
    return out;
  }

  private camera(incident: Incident): CameraInfo | undefined {
    const cams = this.deps.cameras ?? [];
    return (
      cams.find((c) => c.site === incident.site && c.id === incident.camera) ??
      cams.find((c) => c.id === incident.camera)
    );
  }

  private links(incident: Incident): AlertMessage['links'] {
    const url = this.deps.publicUrl;
    const base = (typeof url === 'function' ? url() : url).replace(/\/+$/, '');
    const evidence: Record<string, string> = {};
    for (const [kind, id] of Object.entries(incident.evidence ?? {}))
      evidence[kind] = `${base}/api/evidence/${encodeURIComponent(id)}`;
    return { incident: `${base}/api/incidents/${encodeURIComponent(incident.id)}`, evidence };
  }

  private consider(incident: Incident, trigger: Trigger, review?: ReviewInfo): void {
    const cfg = this.deps.config;
    const policy = cfg.policy[incident.ruleType as keyof typeof cfg.policy] ?? cfg.defaultPolicy;
    for (const f of this.forwarders) {
      const id = f.config.id;
      try {
        const kind = this.outbox.transaction(() => {
          const state = this.outbox.state(id, incident.id);
          const kind = planMessage(policy, incident, trigger, state);
          if (!kind) return null;
          const seq = (state?.seq ?? 0) + 1;
          const sentMs = this.now();
          const message: AlertMessage = {
            kind,
            messageId: `${id}.${incident.id}.${seq}`,
            seq,
            sentMs,
            incident,
            camera: this.camera(incident),
            review,
            references: state?.sent ?? [],
            links: this.links(incident),
          };
          const rendered = f.render(message);
          this.outbox.enqueue(
            {
              id: message.messageId,
              forwarderId: id,
              incidentId: incident.id,
              seq,
              kind,
              contentType: rendered.contentType,
              body: rendered.body,
            },
            sentMs,
          );
          this.outbox.saveState(id, incident.id, {
            seq,
            fingerprint: incidentFingerprint(incident),
            cancelled: kind === 'cancel',
            sent: [...(state?.sent ?? []), { messageId: message.messageId, sentMs }],
          });
          return kind;
        });
        if (kind) {
          this.metrics.countEnqueued(id, kind);
          this.senders.get(id)?.wake();
        }
      } catch (err) {
        this.metrics.enqueueErrors++;
        this.deps.log.error(
          { forwarder: id, incident: incident.id, err: (err as Error).message },
          'forwarding: could not enqueue message',
        );
      }
    }
  }
}
