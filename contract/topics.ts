// MQTT topic names of the wire contract: matthan/v1/{site}/{camera}/events and .../status, and central's acks.
import { TOPIC_VERSION } from './version.ts';

export const TOPIC_ROOT = `matthan/v${TOPIC_VERSION}`;
/** Pseudo camera id used for the edge box's own status (heartbeat, last will). */
export const EDGE_CAMERA_ID = '_edge';
/**
 * Central's own branch of the tree. '_central' can never be a site id (SLUG_PATTERN starts with [a-z0-9]), so a
 * broker ACL "a box publishes only under matthan/v1/{its site}/#" already keeps every box out of it; only
 * central may publish here, and a box of site S may only subscribe to matthan/v1/_central/S/acks.
 */
export const CENTRAL_BRANCH = '_central';

export const Topics = {
  events: (site: string, camera: string) => `${TOPIC_ROOT}/${site}/${camera}/events`,
  status: (site: string, camera: string) => `${TOPIC_ROOT}/${site}/${camera}/status`,
  edgeStatus: (site: string) => `${TOPIC_ROOT}/${site}/${EDGE_CAMERA_ID}/status`,
  /**
   * Central -> the edges of one site: end-to-end acknowledgements (contract/ack.ts). The last level is "acks",
   * so central's own events/status wildcards can never match it.
   */
  acks: (site: string) => `${TOPIC_ROOT}/${CENTRAL_BRANCH}/${site}/acks`,
  /** Wildcard subscriptions for central. */
  allEvents: `${TOPIC_ROOT}/+/+/events`,
  allStatus: `${TOPIC_ROOT}/+/+/status`,
} as const;

export interface TopicParts {
  site: string;
  camera: string;
  channel: 'events' | 'status';
}

/** Parses a contract topic; returns undefined for anything else. */
export function parseTopic(topic: string): TopicParts | undefined {
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) return undefined;
  const [, , site, camera, channel] = parts;
  if (!site || !camera || (channel !== 'events' && channel !== 'status')) return undefined;
  return { site, camera, channel };
}
