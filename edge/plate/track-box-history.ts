// Recent boxes of every track of one camera (frame time + normalised box), so a plate job can look back (pure).

export interface BoxSample {
  tsMs: number;
  boxXyxyNorm: [number, number, number, number];
}

export class TrackBoxHistory {
  private readonly byTrack = new Map<number, { label: string; samples: BoxSample[] }>();

  constructor(private readonly keepMs: number) {}

  add(trackId: number, label: string, sample: BoxSample): void {
    let t = this.byTrack.get(trackId);
    if (!t) {
      t = { label, samples: [] };
      this.byTrack.set(trackId, t);
    }
    t.label = label;
    t.samples.push(sample);
    while (t.samples.length > 0 && sample.tsMs - t.samples[0]!.tsMs > this.keepMs) t.samples.shift();
  }

  /** Samples of a track within [fromMs, toMs], oldest first. */
  window(trackId: number, fromMs: number, toMs: number): BoxSample[] {
    return (this.byTrack.get(trackId)?.samples ?? []).filter((s) => s.tsMs >= fromMs && s.tsMs <= toMs);
  }

  /** The detector label of a track (its latest). */
  labelOf(trackId: number): string | undefined {
    return this.byTrack.get(trackId)?.label;
  }

  lastSeenMs(trackId: number): number | undefined {
    return this.byTrack.get(trackId)?.samples.at(-1)?.tsMs;
  }

  /** Forgets tracks not seen since before nowMs - keepMs. */
  sweep(nowMs: number): void {
    for (const [id, t] of this.byTrack)
      if (nowMs - (t.samples.at(-1)?.tsMs ?? 0) > this.keepMs) this.byTrack.delete(id);
  }
}

/** The `count` samples with the largest boxes (the nearest, sharpest views of the plate), in time order. */
export function largestSamples(samples: readonly BoxSample[], count: number): BoxSample[] {
  const area = (s: BoxSample) =>
    (s.boxXyxyNorm[2] - s.boxXyxyNorm[0]) * (s.boxXyxyNorm[3] - s.boxXyxyNorm[1]);
  return [...samples]
    .sort((a, b) => area(b) - area(a) || a.tsMs - b.tsMs)
    .slice(0, Math.max(0, count))
    .sort((a, b) => a.tsMs - b.tsMs);
}

/** The box at tsMs, linearly between the two samples around it (clamped to the first / last). */
export function boxAt(
  samples: readonly BoxSample[],
  tsMs: number,
): [number, number, number, number] | undefined {
  if (samples.length === 0) return undefined;
  const i = samples.findIndex((s) => s.tsMs >= tsMs);
  if (i < 0) return samples.at(-1)!.boxXyxyNorm;
  if (i === 0) return samples[0]!.boxXyxyNorm;
  const a = samples[i - 1]!;
  const b = samples[i]!;
  const w = (tsMs - a.tsMs) / Math.max(1, b.tsMs - a.tsMs);
  return a.boxXyxyNorm.map((v, k) => v + (b.boxXyxyNorm[k]! - v) * w) as [number, number, number, number];
}
