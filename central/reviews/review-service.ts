// Review verdicts as a service: the workstation's safety checks, undo within a window, bulk verdicts, and the
// listeners (live feed at once; forwarders once a verdict can no longer be undone).
import type { Logger } from '../../lib/log.ts';
import type { Incident } from '../store/incident-store.ts';
import {
  REJECT_REASONS,
  type RejectReason,
  type ReviewStore,
  type StoredReview,
  type Verdict,
  type VersionedIncident,
} from '../store/review-store.ts';
import { type EvidenceStatus, hasCompleteEvidence } from './evidence-status.ts';
import type { ReviewLock, ReviewLocks } from './review-locks.ts';

export type VerdictListener = (
  incident: Incident,
  verdict: Verdict,
  reviewer: string,
  note: string | undefined,
) => void;
export type ChangeListener = (incidentId: string) => void;

export interface ReviewOptions {
  /** A verdict can be undone by its reviewer this long (ms, default 10000); forwarders hear of it after. */
  undoWindowMs: number;
  /** Soft-lock lease (ms, default 60000): renewed by the page while the incident stays open on screen. */
  lockLeaseMs: number;
}

export const DEFAULT_REVIEW_OPTIONS: ReviewOptions = { undoWindowMs: 10_000, lockLeaseMs: 60_000 };

export interface DecideInput {
  verdict: Verdict;
  reviewer: string;
  note?: string;
  reason?: string;
  override?: boolean;
  version?: number;
  handlingMs?: number;
  /** Part of a bulk verdict (recorded in the history). */
  bulk?: boolean;
}

export type DecideError =
  | { code: 'not_found' }
  | { code: 'version_conflict'; incident: VersionedIncident }
  | { code: 'locked'; heldBy: ReviewLock }
  | { code: 'reason_required' | 'reason_invalid' | 'note_required' | 'evidence_missing'; message: string }
  | { code: 'not_open' };

export type DecideOutcome =
  | { ok: true; incident: VersionedIncident; review: StoredReview }
  | ({ ok: false } & DecideError);

export interface BulkResult {
  applied: string[];
  skipped: { id: string; code: string }[];
}

export class ReviewService {
  private readonly verdictListeners = new Set<VerdictListener>();
  private readonly changeListeners = new Set<ChangeListener>();
  private readonly finalTimers = new Map<number, NodeJS.Timeout>();
  readonly options: ReviewOptions;

  constructor(
    private readonly store: ReviewStore,
    private readonly log?: Logger,
    private readonly deps: {
      locks?: ReviewLocks;
      /** Evidence state of an incident's references (central/reviews/evidence-status.ts). */
      evidenceOf?: (incident: Incident) => Record<string, EvidenceStatus>;
      options?: Partial<ReviewOptions>;
      nowMs?: () => number;
    } = {},
  ) {
    this.options = { ...DEFAULT_REVIEW_OPTIONS, ...deps.options };
  }

  private now(): number {
    return this.deps.nowMs?.() ?? Date.now();
  }

  /** Called once a verdict is final (past its undo window); returns the unsubscribe function. */
  onVerdict(listener: VerdictListener): () => void {
    this.verdictListeners.add(listener);
    return () => this.verdictListeners.delete(listener);
  }

