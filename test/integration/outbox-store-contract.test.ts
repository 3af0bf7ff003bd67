// The OutboxStore contract: every implementation (SQLite file, SQLite in memory, plain memory) passes the same suite.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryOutboxStore } from '../../edge/outbox/memory-outbox-store.ts';
import type { OutboxStore } from '../../edge/outbox/outbox-store.ts';
import { SqliteOutboxStore } from '../../edge/outbox/sqlite-outbox-store.ts';
import { tempDir } from '../helpers/fixtures.ts';

const implementations: [string, () => OutboxStore][] = [
  [
    'SqliteOutboxStore (file)',
    () => new SqliteOutboxStore(path.join(tempDir('matthan-outbox-'), 'o.sqlite')),
  ],
  ['SqliteOutboxStore (:memory:)', () => new SqliteOutboxStore(':memory:')],
  ['MemoryOutboxStore', () => new MemoryOutboxStore()],
];

describe.each(implementations)('OutboxStore contract: %s', (_name, create) => {
  let store: OutboxStore;
  afterEach(() => store?.close());

  it('replays messages in enqueue order with increasing seq and deletes them on ack', () => {
    store = create();
    const seqs = ['a', 'b', 'c', 'd'].map(
      (p, i) => store.enqueue({ topic: `t/${p}`, payload: p }, 100 + i).seq,
    );
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(4);
    expect(store.peek(10).map((m) => m.payload)).toEqual(['a', 'b', 'c', 'd']);
    expect(store.peek(2).map((m) => m.payload)).toEqual(['a', 'b']);
    expect(store.peek(10, seqs[1]).map((m) => m.payload)).toEqual(['c', 'd']);
    expect(store.ack(seqs[1]!)).toBe(true);
    expect(store.ack(seqs[1]!)).toBe(false);
    expect(store.peek(10).map((m) => m.payload)).toEqual(['a', 'c', 'd']);
    const m = store.peek(1)[0]!;
    expect(m).toMatchObject({ topic: 't/a', qos: 1, retain: false, createdMs: 100 });
  });

  it('never reuses a seq after the newest message is acknowledged', () => {
    store = create();
    const first = store.enqueue({ topic: 't', payload: '1' }, 1).seq;
    store.ack(first);
    const second = store.enqueue({ topic: 't', payload: '2' }, 2).seq;
    expect(second).toBeGreaterThan(first);
  });

  it('deletes an event message by its (event id, seq) key, once, and leaves the others', () => {
    store = create();
    const a = store.enqueue({ topic: 't', payload: 'a', key: { id: 'evt_aaaaaaaa', seq: 0 } }, 1).seq;
    const b = store.enqueue({ topic: 't', payload: 'b', key: { id: 'evt_aaaaaaaa', seq: 1 } }, 2).seq;
    const plain = store.enqueue({ topic: 't', payload: 'p' }, 3).seq;
    const c = store.enqueue({ topic: 't', payload: 'c', key: { id: 'evt_bbbbbbbb', seq: 0 } }, 4).seq;
    expect(store.peek(10).map((m) => m.key)).toEqual([
      { id: 'evt_aaaaaaaa', seq: 0 },
      { id: 'evt_aaaaaaaa', seq: 1 },
      undefined,
      { id: 'evt_bbbbbbbb', seq: 0 },
    ]);
    expect(store.ackKey({ id: 'evt_aaaaaaaa', seq: 1 })).toBe(b);
    expect(store.ackKey({ id: 'evt_aaaaaaaa', seq: 1 })).toBeUndefined(); // a repeated ack
    expect(store.ackKey({ id: 'evt_cccccccc', seq: 0 })).toBeUndefined(); // another box's event
    expect(store.ackKey({ id: 'evt_bbbbbbbb', seq: 1 })).toBeUndefined(); // same id, other seq
    expect(store.peek(10).map((m) => m.seq)).toEqual([a, plain, c]);
    // Deleting by seq (broker mode) forgets the key too.
    expect(store.ack(c)).toBe(true);
    expect(store.ackKey({ id: 'evt_bbbbbbbb', seq: 0 })).toBeUndefined();
    expect(store.usage().messages).toBe(2);
  });

  it('keeps qos and retain flags', () => {
    store = create();
    store.enqueue({ topic: 't', payload: 'x', qos: 0, retain: true }, 1);
    expect(store.peek(1)[0]).toMatchObject({ qos: 0, retain: true });
  });

  it('tracks evidence from pending to ready to removed, idempotently by id', () => {
    store = create();
    store.addEvidence(
      {
        id: 'ev_00000001',
        eventId: 'e1',
        camera: 'c',
        kind: 'clip',
        contentType: 'video/mp4',
        job: '{"x":1}',
      },
      10,
    );
    store.addEvidence(
      { id: 'ev_00000001', eventId: 'OTHER', camera: 'c', kind: 'clip', contentType: 'video/mp4' },
      11,
    );
    expect(store.pendingEvidence(10)).toHaveLength(1);
    expect(store.pendingEvidence(10)[0]).toMatchObject({
      eventId: 'e1',
      state: 'pending',
      bytes: 0,
      job: '{"x":1}',
    });
    expect(store.dueEvidence(1e15, 10)).toEqual([]);
    store.markEvidenceReady('ev_00000001', '/tmp/x.mp4', 1234);
    expect(store.pendingEvidence(10)).toEqual([]);
    expect(store.dueEvidence(0, 10).map((e) => e.id)).toEqual(['ev_00000001']);
    expect(store.getEvidence('ev_00000001')).toMatchObject({
      state: 'ready',
      file: '/tmp/x.mp4',
      bytes: 1234,
    });
    expect(store.removeEvidence('ev_00000001')?.file).toBe('/tmp/x.mp4');
    expect(store.removeEvidence('ev_00000001')).toBeUndefined();
    expect(store.getEvidence('ev_00000001')).toBeUndefined();
  });

  it('defers failed uploads until their next attempt time, counting attempts', () => {
    store = create();
    store.addEvidence(
      {
        id: 'ev_a0000000',
        eventId: 'e',
        camera: 'c',
        kind: 'snapshot',
        contentType: 'image/jpeg',
        file: '/f',
        bytes: 5,
      },
      1,
    );
    store.addEvidence(
      {
        id: 'ev_b0000000',
        eventId: 'e',
        camera: 'c',
        kind: 'snapshot',
        contentType: 'image/jpeg',
        file: '/g',
        bytes: 5,
      },
      2,
    );
    store.deferEvidence('ev_a0000000', 1000, 'HTTP 503');
    expect(store.dueEvidence(999, 10).map((e) => e.id)).toEqual(['ev_b0000000']);
    expect(store.dueEvidence(1000, 10).map((e) => e.id)).toEqual(['ev_a0000000', 'ev_b0000000']);
    expect(store.getEvidence('ev_a0000000')).toMatchObject({
      attempts: 1,
      lastError: 'HTTP 503',
      nextAttemptMs: 1000,
    });
  });

  it('trims ready evidence oldest-first to fit the quota and never drops a message', () => {
    store = create();
    for (let i = 0; i < 10; i++) store.enqueue({ topic: 't', payload: 'x'.repeat(99) }, i); // 100 B each
    for (let i = 0; i < 5; i++)
      store.addEvidence(
        {
          id: `ev_${i}0000000`,
          eventId: `e${i}`,
          camera: 'c',
          kind: 'clip',
          contentType: 'video/mp4',
          file: `/f${i}`,
          bytes: 1000,
        },
        100 + i,
      );
    store.addEvidence(
      { id: 'ev_pending0', eventId: 'e9', camera: 'c', kind: 'clip', contentType: 'video/mp4' },
      50,
    );
    expect(store.usage()).toMatchObject({
      messages: 10,
      messageBytes: 1000,
      evidence: 6,
      evidenceBytes: 5000,
    });
    const removed = store.trimEvidence(3500);
    expect(removed.map((e) => e.id)).toEqual(['ev_00000000', 'ev_10000000', 'ev_20000000']);
    expect(removed.map((e) => e.file)).toEqual(['/f0', '/f1', '/f2']);
    const u = store.usage();
    expect(u.messages).toBe(10);
    expect(u.messageBytes + u.evidenceBytes).toBeLessThanOrEqual(3500);
    expect(store.getEvidence('ev_pending0')?.state).toBe('pending'); // nothing to trim before it is captured
    // A quota smaller than the events alone: every ready file goes, every event stays.
    store.trimEvidence(10);
    expect(store.usage()).toMatchObject({ messages: 10, evidence: 1 });
  });

  it('reports size and age of what waits', () => {
    store = create();
    expect(store.usage()).toEqual({ messages: 0, messageBytes: 0, evidence: 0, evidenceBytes: 0 });
    store.enqueue({ topic: 'ab', payload: 'héllo' }, 500);
    store.enqueue({ topic: 'ab', payload: 'x' }, 700);
    store.addEvidence(
      {
        id: 'ev_c0000000',
        eventId: 'e',
        camera: 'c',
        kind: 'snapshot',
        contentType: 'image/jpeg',
        file: '/f',
        bytes: 42,
      },
      300,
    );
    expect(store.usage()).toEqual({
      messages: 2,
      messageBytes: 2 + 6 + 2 + 1, // UTF-8 bytes of topic + payload
      oldestMessageMs: 500,
      evidence: 1,
      evidenceBytes: 42,
      oldestEvidenceMs: 300,
    });
  });
});

