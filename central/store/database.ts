// Opens the SQLite database (WAL, foreign keys, busy timeout) and applies pending migrations.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PLATE_MIGRATIONS } from '../plates/plate-migrations.ts';
import { CORE_MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL'); // WAL + NORMAL: durable across process crashes, fsync at checkpoints
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // 64 MB of page cache (default 2 MB): the ingest touches the events and incidents indexes on every message,
  // and re-reading their pages through the OS costs more than the memory on a central server.
  db.pragma('cache_size = -65536');
  // Checkpoint (copy the WAL into the main file, with fsync) every ~40 MB instead of every ~4 MB: ingest bursts
  // stay append-only; the cost is a larger -wal file and slightly slower reads while it is long.
  db.pragma('wal_autocheckpoint = 10000');
  migrate(db, 'core', CORE_MIGRATIONS);
  // Plate search is a filter of the incident list, so its tables exist wherever incidents do.
  migrate(db, 'plates', PLATE_MIGRATIONS);
  return db;
}

/**
 * Applies the pending migrations of one area (core, evidence, forward, ...), each in its own transaction.
 * Areas version independently in schema_migrations, so each module owns its tables and migrations.
 */
export function migrate(db: Db, area: string, migrations: readonly string[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (area TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_migrations WHERE area = ?').get(area) as
    | { version: number }
    | undefined;
  for (let v = row?.version ?? 0; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.prepare(
        'INSERT INTO schema_migrations (area, version) VALUES (?, ?) ON CONFLICT (area) DO UPDATE SET version = excluded.version',
      ).run(area, v + 1);
    })();
  }
}
