// Schema of the review workstation (area "review"): verdict details, soft locks, evidence notes, clip starts, scenes,
// camera views.
export const REVIEW_MIGRATIONS: readonly string[] = [
  `
  -- The incident version a verdict names is incidents.version (core migration 4, chain of custody): it counts the
  -- changes to what the edge reported, and a reviewed incident is frozen.
  CREATE INDEX incidents_reviewer_ts ON incidents (reviewed_by, first_ts DESC) WHERE reviewed_by IS NOT NULL;

  -- kind: verdict | undo. status_before: what an undo restores. final_at: when the verdict outlived its undo
  -- window and was handed to the forwarders (NULL while it can still be undone).
  ALTER TABLE reviews ADD COLUMN kind TEXT NOT NULL DEFAULT 'verdict';
  ALTER TABLE reviews ADD COLUMN reason TEXT;
  ALTER TABLE reviews ADD COLUMN override INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE reviews ADD COLUMN incident_version INTEGER;
  ALTER TABLE reviews ADD COLUMN status_before TEXT;
  ALTER TABLE reviews ADD COLUMN handling_ms INTEGER;
  ALTER TABLE reviews ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE reviews ADD COLUMN final_at INTEGER;
  UPDATE reviews SET final_at = created_at;
  CREATE INDEX reviews_pending_final ON reviews (created_at) WHERE final_at IS NULL;

  -- Soft locks: an incident a reviewer has open in work-queue mode is theirs until the lease expires.
  CREATE TABLE review_locks (
    incident_id TEXT PRIMARY KEY REFERENCES incidents(id),
    reviewer TEXT NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );

  -- Why an evidence file is missing: failed (the edge said so, with its reason) or expired (central's retention).
  CREATE TABLE evidence_notes (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  -- Wall-clock ms of a clip's first frame (MP4 tag written by the edge), for the frame-by-frame overlay.
  CREATE TABLE evidence_media (
    id TEXT PRIMARY KEY,
    start_ms INTEGER
  );

  -- Each distinct scene (names, zones, lines, rules) a camera reported, so an incident is drawn with the
  -- geometry in force when it happened.
  CREATE TABLE camera_scenes (
    site TEXT NOT NULL,
    camera TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    scene TEXT NOT NULL,
    PRIMARY KEY (site, camera, sha256)
  );
  CREATE INDEX camera_scenes_time ON camera_scenes (site, camera, received_at);
  `,
  `
  -- The newest view of each camera (one JPEG the edge sends every few minutes) for the cameras page; replaced,
  -- not kept: it is a live picture, not evidence.
  CREATE TABLE camera_views (
    site TEXT NOT NULL,
    camera TEXT NOT NULL,
    frame_ts INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    jpeg BLOB NOT NULL,
    PRIMARY KEY (site, camera)
  );
  `,
];
