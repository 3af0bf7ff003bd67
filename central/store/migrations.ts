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
  // 2: merge bookkeeping (fragments of one violation, camera groups), merge reasons, review verdicts.
  `
  ALTER TABLE incidents ADD COLUMN last_seen_ts INTEGER NOT NULL DEFAULT 0;
  UPDATE incidents SET last_seen_ts = last_ts;
  ALTER TABLE incidents ADD COLUMN merge_group TEXT;
  ALTER TABLE incidents ADD COLUMN last_track_id INTEGER;
  ALTER TABLE incidents ADD COLUMN fragments INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE incidents ADD COLUMN fragments_ended INTEGER NOT NULL DEFAULT 0;
  UPDATE incidents SET fragments_ended = ended;
  ALTER TABLE incidents ADD COLUMN reviewed_by TEXT;
  ALTER TABLE incidents ADD COLUMN reviewed_at INTEGER;
  ALTER TABLE incidents ADD COLUMN review_note TEXT;
  CREATE INDEX incidents_merge_camera ON incidents (site, camera, rule, last_seen_ts);
  CREATE INDEX incidents_merge_group ON incidents (merge_group, rule_type, last_seen_ts) WHERE merge_group IS NOT NULL;

  CREATE TABLE incident_merges (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    event_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    gap_ms INTEGER NOT NULL,
    distance REAL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX incident_merges_incident ON incident_merges (incident_id);

  CREATE TABLE reviews (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    verdict TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    note TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX reviews_incident ON reviews (incident_id);
  `,
];
