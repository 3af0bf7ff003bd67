// Dedup/merge policy as a pure function: does a new event join an open incident, and why (recorded per merge).
import type { MatthanEvent } from '../../contract/index.ts';

/** What the store knows about a recent incident that a new event might belong to. */
export interface MergeCandidate {
  id: string;
  site: string;
  camera: string;
  rule: string;
  ruleType: string;
  /** Camera group the incident was opened in (config `cameras[].group`), if any. */
  group: string | null;
  firstTs: number;
  /** Latest wall-clock ms the violation was seen (max of `endTs ?? ts` over its events). */
  lastSeenTs: number;
  /** Box at lastSeenTs. */
  boxXyxyNorm: readonly [number, number, number, number];
  /** Track id of the latest event, if the rule is per-track. */
  lastTrackId: number | null;
}

export interface MergePolicy {
  /** Largest gap (ms) between an incident's last sighting and a new event's start that still merges. */
  mergeWindowMs: number;
  /** Largest normalised distance between box centres for same-camera merges. */
  mergeDistance: number;
  /**
   * How long (ms) a new event may start before the candidate's last sighting and still count as the same
   * object: a tracker loses a track a frame or an update interval before the new id appears; beyond this the
   * two objects were seen at once, so they are two violations.
   */
  overlapToleranceMs: number;
  /** The camera group of (site, camera), or undefined when the camera is in none. */
  groupOf: (site: string, camera: string) => string | undefined;
}

export type MergeKind = 'same-track' | 'track-switch' | 'camera-group';

export interface MergeReason {
  kind: MergeKind;
  /** event.startTs - candidate.lastSeenTs (ms); negative when they overlap. */
  gapMs: number;
  /** Box-centre distance (same camera only). */
  distance: number | null;
  /** One sentence a reviewer can read. */
  text: string;
}

export type MergeDecision = { kind: 'new' } | { kind: 'merge'; incidentId: string; reason: MergeReason };

export type MergeProbe = Pick<
  MatthanEvent,
  'site' | 'camera' | 'rule' | 'ruleType' | 'startTs' | 'trackId' | 'boxXyxyNorm'
>;

const centre = (b: readonly number[]): [number, number] => [
  ((b[0] ?? 0) + (b[2] ?? 0)) / 2,
  ((b[1] ?? 0) + (b[3] ?? 0)) / 2,
];

