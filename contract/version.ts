// The wire contract's versions: the message schema (bumped on every change of events or status messages) and the
// topic root (bumped only when central can no longer read older edges).
/** What this edge writes. 2 added `plate` and `evidence.plate` to events (issue 15). */
export const SCHEMA_VERSION = 2 as const;
/** What central accepts: edges of an older version keep publishing on the same topics. */
export const SUPPORTED_SCHEMA_VERSIONS = [1, 2] as const;
export type SchemaVersion = (typeof SUPPORTED_SCHEMA_VERSIONS)[number];
/** The topic root `matthan/v1`: version 2 only added optional fields, so it stays on the v1 topics. */
export const TOPIC_VERSION = 1 as const;
