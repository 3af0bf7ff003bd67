// Reconnect delay: exponential in the attempt number, capped, with "equal jitter" so cameras do not retry in lockstep.
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

/**
 * attempt 0 waits between min/2 and min; each further attempt doubles the window up to max.
 * `random` is a value in [0, 1) (Math.random in production, fixed in tests).
 */
export function backoffDelayMs(attempt: number, o: BackoffOptions, random: number): number {
  const base = Math.min(o.maxMs, o.minMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(base / 2 + random * (base / 2));
}
