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
  // 3: edge-stated continuations (contract `continues`: the first event id of the violation an event continues).
  `
  ALTER TABLE events ADD COLUMN continues TEXT;
  CREATE INDEX events_continues ON events (continues) WHERE continues IS NOT NULL;
  `,
  // 4: central no longer merges different event ids by position and time on one camera (issue 13: the next car
  // in a lane joined the previous car's incident). Fragments merged that way ('track-switch', 'same-track') into
  // incidents still awaiting review are split back into incidents of their own (incident id = event id, as for
  // any first event); reviewed incidents stay as the reviewer decided on them. Both incidents' merge histories
  // record it ('unmerged'). Camera-group fragments stay where they are.
  `
  CREATE TEMP TABLE unmerge_plan AS
    SELECT MIN(m.rowid) AS merge_rowid, m.incident_id AS from_id, m.event_id AS event_id, MIN(m.kind) AS kind,
      MIN(m.gap_ms) AS gap_ms, MIN(m.reason) AS reason
    FROM incident_merges m JOIN incidents i ON i.id = m.incident_id
    WHERE m.kind IN ('track-switch', 'same-track') AND i.status = 'open' AND i.reviewed_at IS NULL
      AND m.event_id <> m.incident_id
      AND EXISTS (SELECT 1 FROM events e WHERE e.id = m.event_id AND e.incident_id = m.incident_id)
      AND NOT EXISTS (SELECT 1 FROM incidents x WHERE x.id = m.event_id)
    GROUP BY m.incident_id, m.event_id;

  INSERT INTO incidents (id, site, camera, rule, rule_type, label, status, first_ts, last_ts, last_seen_ts, ended,
    confidence, box, details, evidence, event_count, fragments, fragments_ended, merge_group, last_track_id,
    created_at, updated_at)
  SELECT p.event_id, i.site, i.camera, i.rule, i.rule_type,
    (SELECT json_extract(e.payload, '$.label') FROM events e WHERE e.id = p.event_id ORDER BY e.ts, e.seq LIMIT 1),
    'open',
    (SELECT MIN(json_extract(e.payload, '$.startTs')) FROM events e WHERE e.id = p.event_id),
    (SELECT MAX(e.ts) FROM events e WHERE e.id = p.event_id),
    (SELECT MAX(COALESCE(json_extract(e.payload, '$.endTs'), e.ts)) FROM events e WHERE e.id = p.event_id),
    (SELECT COUNT(*) > 0 FROM events e WHERE e.id = p.event_id AND e.phase = 'end'),
    (SELECT MAX(json_extract(e.payload, '$.confidence')) FROM events e WHERE e.id = p.event_id),
    (SELECT json_extract(e.payload, '$.boxXyxyNorm') FROM events e WHERE e.id = p.event_id
      ORDER BY COALESCE(json_extract(e.payload, '$.endTs'), e.ts) DESC, e.seq DESC LIMIT 1),
    (SELECT json_extract(e.payload, '$.details') FROM events e WHERE e.id = p.event_id
      ORDER BY e.ts DESC, e.seq DESC LIMIT 1),
    (SELECT NULLIF(json_group_object(k, v), '{}') FROM (
      SELECT j.key AS k, j.value AS v, MIN(e.ts * 1000 + e.seq)
      FROM events e, json_each(e.payload, '$.evidence') j WHERE e.id = p.event_id GROUP BY j.key)),
    (SELECT COUNT(*) FROM events e WHERE e.id = p.event_id),
    1,
    (SELECT COUNT(*) FROM events e WHERE e.id = p.event_id AND e.phase = 'end'),
    i.merge_group,
    (SELECT e.track_id FROM events e WHERE e.id = p.event_id
      ORDER BY COALESCE(json_extract(e.payload, '$.endTs'), e.ts) DESC, e.seq DESC LIMIT 1),
    (SELECT MIN(e.received_at) FROM events e WHERE e.id = p.event_id),
    CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM unmerge_plan p JOIN incidents i ON i.id = p.from_id;

  UPDATE events SET incident_id = id WHERE id IN (SELECT event_id FROM unmerge_plan);

  DELETE FROM incident_merges WHERE rowid IN (SELECT merge_rowid FROM unmerge_plan);
  INSERT INTO incident_merges (incident_id, event_id, kind, gap_ms, distance, reason, created_at)
  SELECT from_id, event_id, 'unmerged', gap_ms, NULL,
    'event ' || event_id || ' had been merged here by position and time (' || kind || ': ' || reason ||
    '); the upgrade moved it to an incident of its own: central no longer merges different events by position',
    CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM unmerge_plan;
  INSERT INTO incident_merges (incident_id, event_id, kind, gap_ms, distance, reason, created_at)
  SELECT event_id, event_id, 'unmerged', gap_ms, NULL,
    'split out of incident ' || from_id || ', where it had been merged by position and time (' || kind ||
    '); central no longer merges different events by position',
    CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM unmerge_plan;

  UPDATE incidents SET
    first_ts = (SELECT MIN(json_extract(e.payload, '$.startTs')) FROM events e WHERE e.incident_id = incidents.id),
    last_ts = (SELECT MAX(e.ts) FROM events e WHERE e.incident_id = incidents.id),
    last_seen_ts = (SELECT MAX(COALESCE(json_extract(e.payload, '$.endTs'), e.ts)) FROM events e
      WHERE e.incident_id = incidents.id),
    box = (SELECT json_extract(e.payload, '$.boxXyxyNorm') FROM events e WHERE e.incident_id = incidents.id
      ORDER BY COALESCE(json_extract(e.payload, '$.endTs'), e.ts) DESC, e.seq DESC LIMIT 1),
    last_track_id = (SELECT e.track_id FROM events e WHERE e.incident_id = incidents.id
      ORDER BY COALESCE(json_extract(e.payload, '$.endTs'), e.ts) DESC, e.seq DESC LIMIT 1),
    confidence = (SELECT MAX(json_extract(e.payload, '$.confidence')) FROM events e WHERE e.incident_id = incidents.id),
    details = (SELECT json_extract(e.payload, '$.details') FROM events e WHERE e.incident_id = incidents.id
      ORDER BY e.ts DESC, e.seq DESC LIMIT 1),
    evidence = (SELECT NULLIF(json_group_object(k, v), '{}') FROM (
      SELECT j.key AS k, j.value AS v, MIN(e.ts * 1000 + e.seq)
      FROM events e, json_each(e.payload, '$.evidence') j WHERE e.incident_id = incidents.id GROUP BY j.key)),
    event_count = (SELECT COUNT(*) FROM events e WHERE e.incident_id = incidents.id),
    fragments = (SELECT COUNT(DISTINCT e.id) FROM events e WHERE e.incident_id = incidents.id),
    fragments_ended = (SELECT COUNT(*) FROM events e WHERE e.incident_id = incidents.id AND e.phase = 'end'),
    ended = (SELECT COUNT(DISTINCT e.id) <= COUNT(CASE WHEN e.phase = 'end' THEN 1 END) FROM events e
      WHERE e.incident_id = incidents.id),
    updated_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  WHERE id IN (SELECT from_id FROM unmerge_plan);

  DROP TABLE unmerge_plan;
  `,
  `
  -- Chain of custody (issue 16): version counts the changes to what the edge reported (1 = as created), so a
  -- verdict records the version the reviewer saw; late_messages counts messages that arrived after a verdict and
  -- were stored but not applied (a reviewed incident is frozen).
  ALTER TABLE incidents ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE incidents ADD COLUMN late_messages INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE events ADD COLUMN after_verdict INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- The event id and site of a quarantined payload when it parsed far enough to say, so an evidence upload for an
  -- event central refused is answered "never" (410) instead of "not yet" (409), and the box stops retrying it.
  ALTER TABLE quarantine ADD COLUMN event_id TEXT;
  ALTER TABLE quarantine ADD COLUMN site TEXT;
  CREATE INDEX quarantine_event ON quarantine (event_id) WHERE event_id IS NOT NULL;
  `,
];
