// Per-key presence timer for occupancy rules: how long a subject has been in a zone, tolerant of short absences.
import { anchorOf, type Track } from '../track/track.ts';
import { pointInPolygon } from './geometry.ts';
import type { ZoneConfig } from './geometry-schema.ts';
import type { RuleHit } from './rule.ts';

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

/**
 * The per-track dwell hits of occupancy rules (zone_dwell-like): every track whose anchor (box bottom-centre) has
 * stayed in the zone for at least dwellS, grace per the timer, keyed `t{track}` with details.dwellS. Sweeps the
 * timer, so call it once per frame. `skip` leaves tracks out (e.g. classes allowed in a lane).
 */
export function dwellHitsInZone(
  timer: PresenceTimer,
  tracks: readonly Track[],
  zone: ZoneConfig,
  tsMs: number,
  dwellS: number,
  skip: (t: Track) => boolean = () => false,
): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const t of tracks) {
    if (skip(t)) continue;
    const a = anchorOf(t.boxXyxyNorm);
    if (!pointInPolygon(a.x, a.y, zone.polygon)) continue;
    const inS = timer.inside(t.id, tsMs) / 1000;
    if (inS < dwellS) continue;
    hits.push({
      key: `t${t.id}`,
      trackId: t.id,
      label: t.label,
      confidence: t.score,
      boxXyxyNorm: t.boxXyxyNorm,
      zone: zone.id,
      details: { dwellS: Math.round(inS * 10) / 10 },
    });
  }
  timer.sweep(tsMs);
  return hits;
}
