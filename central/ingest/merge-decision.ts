// Merge policy as a pure function: which incident the first message of a new event id joins, and why (recorded).
//
// Central never decides identity from positions and times on one camera: the next car in a lane crosses the stop
// line at the same place a few seconds after the previous one. The edge, which has the track history, states it
// (`continues`); central follows that, and merges across cameras only for cameras configured as one group.
import type { MatthanEvent } from '../../contract/index.ts';

/** What the store knows about a recent incident of a camera group that a new event might belong to. */
export interface GroupCandidate {
  id: string;
  site: string;
  camera: string;
  ruleType: string;
  /** Camera group the incident was opened in (config `cameras[].group`). */
  group: string | null;
  firstTs: number;
  /** Latest wall-clock ms the violation was seen (max of `endTs ?? ts` over its events). */
  lastSeenTs: number;
}

/** A stored event linked to the new one by `continues`, as the store found it. */
export interface LinkedEvent {
  eventId: string;
  incidentId: string;
  site: string;
  camera: string;
  rule: string;
  startTs: number;
  /** Latest `endTs ?? ts` over its stored messages. */
  lastSeenTs: number;
}

/**
 * The stored events the new event is linked to by `continues` (every event of a chain names its first id):
 * - root: the event the new one continues (event.continues), when it is stored;
 * - sibling: when the root is not stored yet (out-of-order delivery), another event continuing the same root;
 * - follower: for an event without `continues`, a stored event that continues it (its continuation came first).
 */
export interface Links {
  root?: LinkedEvent;
  sibling?: LinkedEvent;
  follower?: LinkedEvent;
}

export interface MergePolicy {
  /** Largest gap (ms) between a group incident's span and a new event's start that still merges (groups only). */
  mergeWindowMs: number;
  /** The camera group of (site, camera), or undefined when the camera is in none. */
  groupOf: (site: string, camera: string) => string | undefined;
}

export type MergeKind = 'continuation' | 'camera-group';

export interface MergeReason {
  kind: MergeKind;
  /**
   * Continuation: the later event's start minus the earlier one's last sighting (ms; for a root arriving after
   * its continuation, its sighting in the message that decided). Group: the event's start minus the incident's
   * last sighting. Negative when they overlap.
   */
  gapMs: number;
  /** One sentence a reviewer can read. */
  text: string;
}

export type MergeDecision =
  | {
      kind: 'new';
      /** A `continues` the store refused (it names an event of another site, camera or rule). */
      refused?: { eventId: string; text: string };
    }
  | { kind: 'merge'; incidentId: string; reason: MergeReason };

export type MergeProbe = Pick<
  MatthanEvent,
  'id' | 'continues' | 'site' | 'camera' | 'rule' | 'ruleType' | 'startTs' | 'ts' | 'endTs' | 'trackId'
>;

const where = (e: { site: string; camera: string; rule: string }) => `${e.site}/${e.camera}/${e.rule}`;
const agrees = (e: MergeProbe, l: LinkedEvent) =>
  e.site === l.site && e.camera === l.camera && e.rule === l.rule;
const track = (e: MergeProbe) => (e.trackId === undefined ? '' : ` (track ${e.trackId})`);

/**
 * Decides where the first message of a not-yet-seen event id goes (later messages of a known id follow their
 * incident; exact redeliveries of (id, seq) are dropped before this).
 * 1. Continuation stated by the edge: the incident of the root (or, until the root arrives, of a sibling; or,
 *    for a root arriving after its continuation, of the follower), only if site, camera and rule agree;
 *    otherwise a new incident, and the refusal is reported.
 * 2. Otherwise, another camera of the same group with the same rule type, starting within mergeWindowMs of the
 *    incident's span: overlapping cameras saw one violation. Smallest gap wins. Positions are not comparable
 *    across views, so only time and rule type decide.
 * 3. Otherwise a new incident.
 */
