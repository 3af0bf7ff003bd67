// The Rule plug point: a pure evaluation over the frame's tracks and context, returning the hits active now.
import type { EventDetails, RuleType, SignalState } from '../../contract/index.ts';
import type { Track } from '../track/track.ts';

export interface RuleInput {
  tsMs: number;
  /** Tracks seen this frame, already filtered by the rule's class, confidence and size filters, confirmed only. */
  tracks: readonly Track[];
  /** Signal state of the camera's controller, when the camera has one. */
  signal: SignalState;
}

/** A rule firing for one subject (usually one track); the engine turns hit lifetimes into start/update/end. */
export interface RuleHit {
  /** Stable per subject: one event per (rule, key). Usually `t{trackId}`. */
  key: string;
  trackId?: number;
  label: string;
  confidence: number;
  boxXyxyNorm: [number, number, number, number];
  zone?: string;
  line?: string;
  details?: EventDetails;
  /** An instantaneous violation (a crossing): the event ends as soon as the hit is reported. */
  instant?: boolean;
}

export interface Rule {
  readonly id: string;
  readonly type: RuleType;
  evaluate(input: RuleInput): RuleHit[];
}
