// Pure: the pause/resume state machine over drift verdicts; pauses at once, resumes only after a calm spell.
import type { DriftVerdict } from './drift-classifier.ts';
import type { ViewDrift } from './view-transform.ts';

/** steady: rules run (small drift is followed); moved / uncertain: the camera's rules are paused. */
export type ViewState = 'steady' | 'moved' | 'uncertain';

export interface ViewGuardStateOptions {
  /** A paused view resumes only once its largest movement is at most this (fraction of the width). */
  resumeMoveNorm: number;
  /** ...and has stayed so, on reliable estimates, for this long. */
  resumeAfterMs: number;
}

export interface ViewStep {
  state: ViewState;
  paused: boolean;
  /** The state differs from the one before this step. */
  changed: boolean;
}

export class ViewGuardState {
  private current: ViewState;
  /** Frame time of the first calm verdict of the current calm spell, while paused. */
  private calmSinceMs: number | undefined;
  /** Frame time the current state began. */
  sinceMs: number;
  /** The last drift measured (reliable or not), for the status message. */
  lastDrift: ViewDrift | undefined;
  lastReason: string | undefined;

  constructor(
    private readonly o: ViewGuardStateOptions,
    initial: ViewState,
    startMs: number,
  ) {
    this.current = initial;
    this.sinceMs = startMs;
  }

  get state(): ViewState {
    return this.current;
  }

  get paused(): boolean {
    return this.current !== 'steady';
  }

  step(v: DriftVerdict, tsMs: number): ViewStep {
    const before = this.current;
    if (v.drift) this.lastDrift = v.drift;
    this.lastReason = v.kind === 'unreliable' ? v.reason : undefined;
    if (v.kind === 'unreliable') {
      // A view that cannot be measured may have jumped: pausing costs a few missed events, a false fine costs more.
      // A view already known to have moved stays "moved" (its last good measure is still the best one).
      if (this.current === 'steady') this.current = 'uncertain';
      this.calmSinceMs = undefined;
    } else if (v.kind === 'large') {
      this.current = 'moved';
      this.calmSinceMs = undefined;
    } else if (this.current !== 'steady') {
      if (v.drift.maxMoveNorm > this.o.resumeMoveNorm) {
        // Measured well, but still between the resume and pause limits: hysteresis keeps it paused.
        this.current = 'moved';
        this.calmSinceMs = undefined;
      } else {
        this.calmSinceMs ??= tsMs;
        if (tsMs - this.calmSinceMs >= this.o.resumeAfterMs) {
          this.current = 'steady';
          this.calmSinceMs = undefined;
        }
      }
    }
    const changed = this.current !== before;
    if (changed) this.sinceMs = tsMs;
    return { state: this.current, paused: this.paused, changed };
  }
}
