// Ingest migration 2 on a real SQLite file: timestamps an older central stored out of the contract's range take
// the time central received the message, in the incident and in each stored event; sane ones are untouched.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InflightMarkers } from '../../central/ingest/inflight-markers.ts';
import { openDatabase } from '../../central/store/database.ts';
import { IncidentStore } from '../../central/store/incident-store.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';

const RECEIVED = Date.parse('2026-11-30T10:00:00Z');
const SANE = Date.parse('2026-11-30T09:59:00Z');

describe('ingest migration 2: out-of-range timestamps repaired', () => {
  it.each([
    ['ts 1e300', 1e300, RECEIVED],
    ['ts 9e15', 9e15, RECEIVED],
    ['negative ts', -5, RECEIVED],
    ['ts 0', 0, RECEIVED],
    ['a fraction', SANE + 0.5, RECEIVED],
    ['a sane ts', SANE, SANE],
  ])('%s -> %s', (_n, ts, expected) => {
    const file = path.join(tempDir('matthan-ts-repair-'), 'central.sqlite');
    const old = openDatabase(file);
    const store = new IncidentStore(old);
    store.ingest(sampleEvent({ id: 'evt_repair_00001', ts, startTs: ts }), RECEIVED);
    store.ingest(
      sampleEvent({
        id: 'evt_repair_00001',
        seq: 1,
        phase: 'end',
        ts,
        startTs: ts,
        endTs: ts,
        best: { ts, confidence: 0.9, boxXyxyNorm: [0.1, 0.1, 0.2, 0.2] },
      }),
      RECEIVED,
    );
    old.close();

    const db = openDatabase(file);
    new InflightMarkers(db); // runs the ingest migrations, as central's start does
    const inc = new IncidentStore(db).detail('evt_repair_00001')!;
    expect([inc.firstTs, inc.lastTs, inc.lastSeenTs]).toEqual([expected, expected, expected]);
    for (const e of inc.events) {
      expect([e.ts, e.startTs]).toEqual([expected, expected]);
      if (e.phase === 'end') expect([e.endTs, e.best?.ts]).toEqual([expected, expected]);
    }
    db.close();
  });
});
