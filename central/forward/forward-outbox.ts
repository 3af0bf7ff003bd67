// The forwarding outbox in SQLite: messages wait here until their receiver acknowledges them, across restarts.
import type { Db } from '../store/database.ts';
import type { ForwardState } from './forward-plan.ts';
import type { MessageKind, SentRef } from './forwarder.ts';

export type DeliveryState = 'pending' | 'delivered' | 'dead';
/** Why a dead letter holds no message: the renderer threw (build) or the outbox write failed (enqueue). */
export type DeliveryFailure = 'build' | 'enqueue';

export interface Delivery {
  id: string;
  forwarderId: string;
  incidentId: string;
  seq: number;
  kind: MessageKind;
  contentType: string;
  body: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: number;
  lastAttemptAt: number | null;
  lastError: string | null;
  lastStatus: number | null;
  createdAt: number;
  deliveredAt: number | null;
  /** Set on a dead letter that holds no message (its body is empty): retrying builds it again. */
  failure: DeliveryFailure | null;
}

export interface NewDelivery {
  id: string;
  forwarderId: string;
  incidentId: string;
  seq: number;
  kind: MessageKind;
  contentType: string;
  body: string;
}

export interface StoredForwardState extends ForwardState {
  sent: SentRef[];
}

interface Row {
  id: string;
  forwarder_id: string;
  incident_id: string;
  seq: number;
  kind: MessageKind;
  content_type: string;
  body: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: number;
  last_attempt_at: number | null;
  last_error: string | null;
  last_status: number | null;
  created_at: number;
  delivered_at: number | null;
  failure: DeliveryFailure | null;
}

const toDelivery = (r: Row): Delivery => ({
  id: r.id,
  forwarderId: r.forwarder_id,
  incidentId: r.incident_id,
  seq: r.seq,
  kind: r.kind,
  contentType: r.content_type,
  body: r.body,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastAttemptAt: r.last_attempt_at,
  lastError: r.last_error,
  lastStatus: r.last_status,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
  failure: r.failure ?? null,
});

export interface DeliveryFilter {
  state?: DeliveryState;
  forwarderId?: string;
  incidentId?: string;
  limit: number;
  offset: number;
}

export class ForwardOutbox {
  constructor(private readonly db: Db) {}

