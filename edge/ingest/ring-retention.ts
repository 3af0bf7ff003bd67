// Which segments the ring keeps: the newest complete ones whose total duration fits in the configured seconds.
export interface TimedSegment {
  startMs: number;
  endMs: number;
}

/**
 * Walks from the newest segment back, keeping while the running total stays within maxSeconds; everything
 * older is dropped. A segment longer than the whole ring (a GOP longer than the ring) is dropped too, so the
 * bound holds without exception. Input oldest first; both outputs oldest first.
 */
export function ringRetention<T extends TimedSegment>(
  segments: readonly T[],
  maxSeconds: number,
): { keep: T[]; drop: T[] } {
  const budgetMs = maxSeconds * 1000;
  let totalMs = 0;
  let cut = segments.length;
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i]!;
    const d = Math.max(0, s.endMs - s.startMs);
    if (totalMs + d > budgetMs) break;
    totalMs += d;
    cut = i;
  }
  return { keep: segments.slice(cut), drop: segments.slice(0, cut) };
}
