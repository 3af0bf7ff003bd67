// Central's MQTT connection: credentials, TLS files and a client id nobody can guess, kept across restarts.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { CentralConfig } from '../config/schema.ts';
import { type Db, migrate } from '../store/database.ts';

const SETTINGS_MIGRATIONS: readonly string[] = [
  'CREATE TABLE broker_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);',
];

/**
 * broker.clientId, else `{username}.{16 random hex}` made once and kept in the database: stable, so the
 * persistent session (QoS 1 messages queued while central restarts) survives restarts, and unguessable, so no
 * client can connect under it to take that session over (the brokers also bind ids to users).
 */
export function centralClientId(db: Db, broker: CentralConfig['broker']): string {
  if (broker.clientId) return broker.clientId;
  migrate(db, 'broker', SETTINGS_MIGRATIONS);
  const key = `clientId:${broker.username}`;
  const row = db
    .prepare<[string], { value: string }>('SELECT value FROM broker_settings WHERE key = ?')
    .get(key);
  if (row) return row.value;
  const id = `${broker.username}.${randomBytes(8).toString('hex')}`;
  db.prepare('INSERT INTO broker_settings (key, value) VALUES (?, ?)').run(key, id);
  return id;
}

/** TLS material for mqtts:// and wss:// (a private CA, a client certificate and its key), read at start. */
export function tlsFileOptions(files: {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}): Pick<IClientOptions, 'ca' | 'cert' | 'key'> {
  const read = (f: string | undefined) => (f === undefined ? undefined : readFileSync(f));
  return { ca: read(files.caFile), cert: read(files.certFile), key: read(files.keyFile) };
}
