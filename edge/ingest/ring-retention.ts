// Which segments the ring keeps: the newest complete ones whose total duration fits in the configured seconds,
// plus older ones a pending evidence capture still needs (held), within a cap of extra seconds.
export interface TimedSegment {
  startMs: number;
  endMs: number;
}

/** Segments ending after fromMs are held for a pending capture, up to maxSeconds beyond the ring's own budget. */
export interface RingHold {
  fromMs: number;
  maxSeconds: number;
}

/**
 * Walks from the newest segment back, keeping while the running total stays within maxSeconds; older segments
 * are kept only while they end after hold.fromMs and the total stays within maxSeconds + hold.maxSeconds.
 * Everything older is dropped. A segment longer than the whole budget (a GOP longer than the ring) is dropped
 * too, so the bound holds without exception. Input oldest first; both outputs oldest first.
 */
export function ringRetention<T extends TimedSegment>(
  segments: readonly T[],
  maxSeconds: number,
  hold?: RingHold,
): { keep: T[]; drop: T[] } {
  const budgetMs = maxSeconds * 1000;
  const heldBudgetMs = budgetMs + (hold ? hold.maxSeconds * 1000 : 0);
  let totalMs = 0;
  let cut = segments.length;
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i]!;
    const d = Math.max(0, s.endMs - s.startMs);
    const held = hold !== undefined && s.endMs > hold.fromMs;
    if (totalMs + d > (held ? heldBudgetMs : budgetMs)) break;
    totalMs += d;
    cut = i;
  }
  return { keep: segments.slice(cut), drop: segments.slice(0, cut) };
}
