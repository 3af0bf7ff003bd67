// Retry schedule: exponential backoff with a cap and ± jitter; pure (the random number is passed in).
import type { BackoffConfig } from './forward-schema.ts';

/**
 * ms to wait after failed attempt number `attempt` (1 = the first attempt failed).
 * `random` in [0, 1) spreads the delay by ±jitter so an outage's backlog does not retry in lock-step.
 */
export function backoffDelayMs(attempt: number, b: BackoffConfig, random: number): number {
  const exp = b.initialMs * b.factor ** Math.max(0, attempt - 1);
  const capped = Math.min(b.maxMs, exp);
  const spread = capped * b.jitter * (2 * random - 1);
  return Math.max(0, Math.round(Math.min(b.maxMs, capped + spread)));
}

export type AttemptOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; error: string }
  | { kind: 'permanent'; error: string };

/** What to record after an attempt: delivered, back to pending at `nextAttemptMs`, or dead-lettered. */
export function afterAttempt(
  outcome: AttemptOutcome,
  attempt: number,
  maxAttempts: number,
  nowMs: number,
  b: BackoffConfig,
  random: number,
): { state: 'delivered' | 'pending' | 'dead'; nextAttemptMs: number | null } {
  if (outcome.kind === 'delivered') return { state: 'delivered', nextAttemptMs: null };
  if (outcome.kind === 'permanent' || attempt >= maxAttempts) return { state: 'dead', nextAttemptMs: null };
  return { state: 'pending', nextAttemptMs: nowMs + backoffDelayMs(attempt, b, random) };
}

/** HTTP status -> outcome. 4xx other than 408/409/425/429 will not improve by resending the same bytes. */
export function classifyStatus(status: number, bodyExcerpt: string): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  const error = `HTTP ${status}${bodyExcerpt ? `: ${bodyExcerpt}` : ''}`;
  if (status >= 400 && status < 500 && ![408, 409, 425, 429].includes(status))
    return { kind: 'permanent', error };
  return { kind: 'retry', error };
}