export function decideMerge(
  event: MergeProbe,
  links: Links,
  groupCandidates: readonly GroupCandidate[],
  policy: MergePolicy,
): MergeDecision {
  const selfLink = event.continues === event.id;
  const link = selfLink
    ? undefined
    : event.continues !== undefined
      ? (links.root ?? links.sibling)
      : links.follower;
  let refused: { eventId: string; text: string } | undefined = selfLink
    ? { eventId: event.id, text: `event ${event.id} states it continues itself; ignored` }
    : undefined;
  if (link && agrees(event, link)) {
    // Always the later event's start minus the earlier one's last sighting. A sibling may be older or newer.
    const gapMs =
      link === links.follower ? link.startTs - (event.endTs ?? event.ts) : event.startTs - link.lastSeenTs;
    const text =
      link === links.root
        ? `the edge states event ${event.id}${track(event)} continues event ${link.eventId} on ${where(event)}, ` +
          `${gapMs} ms after it was last seen`
        : link === links.sibling
          ? `the edge states event ${event.id}${track(event)} continues event ${event.continues} on ` +
            `${where(event)}, as event ${link.eventId} of this incident does (${event.continues} not received yet)`
          : `event ${event.id}${track(event)} is the first event of this violation on ${where(event)}: event ` +
            `${link.eventId}, received earlier, states it continues it`;
    return {
      kind: 'merge',
      incidentId: link.incidentId,
      reason: { kind: 'continuation', gapMs, text },
    };
  }
  if (link) {
    const named = link === links.follower ? link.eventId : event.continues;
    refused = {
      eventId: link.eventId,
      text:
        link === links.follower
          ? `event ${link.eventId} (${where(link)}) states it continues event ${event.id} (${where(event)}); ` +
            'site, camera or rule differ, so they were kept apart'
          : `event ${event.id} (${where(event)}) states it continues event ${named}, which is on ` +
            `${where(link)}; site, camera or rule differ, so it was kept apart`,
    };
  }

  const group = policy.groupOf(event.site, event.camera);
  const groupMerge = group === undefined ? undefined : decideGroup(event, group, groupCandidates, policy);
  if (groupMerge) return groupMerge;
  return refused ? { kind: 'new', refused } : { kind: 'new' };
}

/**
 * Two incidents of grouped cameras whose starts are closer together than this are told apart by nothing central
 * knows (the cameras share no track ids): a fragment that could belong to either joins neither. 250 ms is a
 * little more than one analysed frame at 5 fps, the sync two poles of one junction keep over NTP.
 */
export const GROUP_AMBIGUITY_MS = 250;

function decideGroup(
  event: MergeProbe,
  group: string,
  candidates: readonly GroupCandidate[],
  policy: MergePolicy,
): MergeDecision | undefined {
  // Ranked by start against start: one violation seen from two poles starts at about the same moment on both. (A
  // long incident whose span merely covers the moment is another vehicle still in view, not a closer match.)
  const ranked: { c: GroupCandidate; rank: number }[] = [];
  for (const c of candidates) {
    if (c.group !== group || c.ruleType !== event.ruleType) continue;
    // The same camera never merges with itself by time: only the edge knows whether it is the same subject.
    if (c.site === event.site && c.camera === event.camera) continue;
    if (
      event.startTs > c.lastSeenTs + policy.mergeWindowMs ||
      event.startTs < c.firstTs - policy.mergeWindowMs
    )
      continue;
    ranked.push({ c, rank: Math.abs(event.startTs - c.firstTs) });
  }
  ranked.sort((a, b) => a.rank - b.rank);
  const best = ranked[0];
  const runnerUp = ranked[1];
  if (best && runnerUp && runnerUp.rank - best.rank < GROUP_AMBIGUITY_MS) return undefined;
  if (!best) return undefined;
  const gapMs = event.startTs - best.c.lastSeenTs;
  return {
    kind: 'merge',
    incidentId: best.c.id,
    reason: {
      kind: 'camera-group',
      gapMs,
      text: `${event.camera} and ${best.c.camera} overlap (group ${group}): same ${event.ruleType} ${gapMs} ms after the last sighting`,
    },
  };
}
