// Turns incident changes and review verdicts into outbox messages for every forwarder, and runs their senders.
import type { Logger } from '../../lib/log.ts';
import { maskUrl } from '../../lib/mask-url.ts';
import { type Db, migrate } from '../store/database.ts';
import type { Incident } from '../store/incident-store.ts';
import { findCamera } from './camera-lookup.ts';
import { createForwarder } from './create-forwarder.ts';
import { ForwardMetrics } from './forward-metrics.ts';
import { type Delivery, type DeliveryState, ForwardOutbox } from './forward-outbox.ts';
import { incidentFingerprint, planMessage, type Trigger } from './forward-plan.ts';
import type { ForwardingConfig } from './forward-schema.ts';
import type { AlertMessage, CameraInfo, EvidenceFile, Forwarder, ReviewInfo } from './forwarder.ts';
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
  /** Size and digests of a stored evidence file (the evidence store), for the alerts' resources. */
  evidenceFile?: (id: string) => EvidenceFile | undefined;
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
  /** Dead letters, including messages that could not be built or written (see failures). */
  dead: number;
  /** Since start: messages that could not be built (the renderer threw) or written to the outbox. */
  failures: { build: number; enqueue: number };
}

/** A renderer threw: the incident holds something the format cannot carry. */
class BuildFailure extends Error {}

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

  /**
   * Puts a dead-lettered delivery back in the queue; undefined when no such delivery. A dead letter that holds no
   * message (it could not be built or written) is planned and built again from the incident as it is now.
   */
  retry(id: string): Delivery | undefined {
    const before = this.outbox.get(id);
    if (before?.failure) {
      this.outbox.removeFailure(id);
      const incident = this.deps.incidents.get(before.incidentId);
      if (incident) {
        // Only this forwarder: the others' messages of the incident are where they are.
        const only = before.forwarderId;
        if (incident.status === 'confirmed' || incident.status === 'rejected')
          this.consider(
            incident,
            { kind: 'verdict', verdict: incident.status },
            { verdict: incident.status, reviewer: incident.reviewedBy ?? 'a reviewer' },
            only,
          );
        this.consider(incident, { kind: 'incident' }, undefined, only);
      }
      return this.outbox.get(id);
    }
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
      failures: { ...(this.metrics.failures.get(f.config.id) ?? { build: 0, enqueue: 0 }) },
    }));
  }

  /**
   * Per forwarder, for central/metrics (CentralMetricSources.forwarding): delivered from the outbox (monotonic:
   * rows are kept), failed and dead-lettered attempts since start (a retried dead letter leaves the dead
   * state, so the outbox count would go down), and the current backlog.
   */
  metricsSnapshot(): Record<
    string,
    {
      delivered: number;
      failed: number;
      deadLettered: number;
      pending: number;
      buildFailures: number;
      enqueueFailures: number;
    }
  > {
    const out: ReturnType<ForwardingService['metricsSnapshot']> = {};
    for (const s of this.summary())
      out[s.id] = {
        delivered: s.delivered,
        failed: this.metrics.attempts.get(s.id)?.retry ?? 0,
        // Given up after max attempts, and messages that could not be built or written at all.
        deadLettered: (this.metrics.attempts.get(s.id)?.dead ?? 0) + s.failures.build + s.failures.enqueue,
        pending: s.pending,
        buildFailures: s.failures.build,
        enqueueFailures: s.failures.enqueue,
      };
    return out;
  }

  /**
   * A message that could not be built or written becomes a dead letter (GET /api/forwarding, state dead, with the
   * error; /metrics matthan_central_forward_dead_letter_total), not just a log line; retrying it builds it again.
   */
  private failed(
    f: Forwarder,
    incident: Incident,
    planned: { id: string; seq: number; kind: Delivery['kind'] } | undefined,
    err: Error,
  ): void {
    const failure = err instanceof BuildFailure ? 'build' : 'enqueue';
    const forwarderId = f.config.id;
    this.metrics.countFailure(forwarderId, failure);
    const seq = planned?.seq ?? (this.safeState(forwarderId, incident.id)?.seq ?? 0) + 1;
    const letter = {
      id: planned?.id ?? `${forwarderId}.${incident.id}.${seq}`,
      forwarderId,
      incidentId: incident.id,
      seq,
      kind: planned?.kind ?? 'alert',
    };
    const error = `could not ${failure === 'build' ? `build the ${f.config.type} message` : 'write the message'}: ${err.message}`;
    let fresh = true;
    try {
      fresh = this.outbox.deadLetter(letter, failure, error, this.now());
    } catch (e) {
      // The database refuses even this (the enqueue failure's own cause): the counter and the log remain.
      this.deps.log.error(
        { forwarder: forwarderId, err: (e as Error).message },
        'forwarding: dead letter not written',
      );
    }
    // First failure of this message at error level; repeats (every later change of the incident) at debug.
    const line = {
      forwarder: forwarderId,
      incident: incident.id,
      message: letter.id,
      err: err.message.slice(0, 300),
    };
    if (fresh) this.deps.log.error(line, `forwarding: ${error.split(':')[0]}; dead-lettered`);
    else this.deps.log.debug(line, 'forwarding: message still cannot be made');
  }

  private safeState(forwarderId: string, incidentId: string) {
    try {
      return this.outbox.state(forwarderId, incidentId);
    } catch (err) {
      this.deps.log.debug({ err: (err as Error).message }, 'forwarding: state unreadable');
      return undefined;
    }
  }

  private camera(incident: Incident): CameraInfo | undefined {
    return findCamera(this.deps.cameras ?? [], incident.site, incident.camera);
  }

  private files(incident: Incident): Record<string, EvidenceFile> {
    const out: Record<string, EvidenceFile> = {};
    for (const [kind, id] of Object.entries(incident.evidence ?? {})) {
      const f = this.deps.evidenceFile?.(id);
      if (f) out[kind] = { bytes: f.bytes, sha256: f.sha256, sha1: f.sha1 };
    }
    return out;
  }

  private links(incident: Incident): AlertMessage['links'] {
    const url = this.deps.publicUrl;
    const base = (typeof url === 'function' ? url() : url).replace(/\/+$/, '');
    const evidence: Record<string, string> = {};
    for (const [kind, id] of Object.entries(incident.evidence ?? {}))
      evidence[kind] = `${base}/api/evidence/${encodeURIComponent(id)}`;
    return { incident: `${base}/api/incidents/${encodeURIComponent(incident.id)}`, evidence };
  }

  private consider(incident: Incident, trigger: Trigger, review?: ReviewInfo, only?: string): void {
    const cfg = this.deps.config;
    const policy = cfg.policy[incident.ruleType as keyof typeof cfg.policy] ?? cfg.defaultPolicy;
    for (const f of this.forwarders) {
      if (only !== undefined && f.config.id !== only) continue;
      const id = f.config.id;
      let planned: { id: string; seq: number; kind: Delivery['kind'] } | undefined;
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
            evidenceFiles: this.files(incident),
          };
          let rendered: ReturnType<Forwarder['render']>;
          try {
            rendered = f.render(message);
          } catch (err) {
            planned = { id: message.messageId, seq, kind };
            throw new BuildFailure((err as Error).message);
          }
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
        this.failed(f, incident, planned, err as Error);
      }
    }
  }
}
