// Per-key presence timer for occupancy rules: how long a subject has been in a zone, tolerant of short absences.

/**
 * A subject (track) whose anchor leaves the zone, or is missed by the detector, for less than `graceMs` keeps
 * its entry time: box jitter at a zone edge must not restart a dwell count. Absent longer, it is forgotten.
 */
export class PresenceTimer {
  /** key -> [ms the subject entered, ms it was last seen inside]. */
  private readonly seen = new Map<string | number, [number, number]>();

  constructor(private readonly graceMs: number) {}

  /** Marks the key inside at tsMs; returns ms it has been inside (0 on entry). */
  inside(key: string | number, tsMs: number): number {
    const s = this.seen.get(key);
    if (s && tsMs - s[1] <= this.graceMs) {
      s[1] = tsMs;
      return tsMs - s[0];
    }
    this.seen.set(key, [tsMs, tsMs]);
    return 0;
  }

  /** Forgets keys not seen inside for longer than the grace (call once per frame: bounded memory). */
  sweep(tsMs: number): void {
    for (const [key, s] of this.seen) if (tsMs - s[1] > this.graceMs) this.seen.delete(key);
  }
}
