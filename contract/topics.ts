// MQTT topic names of the wire contract: matthan/v1/{site}/{camera}/events and .../status.
import { SCHEMA_VERSION } from './version.ts';

export const TOPIC_ROOT = `matthan/v${SCHEMA_VERSION}`;
/** Pseudo camera id used for the edge box's own status (heartbeat, last will). */
export const EDGE_CAMERA_ID = '_edge';

export const Topics = {
  events: (site: string, camera: string) => `${TOPIC_ROOT}/${site}/${camera}/events`,
  status: (site: string, camera: string) => `${TOPIC_ROOT}/${site}/${camera}/status`,
  edgeStatus: (site: string) => `${TOPIC_ROOT}/${site}/${EDGE_CAMERA_ID}/status`,
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