export function boxCentreDistance(a: readonly number[], b: readonly number[]): number {
  const [ax, ay] = centre(a);
  const [bx, by] = centre(b);
  return Math.hypot(ax - bx, ay - by);
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Decides where the first message of a not-yet-seen event id goes (later messages of a known id follow their
 * incident; exact redeliveries are dropped before this).
 * 1. Same site, camera and rule, gap within [-overlapToleranceMs, mergeWindowMs], box centres within
 *    mergeDistance: the tracker switched ids (or the same track fired again after its cooldown). Closest wins.
 * 2. Otherwise, another camera of the same group with the same rule type, starting within mergeWindowMs of the
 *    incident's span: overlapping cameras saw one violation. Smallest gap wins. Positions are not comparable
 *    across views, so only time and rule type decide.
 */
export function decideMerge(
  event: MergeProbe,
  candidates: readonly MergeCandidate[],
  policy: MergePolicy,
): MergeDecision {
  let best: { c: MergeCandidate; gapMs: number; distance: number } | undefined;
  for (const c of candidates) {
    if (c.site !== event.site || c.camera !== event.camera || c.rule !== event.rule) continue;
    const gapMs = event.startTs - c.lastSeenTs;
    if (gapMs > policy.mergeWindowMs || gapMs < -policy.overlapToleranceMs) continue;
    // An event that started before the incident did is an older, separate object (replays arrive out of order).
    if (event.startTs < c.firstTs - policy.overlapToleranceMs) continue;
    const distance = boxCentreDistance(event.boxXyxyNorm, c.boxXyxyNorm);
    if (distance > policy.mergeDistance) continue;
    if (
      !best ||
      distance < best.distance ||
      (distance === best.distance && Math.abs(gapMs) < Math.abs(best.gapMs))
    )
      best = { c, gapMs, distance };
  }
  if (best) {
    const sameTrack = event.trackId !== undefined && best.c.lastTrackId === event.trackId;
    const kind: MergeKind = sameTrack ? 'same-track' : 'track-switch';
    const who = sameTrack
      ? `track ${event.trackId} fired again`
      : `track ${event.trackId ?? '?'} continues track ${best.c.lastTrackId ?? '?'}`;
    return {
      kind: 'merge',
      incidentId: best.c.id,
      reason: {
        kind,
        gapMs: best.gapMs,
        distance: round(best.distance, 4),
        text: `${who} on ${event.camera}/${event.rule}: ${best.gapMs} ms after the last sighting, ${round(best.distance, 3)} apart`,
      },
    };
  }

  const group = policy.groupOf(event.site, event.camera);
  if (group === undefined) return { kind: 'new' };
  let bestGroup: { c: MergeCandidate; gapMs: number } | undefined;
  for (const c of candidates) {
    if (c.group !== group || c.ruleType !== event.ruleType) continue;
    if (c.site === event.site && c.camera === event.camera) continue; // same camera: rule 1 decides
    if (
      event.startTs > c.lastSeenTs + policy.mergeWindowMs ||
      event.startTs < c.firstTs - policy.mergeWindowMs
    )
      continue;
    const gapMs = event.startTs - c.lastSeenTs;
    // Inside the incident's span the gap is 0 for ranking: the cameras saw it at the same time.
    const rank =
      event.startTs >= c.firstTs && event.startTs <= c.lastSeenTs
        ? 0
        : Math.min(Math.abs(gapMs), Math.abs(event.startTs - c.firstTs));
    if (!bestGroup || rank < bestGroup.gapMs) bestGroup = { c, gapMs: rank };
  }
  if (!bestGroup) return { kind: 'new' };
  const gapMs = event.startTs - bestGroup.c.lastSeenTs;
  return {
    kind: 'merge',
    incidentId: bestGroup.c.id,
    reason: {
      kind: 'camera-group',
      gapMs,
      distance: null,
      text: `${event.camera} and ${bestGroup.c.camera} overlap (group ${group}): same ${event.ruleType} ${gapMs} ms after the last sighting`,
    },
  };
}

/** One event id inside an incident, as the split check needs it. */
export interface Fragment {
  eventId: string;
  camera: string;
  rule: string;
  startTs: number;
  /** How it joined the incident: null for the event that opened it. */
  mergeKind: MergeKind | null;
}

/** A sighting: one message of an event already in the incident. */
export interface Sighting {
  eventId: string;
  camera: string;
  rule: string;
  startTs: number;
  /** endTs ?? ts of the message. */
  seenTs: number;
}

/**
 * Fragments merged as a tracker id switch (or a re-fire) that turn out to have been seen at the same time as an
 * older fragment on the same camera and rule: the older track was not lost when the newer one started, so they
 * are two objects and the newer fragment must become its own incident. Camera-group merges overlap by nature
 * and are never split. Returns the event ids to split out.
 */
export function concurrentFragments(
  sighting: Sighting,
  fragments: readonly Fragment[],
  overlapToleranceMs: number,
): string[] {
  const out: string[] = [];
  for (const f of fragments) {
    if (f.eventId === sighting.eventId) continue;
    if (f.mergeKind !== 'track-switch' && f.mergeKind !== 'same-track') continue;
    if (f.camera !== sighting.camera || f.rule !== sighting.rule) continue;
    // Only a fragment that started after the sighted event did can be its (supposed) continuation.
    if (f.startTs <= sighting.startTs) continue;
    if (sighting.seenTs - f.startTs > overlapToleranceMs) out.push(f.eventId);
  }
  return out;
}
