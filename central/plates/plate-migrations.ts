// Schema of the plates area: each incident's machine read and its current correction, and every correction made.
export const PLATE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE incident_plates (
    incident_id TEXT PRIMARY KEY REFERENCES incidents(id),
    machine_text TEXT,
    machine_compact TEXT,
    machine_confidence REAL NOT NULL,
    machine_colour TEXT NOT NULL,
    machine_kind TEXT,
    machine_reads INTEGER NOT NULL,
    machine_event_id TEXT NOT NULL,
    machine_ts INTEGER NOT NULL,
    crop_id TEXT,
    corrected_text TEXT,
    corrected_compact TEXT,
    corrected_colour TEXT,
    corrected_by TEXT,
    corrected_at INTEGER,
    corrected_note TEXT,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX incident_plates_machine ON incident_plates (machine_compact) WHERE machine_compact IS NOT NULL;
  CREATE INDEX incident_plates_corrected ON incident_plates (corrected_compact) WHERE corrected_compact IS NOT NULL;

  CREATE TABLE plate_corrections (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    text TEXT NOT NULL,
    colour TEXT NOT NULL,
    previous_text TEXT,
    corrector TEXT NOT NULL,
    note TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX plate_corrections_incident ON plate_corrections (incident_id);
  `,
];
