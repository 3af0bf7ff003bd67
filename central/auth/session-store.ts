// Server-side sessions of the review page: a random id in the cookie, its digest in SQLite, expiry and revocation.
import { createHash, randomBytes } from 'node:crypto';
import { type Db, migrate } from '../store/database.ts';
import type { Principal, TokenRegistry } from './token-registry.ts';

export const SESSION_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    id_digest TEXT PRIMARY KEY,
    token_digest TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE INDEX sessions_expires ON sessions (expires_at);
  `,
];

/** 32 random bytes: a session id is as hard to guess as a 256-bit key. */
const SESSION_ID_BYTES = 32;

const digest = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

export interface StartedSession {
  /** Goes into the cookie; only its digest is stored, so a copy of the database holds no live session. */
  id: string;
  principal: Principal;
  expiresAt: number;
}

interface Row {
  token_digest: string;
  expires_at: number;
  revoked_at: number | null;
}

export class SessionStore {
  private readonly q;

  constructor(
    db: Db,
    private readonly tokens: TokenRegistry,
    readonly maxAgeMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {
    migrate(db, 'sessions', SESSION_MIGRATIONS);
    this.q = {
      insert: db.prepare(
        'INSERT INTO sessions (id_digest, token_digest, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      ),
      get: db.prepare<[string], Row>(
        'SELECT token_digest, expires_at, revoked_at FROM sessions WHERE id_digest = ?',
      ),
      revoke: db.prepare<[number, string]>(
        'UPDATE sessions SET revoked_at = ? WHERE id_digest = ? AND revoked_at IS NULL',
      ),
      // Keep revoked and expired rows a day for the record, then drop them.
      purge: db.prepare<[number]>('DELETE FROM sessions WHERE expires_at < ?'),
    };
  }

  /** Opens a session for the holder of a token; undefined when the token is unknown. */
  start(tokenDigest: string): StartedSession | undefined {
    const principal = this.tokens.lookupDigest(tokenDigest);
    if (!principal) return undefined;
    const now = this.nowMs();
    this.q.purge.run(now - 24 * 3600_000);
    const id = randomBytes(SESSION_ID_BYTES).toString('base64url');
    const expiresAt = now + this.maxAgeMs;
    this.q.insert.run(digest(id), tokenDigest, principal.name, now, expiresAt);
    return { id, principal, expiresAt };
  }

  /**
   * The principal of a live session: known id, not revoked, not expired, and its token still configured
   * (removing a token from the config ends its sessions at the next restart).
   */
  lookup(id: string | undefined): Principal | undefined {
    if (!id || id.length > 128) return undefined;
    const row = this.q.get.get(digest(id));
    if (!row || row.revoked_at !== null || row.expires_at <= this.nowMs()) return undefined;
    return this.tokens.lookupDigest(row.token_digest);
  }

  /** Ends a session (logout); true when it was live. */
  revoke(id: string | undefined): boolean {
    if (!id || id.length > 128) return false;
    return this.q.revoke.run(this.nowMs(), digest(id)).changes > 0;
  }
}
