// Retry delay for evidence uploads: exponential from baseMs, capped at maxMs, with jitter so boxes don't retry in step.

/** attempts: failures so far (0 after the first failure -> about baseMs). rand in [0, 1). */
export function retryDelayMs(attempts: number, baseMs: number, maxMs: number, rand: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempts, 30)));
  // Jitter in [50 %, 100 %] of the step: spreads a fleet that lost the uplink together.
  return Math.max(1, Math.round(exp * (0.5 + 0.5 * rand)));
}
