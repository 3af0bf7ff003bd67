// Review verdicts as a service: stores them and tells listeners (forwarders, the live feed) after the commit.
import type { Logger } from '../../lib/log.ts';
import type { Incident } from '../store/incident-store.ts';
import type { ReviewStore, Verdict } from '../store/review-store.ts';

export type VerdictListener = (
  incident: Incident,
  verdict: Verdict,
  reviewer: string,
  note: string | undefined,
) => void;

export class ReviewService {
  private readonly listeners = new Set<VerdictListener>();

  constructor(
    private readonly store: ReviewStore,
    private readonly log?: Logger,
  ) {}

  /** Called after each stored verdict; returns the unsubscribe function. */
  onVerdict(listener: VerdictListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stores the verdict; undefined when the incident does not exist. A failing listener never undoes it. */
  review(incidentId: string, verdict: Verdict, reviewer: string, note?: string): Incident | undefined {
    const incident = this.store.record(incidentId, verdict, reviewer, note ?? null);
    if (!incident) return undefined;
    for (const l of this.listeners) {
      try {
        l(incident, verdict, reviewer, note);
      } catch (err) {
        this.log?.error({ err: (err as Error).message, incident: incidentId }, 'verdict listener failed');
      }
    }
    return incident;
  }
}
