// The wire contract's version: bumped on any breaking change to events or status messages.
export const SCHEMA_VERSION = 1 as const;