describe('SqliteOutboxStore durability', () => {
  it('keeps unacknowledged messages and evidence across a reopen, and keeps seq increasing', () => {
    const file = path.join(tempDir('matthan-outbox-'), 'o.sqlite');
    const a = new SqliteOutboxStore(file);
    const s1 = a.enqueue({ topic: 't', payload: '1' }, 1).seq;
    const s2 = a.enqueue({ topic: 't', payload: '2' }, 2).seq;
    a.ack(s2);
    a.addEvidence(
      { id: 'ev_d0000000', eventId: 'e', camera: 'c', kind: 'clip', contentType: 'video/mp4', job: '{}' },
      3,
    );
    a.close();
    const b = new SqliteOutboxStore(file);
    expect(b.peek(10).map((m) => m.seq)).toEqual([s1]);
    expect(b.enqueue({ topic: 't', payload: '3' }, 4).seq).toBeGreaterThan(s2);
    expect(b.pendingEvidence(10).map((e) => e.id)).toEqual(['ev_d0000000']);
    b.close();
  });
});

describe('SqliteOutboxStore upgrade', () => {
  it('gives event rows queued by the previous schema their (id, seq) key from the payload', () => {
    const file = path.join(tempDir('matthan-outbox-'), 'o.sqlite');
    // The first schema as shipped, with one event and one status row queued.
    const old = new Database(file);
    old.exec(`CREATE TABLE messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload TEXT NOT NULL,
      qos INTEGER NOT NULL, retain INTEGER NOT NULL, created_ms INTEGER NOT NULL);
      CREATE TABLE evidence (id TEXT PRIMARY KEY, event_id TEXT NOT NULL, camera TEXT NOT NULL, kind TEXT NOT NULL,
      content_type TEXT NOT NULL, state TEXT NOT NULL, file TEXT, bytes INTEGER NOT NULL DEFAULT 0,
      created_ms INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL DEFAULT 0,
      last_error TEXT, job TEXT);
      PRAGMA user_version = 1;`);
    const insert = old.prepare(
      'INSERT INTO messages (topic, payload, qos, retain, created_ms) VALUES (?, ?, 1, 0, 1)',
    );
    insert.run(
      'matthan/v1/s1/cam-1/events',
      JSON.stringify({ schemaVersion: 1, id: 'evt_old00001', seq: 3 }),
    );
    insert.run('matthan/v1/s1/cam-1/events', '{not json');
    insert.run('matthan/v1/s1/cam-1/status', JSON.stringify({ schemaVersion: 1, site: 's1' }));
    old.close();
    const store = new SqliteOutboxStore(file);
    try {
      expect(store.peek(10).map((m) => m.key)).toEqual([
        { id: 'evt_old00001', seq: 3 },
        undefined,
        undefined,
      ]);
      expect(store.ackKey({ id: 'evt_old00001', seq: 3 })).toBe(1);
    } finally {
      store.close();
    }
  });
});
