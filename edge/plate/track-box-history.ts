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

/** A box whose bottom is this close to the frame's bottom edge (normalised) is cut there. */
const BOTTOM_EDGE = 0.985;

/**
 * How good a view of the plate a box promises: its area, but a box cut by the frame's bottom edge comes after
 * every whole one. The plate sits low on a vehicle, so a vehicle still entering at the bottom of the picture has
 * its largest box just when its plate is out of it (the white SUV of the intersection clip read nothing there).
 */
export function plateViewScore(b: readonly [number, number, number, number]): number {
  const area = Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
  return cutAtBottom(b) ? area - 1 : area;
}

/** The box reaches the frame's bottom edge: the vehicle is still entering, its plate likely below the picture. */
export const cutAtBottom = (b: readonly [number, number, number, number]): boolean => b[3] >= BOTTOM_EDGE;

/** The `count` samples with the best plate views (plateViewScore: the nearest whole boxes), in time order. */
export function largestSamples(samples: readonly BoxSample[], count: number): BoxSample[] {
  return [...samples]
    .sort((a, b) => plateViewScore(b.boxXyxyNorm) - plateViewScore(a.boxXyxyNorm) || a.tsMs - b.tsMs)
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
