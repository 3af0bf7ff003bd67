// Which ring segments make a clip and where to seek in them: a pure function of segment times and the wanted window.

export interface TimedSegment {
  file: string;
  /** Wall-clock ms, same clock as event timestamps. */
  startMs: number;
  endMs: number;
}

export interface ClipPlan {
  /** Segment files to concatenate, oldest first (one contiguous run). */
  files: string[];
  /** Seconds from the start of the first file to seek to. */
  seekS: number;
  /** Wall-clock ms of the first file's start (seekS counts from it). */
  firstStartMs: number;
  durationS: number;
  /** How much of the wanted window the ring no longer/not yet holds (0 when complete). */
  missingStartMs: number;
  missingEndMs: number;
}

/** Segments closer than this are one contiguous recording; a bigger gap means ffmpeg restarted in between. */
export const MAX_SEGMENT_GAP_MS = 500;

/**
 * Plans a cut of [fromMs, toMs] from complete segments. The seek starts leadMs early so a cut that lands
 * a few frames late (stream copy starts on the keyframe and hides frames before the seek with an edit list)
 * still shows at least the full pre-roll. Returns undefined when no segment overlaps the window.
 * Only the contiguous run of segments around the window's middle is used (timestamps jump across a restart).
 */
export function planClip(
  segments: readonly TimedSegment[],
  fromMs: number,
  toMs: number,
  leadMs = 250,
): ClipPlan | undefined {
  const want0 = fromMs - leadMs;
  const sorted = [...segments].sort((a, b) => a.startMs - b.startMs);
  const overlapping = sorted.filter((s) => s.endMs > want0 && s.startMs < toMs);
  if (overlapping.length === 0) return undefined;
  // Split into contiguous runs; keep the one holding the most of the window.
  const runs: TimedSegment[][] = [];
  for (const s of overlapping) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last && s.startMs - last.endMs <= MAX_SEGMENT_GAP_MS) run.push(s);
    else runs.push([s]);
  }
  const covered = (run: TimedSegment[]) =>
    Math.min(run.at(-1)!.endMs, toMs) - Math.max(run[0]!.startMs, want0);
  const best = runs.reduce((a, b) => (covered(b) > covered(a) ? b : a));
  const first = best[0]!;
  const last = best.at(-1)!;
  const startMs = Math.max(first.startMs, want0);
  const endMs = Math.min(last.endMs, toMs);
  return {
    files: best.map((s) => s.file),
    seekS: (startMs - first.startMs) / 1000,
    firstStartMs: first.startMs,
    durationS: (endMs - startMs) / 1000,
    missingStartMs: Math.max(0, first.startMs - fromMs),
    missingEndMs: Math.max(0, toMs - last.endMs),
  };
}
