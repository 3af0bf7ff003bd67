// When the edge hands an unacknowledged event over again: after the ack timeout, doubling with every send, capped.

/**
 * Delay after the `sends`-th send (1 = the first) before sending again while central has not acknowledged:
 * ackTimeoutMs, then twice that, ..., at most maxMs. A central that is down for hours costs a few re-sends
 * per event, not one per timeout.
 */
export function resendDelayMs(sends: number, ackTimeoutMs: number, maxMs: number): number {
  const n = Math.max(1, Math.floor(sends));
  // 2^(n-1) overflows to Infinity for large n; min() keeps the cap.
  return Math.min(maxMs, ackTimeoutMs * 2 ** Math.min(n - 1, 60));
}

/**
 * A gap: central acknowledged a later event sent after this one, so this one was most likely dropped on the way
 * (a broker queue limit). It is sent again after a short grace instead of waiting out its backoff.
 */
export function isLikelyDropped(
  entry: { seq: number; lastSendMs: number; pubacked: boolean },
  acked: { seq: number; lastSendMs: number },
): boolean {
  return entry.pubacked && entry.seq < acked.seq && entry.lastSendMs <= acked.lastSendMs;
}
