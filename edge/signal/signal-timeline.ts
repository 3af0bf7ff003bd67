// The signal states a camera's rules saw, as a bounded list of changes, so events can say what the light was at each moment.
import type { SignalState } from '../../contract/index.ts';

export interface SignalChange {
  tsMs: number;
  state: SignalState;
}

/** Changes kept: a light cycles about once a minute, so 64 changes cover far more than an event's history. */
const DEFAULT_MAX_CHANGES = 64;

export class SignalTimeline {
  private readonly changes: SignalChange[] = [];

  constructor(private readonly maxChanges = DEFAULT_MAX_CHANGES) {}

  /** Feeds the state seen on one analysed frame; only changes are stored. Frames must come in time order. */
  record(tsMs: number, state: SignalState): void {
    const last = this.changes.at(-1);
    if (last && last.state === state) return;
    if (last && tsMs < last.tsMs) return; // a frame older than the last change cannot reorder history
    this.changes.push({ tsMs, state });
    if (this.changes.length > this.maxChanges) this.changes.splice(0, this.changes.length - this.maxChanges);
  }

  /**
   * The state in force at fromMs followed by every change up to toMs, oldest first; empty when nothing was
   * recorded before toMs. A state older than the kept history is reported from the oldest change kept.
   */
  between(fromMs: number, toMs: number): SignalChange[] {
    const out: SignalChange[] = [];
    let inForce: SignalChange | undefined;
    for (const c of this.changes) {
      if (c.tsMs <= fromMs) inForce = c;
      else if (c.tsMs <= toMs) out.push(c);
    }
    if (inForce) out.unshift({ tsMs: fromMs, state: inForce.state });
    return out;
  }
}
