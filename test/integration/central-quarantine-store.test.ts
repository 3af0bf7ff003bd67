// The quarantine table on a real SQLite file: payloads and reasons kept, capped per payload and in rows.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../central/store/database.ts';
import { QuarantineStore } from '../../central/store/quarantine-store.ts';
import { tempDir } from '../helpers/fixtures.ts';

describe('QuarantineStore', () => {
  it('keeps the newest rows once above the cap, pruning in steps of 1000 inserts', () => {
    const db = openDatabase(path.join(tempDir('matthan-quarantine-'), 'central.sqlite'));
    try {
      const store = new QuarantineStore(db, 50);
      for (let i = 0; i < 2_500; i++)
        store.add(`matthan/v1/s/c${i}/events`, Buffer.from(`{bad ${i}`), `reason ${i}`);
      // Pruned to 50 at the 1000th and 2000th insert, then 500 more.
      expect(store.count()).toBe(550);
      const newest = store.list(1)[0]!;
      expect(newest).toMatchObject({
        topic: 'matthan/v1/s/c2499/events',
        reason: 'reason 2499',
        payload: '{bad 2499',
      });
      expect(store.list(1, 549)[0]!.reason).toBe('reason 1950');
    } finally {
      db.close();
    }
  });

  it('caps what one payload and one reason may take', () => {
    const db = openDatabase(path.join(tempDir('matthan-quarantine-'), 'central.sqlite'));
    try {
      const store = new QuarantineStore(db);
      store.add('t', Buffer.alloc(1_000_000, 0x61), 'r'.repeat(10_000));
      const row = store.list(1)[0]!;
      expect(row.payload).toHaveLength(16_384);
      expect(row.reason).toHaveLength(2_000);
    } finally {
      db.close();
    }
  });
});
