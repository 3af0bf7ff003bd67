// Forwarding schema migrations (area 'forward'): the outbox and the per-incident message state; append only.
export const FORWARD_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE forward_outbox (
    id TEXT PRIMARY KEY,               -- message id: {forwarderId}.{incidentId}.{seq}; the idempotency key
    forwarder_id TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,                -- alert | update | cancel
    content_type TEXT NOT NULL,
    body TEXT NOT NULL,                -- rendered once; every attempt sends these bytes
    state TEXT NOT NULL,               -- pending | delivered | dead
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_attempt_at INTEGER,
    last_error TEXT,
    last_status INTEGER,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER,
    UNIQUE (forwarder_id, incident_id, seq)
  );
  CREATE INDEX forward_outbox_due ON forward_outbox (forwarder_id, state, next_attempt_at);
  CREATE INDEX forward_outbox_state ON forward_outbox (state, created_at);

  CREATE TABLE forward_state (
    forwarder_id TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    cancelled INTEGER NOT NULL DEFAULT 0,
    sent TEXT NOT NULL,                -- JSON [{messageId, sentMs}] for CAP <references>
    PRIMARY KEY (forwarder_id, incident_id)
  );
  `,
  // 2: messages that could not be built (a renderer threw) or written are dead letters too, marked by their failure.
  `
  ALTER TABLE forward_outbox ADD COLUMN failure TEXT;  -- NULL: a sendable message; 'build' or 'enqueue': none was made
  `,
];