  /** Called at once after any verdict, undo or lock change (review pages). */
  onChange(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Resumes verdicts stored before a restart that were still within their undo window (or past it, unsent). */
  resume(): void {
    for (const r of this.store.pendingFinal()) this.scheduleFinal(r.id, r.incidentId, r.createdAt);
  }

  /** The workstation's verdict: every check, then stored, announced at once and final after the undo window. */
  decide(incidentId: string, input: DecideInput): DecideOutcome {
    const reason = input.reason?.trim() || undefined;
    const note = input.note?.trim() || undefined;
    if (input.verdict === 'rejected') {
      if (!reason)
        return {
          ok: false,
          code: 'reason_required',
          message: `a rejection needs a reason: ${REJECT_REASONS.join(', ')}`,
        };
      if (!(REJECT_REASONS as readonly string[]).includes(reason))
        return {
          ok: false,
          code: 'reason_invalid',
          message: `reason ${JSON.stringify(reason)} is not one of ${REJECT_REASONS.join(', ')}`,
        };
      if (reason === 'other' && !note)
        return { ok: false, code: 'note_required', message: 'reason "other" needs a note saying why' };
    } else if (reason) {
      return { ok: false, code: 'reason_invalid', message: 'a confirmation takes no reject reason' };
    }
    const current = this.store.get(incidentId);
    if (!current) return { ok: false, code: 'not_found' };
    const lock = this.deps.locks?.mayDecide(incidentId, input.reviewer, this.now());
    if (lock && !lock.ok) return { ok: false, code: 'locked', heldBy: lock.heldBy };
    if (input.verdict === 'confirmed' && this.deps.evidenceOf) {
      const complete = hasCompleteEvidence(this.deps.evidenceOf(current));
      if (!complete && !(input.override && note))
        return {
          ok: false,
          code: 'evidence_missing',
          message: 'snapshot or clip is not on central: confirm only with override and a note saying why',
        };
    }
    const out = this.store.record(
      incidentId,
      {
        verdict: input.verdict,
        reviewer: input.reviewer,
        note: note ?? null,
        reason: (reason as RejectReason | undefined) ?? null,
        override: input.override === true,
        version: input.version,
        handlingMs: input.handlingMs ?? null,
        bulk: input.bulk === true,
      },
      this.now(),
    );
    if (!out.ok) return out;
    this.deps.locks?.release(incidentId, input.reviewer);
    this.changed(incidentId);
    this.scheduleFinal(out.review.id, incidentId, out.review.createdAt);
    return out;
  }

  /**
   * The same verdict on many incidents (a filtered selection, confirmed by its count). Only open incidents
   * nobody else holds are decided; a confirmation skips incidents without complete evidence (those need an
   * override, one by one).
   */
  bulk(ids: readonly string[], input: Omit<DecideInput, 'version' | 'override'>): BulkResult {
    const result: BulkResult = { applied: [], skipped: [] };
    for (const id of ids) {
      const inc = this.store.get(id);
      if (!inc) {
        result.skipped.push({ id, code: 'not_found' });
        continue;
      }
      if (inc.status !== 'open') {
        result.skipped.push({ id, code: 'not_open' });
        continue;
      }
      const out = this.decide(id, { ...input, version: inc.version, override: false, bulk: true });
      if (out.ok) result.applied.push(id);
      else result.skipped.push({ id, code: out.code });
    }
    return result;
  }

  /** Undoes the reviewer's newest verdict on an incident while it is within the undo window. */
  undo(incidentId: string, reviewer: string) {
    const out = this.store.undo(incidentId, reviewer, this.options.undoWindowMs, this.now());
    if (!out.ok) return out;
    const timer = this.finalTimers.get(out.undone.id);
    if (timer) clearTimeout(timer);
    this.finalTimers.delete(out.undone.id);
    this.changed(incidentId);
    return out;
  }

  /**
   * A verdict from a trusted caller (tools, tests): no workstation checks, final at once. Undefined when the
   * incident does not exist.
   */
  review(incidentId: string, verdict: Verdict, reviewer: string, note?: string): Incident | undefined {
    const out = this.store.record(
      incidentId,
      {
        verdict,
        reviewer,
        note: note ?? null,
        reason: verdict === 'rejected' ? 'other' : null,
        override: false,
        version: undefined,
      },
      this.now(),
    );
    if (!out.ok) return undefined;
    this.changed(incidentId);
    this.finalise(out.review.id, incidentId);
    return out.incident;
  }

  /** A lock was taken or released: review pages redraw the queue's marks. */
  lockChanged(incidentId: string): void {
    this.changed(incidentId);
  }

  private changed(incidentId: string): void {
    for (const l of this.changeListeners) {
      try {
        l(incidentId);
      } catch (err) {
        this.log?.error({ err: (err as Error).message, incident: incidentId }, 'change listener failed');
      }
    }
  }

  private scheduleFinal(reviewId: number, incidentId: string, createdAt: number): void {
    const wait = Math.max(0, createdAt + this.options.undoWindowMs - this.now());
    if (wait === 0) {
      this.finalise(reviewId, incidentId);
      return;
    }
    const t = setTimeout(() => {
      this.finalTimers.delete(reviewId);
      this.finalise(reviewId, incidentId);
    }, wait);
    t.unref();
    this.finalTimers.set(reviewId, t);
  }

  /** Marks the verdict final and tells the forwarders; a failing listener never undoes it. */
  private finalise(reviewId: number, incidentId: string): void {
    if (!this.store.markFinal(reviewId, this.now())) return; // undone meanwhile, or already sent
    const incident = this.store.get(incidentId);
    const review = this.store.history(incidentId).find((r) => r.id === reviewId);
    if (!incident || !review || review.verdict === 'open') return;
    for (const l of this.verdictListeners) {
      try {
        l(incident, review.verdict, review.reviewer, review.note ?? undefined);
      } catch (err) {
        this.log?.error({ err: (err as Error).message, incident: incidentId }, 'verdict listener failed');
      }
    }
  }

  /** Stops the undo timers (verdicts still pending are resumed by the next start). */
  stop(): void {
    for (const t of this.finalTimers.values()) clearTimeout(t);
    this.finalTimers.clear();
  }
}