  /** Runs `fn` in one transaction (state read, plan, enqueue and state write are atomic). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  state(forwarderId: string, incidentId: string): StoredForwardState | undefined {
    const r = this.db
      .prepare('SELECT * FROM forward_state WHERE forwarder_id = ? AND incident_id = ?')
      .get(forwarderId, incidentId) as
      | { seq: number; fingerprint: string; cancelled: number; sent: string }
      | undefined;
    return r
      ? { seq: r.seq, fingerprint: r.fingerprint, cancelled: r.cancelled === 1, sent: JSON.parse(r.sent) }
      : undefined;
  }

  saveState(forwarderId: string, incidentId: string, s: StoredForwardState): void {
    this.db
      .prepare(
        `INSERT INTO forward_state (forwarder_id, incident_id, seq, fingerprint, cancelled, sent)
         VALUES (@forwarderId, @incidentId, @seq, @fingerprint, @cancelled, @sent)
         ON CONFLICT (forwarder_id, incident_id) DO UPDATE SET
           seq = excluded.seq, fingerprint = excluded.fingerprint, cancelled = excluded.cancelled, sent = excluded.sent`,
      )
      .run({
        forwarderId,
        incidentId,
        seq: s.seq,
        fingerprint: s.fingerprint,
        cancelled: s.cancelled ? 1 : 0,
        sent: JSON.stringify(s.sent),
      });
  }

  enqueue(d: NewDelivery, nowMs: number): void {
    // A message that failed to build earlier left a dead letter under the same id: the real one replaces it.
    this.db.prepare('DELETE FROM forward_outbox WHERE id = ? AND failure IS NOT NULL').run(d.id);
    this.db
      .prepare(
        `INSERT INTO forward_outbox (id, forwarder_id, incident_id, seq, kind, content_type, body, state, attempts, next_attempt_at, created_at)
         VALUES (@id, @forwarderId, @incidentId, @seq, @kind, @contentType, @body, 'pending', 0, @now, @now)`,
      )
      .run({ ...d, now: nowMs });
  }

  /**
   * Pending deliveries of one forwarder that are due, oldest first. A message waits while an earlier message
   * of the same incident is still pending, so an IOC never gets an Update or Cancel before its Alert.
   */
  due(forwarderId: string, nowMs: number, limit: number, excludeIds: readonly string[] = []): Delivery[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM forward_outbox o
         WHERE o.forwarder_id = @forwarderId AND o.state = 'pending' AND o.next_attempt_at <= @now
           AND NOT EXISTS (SELECT 1 FROM forward_outbox p
                           WHERE p.forwarder_id = o.forwarder_id AND p.incident_id = o.incident_id
                             AND p.state = 'pending' AND p.seq < o.seq)
           AND o.id NOT IN (SELECT value FROM json_each(@exclude))
         ORDER BY o.next_attempt_at, o.created_at, o.seq
         LIMIT @limit`,
      )
      .all({ forwarderId, now: nowMs, limit, exclude: JSON.stringify(excludeIds) }) as Row[];
    return rows.map(toDelivery);
  }

  /** Earliest next attempt among this forwarder's pending deliveries (undefined when none). */
  nextDueMs(forwarderId: string): number | undefined {
    const r = this.db
      .prepare(
        "SELECT MIN(next_attempt_at) AS t FROM forward_outbox WHERE forwarder_id = ? AND state = 'pending'",
      )
      .get(forwarderId) as { t: number | null };
    return r.t ?? undefined;
  }

  recordAttempt(
    id: string,
    r: {
      state: DeliveryState;
      nowMs: number;
      nextAttemptMs: number | null;
      error: string | null;
      status: number | null;
    },
  ): void {
    this.db
      .prepare(
        `UPDATE forward_outbox SET
           attempts = attempts + 1,
           state = @state,
           last_attempt_at = @now,
           next_attempt_at = COALESCE(@next, next_attempt_at),
           last_error = COALESCE(@error, last_error),
           last_status = COALESCE(@status, last_status),
           delivered_at = CASE WHEN @state = 'delivered' THEN @now ELSE delivered_at END
         WHERE id = @id`,
      )
      .run({ id, state: r.state, now: r.nowMs, next: r.nextAttemptMs, error: r.error, status: r.status });
  }

  /**
   * Records that a message could not be made (failure 'build': the renderer threw; 'enqueue': the write failed)
   * as a dead letter without a body, under the id the message would have had. Repeats of the same failure update
   * it. Returns true when the row is new.
   */
  deadLetter(
    d: { id: string; forwarderId: string; incidentId: string; seq: number; kind: MessageKind },
    failure: DeliveryFailure,
    error: string,
    nowMs: number,
  ): boolean {
    const r = this.db
      .prepare(
        `INSERT INTO forward_outbox (id, forwarder_id, incident_id, seq, kind, content_type, body, state, attempts,
           next_attempt_at, last_attempt_at, last_error, created_at, failure)
         VALUES (@id, @forwarderId, @incidentId, @seq, @kind, '', '', 'dead', 1, @now, @now, @error, @now, @failure)
         ON CONFLICT (id) DO UPDATE SET attempts = attempts + 1, last_attempt_at = @now, last_error = @error
           WHERE failure IS NOT NULL
         RETURNING attempts`,
      )
      .get({ ...d, failure, error: error.slice(0, 1000), now: nowMs }) as { attempts: number } | undefined;
    return r?.attempts === 1;
  }

  /** Deletes a dead letter that holds no message (before building it again). */
  removeFailure(id: string): boolean {
    return (
      this.db.prepare('DELETE FROM forward_outbox WHERE id = ? AND failure IS NOT NULL').run(id).changes > 0
    );
  }

  /** Puts a dead-lettered delivery back in the queue with a fresh attempt budget. */
  retry(id: string, nowMs: number): Delivery | undefined {
    this.db
      .prepare(
        "UPDATE forward_outbox SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND state = 'dead' AND failure IS NULL",
      )
      .run(nowMs, id);
    return this.get(id);
  }

  get(id: string): Delivery | undefined {
    const r = this.db.prepare('SELECT * FROM forward_outbox WHERE id = ?').get(id) as Row | undefined;
    return r ? toDelivery(r) : undefined;
  }

  list(f: DeliveryFilter): { items: Delivery[]; total: number } {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (f.state) {
      where.push('state = @state');
      params.state = f.state;
    }
    if (f.forwarderId) {
      where.push('forwarder_id = @forwarderId');
      params.forwarderId = f.forwarderId;
    }
    if (f.incidentId) {
      where.push('incident_id = @incidentId');
      params.incidentId = f.incidentId;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM forward_outbox ${clause}`).get(params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(
        `SELECT * FROM forward_outbox ${clause} ORDER BY created_at DESC, seq DESC LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params, limit: f.limit, offset: f.offset }) as Row[];
    return { items: rows.map(toDelivery), total };
  }

  /** Deliveries per forwarder and state (API summary and metrics). */
  counts(): Array<{ forwarderId: string; state: DeliveryState; n: number }> {
    return (
      this.db
        .prepare('SELECT forwarder_id, state, COUNT(*) AS n FROM forward_outbox GROUP BY forwarder_id, state')
        .all() as Array<{ forwarder_id: string; state: DeliveryState; n: number }>
    ).map((r) => ({ forwarderId: r.forwarder_id, state: r.state, n: r.n }));
  }
}
