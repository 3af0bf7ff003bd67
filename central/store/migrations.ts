// Core schema migrations (incidents, events, quarantine, camera status); append only, never edit a shipped one.
export const CORE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    camera TEXT NOT NULL,
    rule TEXT NOT NULL,
    rule_type TEXT NOT NULL,
    label TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    first_ts INTEGER NOT NULL,
    last_ts INTEGER NOT NULL,
    ended INTEGER NOT NULL DEFAULT 0,
    confidence REAL NOT NULL,
    box TEXT NOT NULL,
    details TEXT,
    evidence TEXT,
    event_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX incidents_camera_ts ON incidents (camera, first_ts DESC);
  CREATE INDEX incidents_status_ts ON incidents (status, first_ts DESC);
  CREATE INDEX incidents_rule_ts ON incidents (rule_type, first_ts DESC);
  CREATE INDEX incidents_ts ON incidents (first_ts DESC);

  CREATE TABLE events (
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    phase TEXT NOT NULL,
    site TEXT NOT NULL,
    camera TEXT NOT NULL,
    rule TEXT NOT NULL,
    track_id INTEGER,
    ts INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (id, seq)
  );
  CREATE INDEX events_incident ON events (incident_id);

  CREATE TABLE quarantine (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    reason TEXT NOT NULL,
    payload BLOB NOT NULL
  );

  CREATE TABLE camera_status (
    site TEXT NOT NULL,
    camera TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    ts INTEGER NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (site, camera)
  );
  `,
];
