// Core migration 4 on a database written before edge-stated identity: position/time fragments of open incidents are
// split into incidents of their own, reviewed incidents and camera-group fragments stay, and histories say so.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../central/store/database.ts';
import { IncidentStore } from '../../central/store/incident-store.ts';
import { CORE_MIGRATIONS } from '../../central/store/migrations.ts';
import type { MatthanEvent } from '../../contract/index.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';

const T0 = 1_763_712_000_000;

/** A version-2 database, filled the way the old store did: incidents, events and merge rows. */
function legacyDb(file: string) {
  const old = new Database(file);
  migrate(old, 'core', CORE_MIGRATIONS.slice(0, 2));
  const incident = (o: { id: string; camera: string; status?: string; fragments: number; events: number }) =>
    old
      .prepare(
        `INSERT INTO incidents (id, site, camera, rule, rule_type, label, status, first_ts, last_ts, last_seen_ts,
           ended, confidence, box, details, evidence, event_count, fragments, fragments_ended, merge_group,
           last_track_id, reviewed_by, reviewed_at, created_at, updated_at)
         VALUES (@id, 'hcmc-d1', @camera, 'red-light', 'red_light', 'car', @status, ${T0}, ${T0 + 20_000},
           ${T0 + 19_000}, 1, 0.95, '[0.5,0.5,0.6,0.6]', NULL, '{"snapshot":"merged_s"}', @events, @fragments,
           @fragments, @group, 99, @by, @at, ${T0}, ${T0 + 20_000})`,
      )
      .run({
        status: 'open',
        ...o,
        group: o.camera === 'cam-north' ? 'junction-7' : null,
        by: o.status && o.status !== 'open' ? 'reviewer-1' : null,
        at: o.status && o.status !== 'open' ? T0 + 60_000 : null,
      });
  const event = (incidentId: string, e: MatthanEvent) =>
    old
      .prepare(
        `INSERT INTO events (id, seq, incident_id, phase, site, camera, rule, track_id, ts, received_at, payload)
         VALUES (@id, @seq, @incidentId, @phase, @site, @camera, @rule, @trackId, @ts, @ts, @payload)`,
      )
      .run({ ...e, incidentId, trackId: e.trackId ?? null, payload: JSON.stringify(e) });
  const merge = (incidentId: string, eventId: string, kind: string) =>
    old
      .prepare(
        `INSERT INTO incident_merges (incident_id, event_id, kind, gap_ms, distance, reason, created_at)
         VALUES (?, ?, ?, 3000, 0.03, ?, ${T0})`,
      )
      .run(
        incidentId,
        eventId,
        kind,
        `track ? continues track ? on cam/red-light: 3000 ms after the last sighting`,
      );
  /** One instant red_light event: start then end, with its evidence ids. */
  const crossing = (id: string, camera: string, trackId: number, atS: number, confidence: number) => {
    const base = {
      id,
      camera,
      rule: 'red-light',
      ruleType: 'red_light' as const,
      trackId,
      label: 'car',
      startTs: T0 + atS * 1000,
      confidence,
      zone: undefined,
      details: { signal: 'red' as const },
    };
    return [
      sampleEvent({
        ...base,
        seq: 0,
        phase: 'start',
        ts: base.startTs,
        boxXyxyNorm: [0.5, 0.5, 0.6, 0.6 + trackId / 1000],
        evidence: { snapshot: `${id}_s`, clip: `${id}_c` },
      }),
      sampleEvent({
        ...base,
        seq: 1,
        phase: 'end',
        ts: base.startTs,
        endTs: base.startTs,
        boxXyxyNorm: [0.5, 0.5, 0.6, 0.6],
      }),
    ];
  };
  return { old, incident, event, merge, crossing };
}

describe('migration 4: unmerge position/time fragments', () => {
  it('splits them out of open incidents, keeps reviewed ones and camera-group fragments, records why', () => {
    const file = `${tempDir('matthan-unmerge-')}/central.sqlite`;
    const { old, incident, event, merge, crossing } = legacyDb(file);
    // Open: three cars merged by position (A opened it; B track-switch, C same-track), plus a grouped view G.
    incident({ id: 'evt_car_a_0001', camera: 'cam-north', fragments: 4, events: 8 });
    for (const e of crossing('evt_car_a_0001', 'cam-north', 11, 0, 0.7)) event('evt_car_a_0001', e);
    for (const e of crossing('evt_car_b_0001', 'cam-north', 12, 3, 0.9)) event('evt_car_a_0001', e);
    for (const e of crossing('evt_car_c_0001', 'cam-north', 12, 9, 0.8)) event('evt_car_a_0001', e);
    for (const e of crossing('evt_view_g_001', 'cam-east', 4, 0.5, 0.6)) event('evt_car_a_0001', e);
    merge('evt_car_a_0001', 'evt_car_b_0001', 'track-switch');
    merge('evt_car_a_0001', 'evt_car_c_0001', 'same-track');
    merge('evt_car_a_0001', 'evt_view_g_001', 'camera-group');
    // Confirmed by a reviewer: stays as decided.
    incident({ id: 'evt_car_r_0001', camera: 'cam-south', status: 'confirmed', fragments: 2, events: 4 });
    for (const e of crossing('evt_car_r_0001', 'cam-south', 30, 20, 0.8)) event('evt_car_r_0001', e);
    for (const e of crossing('evt_car_s_0001', 'cam-south', 31, 23, 0.8)) event('evt_car_r_0001', e);
    merge('evt_car_r_0001', 'evt_car_s_0001', 'track-switch');
    old.close();

    const db = openDatabase(file);
    const store = new IncidentStore(db);
    const ids = store
      .list({ limit: 100, offset: 0 })
      .items.map((i) => i.id)
      .sort();
    expect(ids).toEqual(['evt_car_a_0001', 'evt_car_b_0001', 'evt_car_c_0001', 'evt_car_r_0001'].sort());

    const a = store.detail('evt_car_a_0001')!;
    expect(new Set(a.events.map((e) => e.id))).toEqual(new Set(['evt_car_a_0001', 'evt_view_g_001']));
    expect([a.fragments, a.eventCount, a.ended, a.status]).toEqual([2, 4, true, 'open']);
    expect(a.lastSeenTs).toBe(T0 + 500); // G's end; B (3 s) and C (9 s) are gone
    expect(a.confidence).toBe(0.7);
    expect(a.evidence).toEqual({ snapshot: 'evt_car_a_0001_s', clip: 'evt_car_a_0001_c' });
    expect(a.merges.map((m) => [m.eventId, m.kind])).toEqual([
      ['evt_view_g_001', 'camera-group'],
      ['evt_car_b_0001', 'unmerged'],
      ['evt_car_c_0001', 'unmerged'],
    ]);
    expect(a.merges[1]!.reason).toContain('no longer merges different events by position');
    expect(a.merges[1]!.reason).toContain('track-switch');

    for (const [id, confidence] of [
      ['evt_car_b_0001', 0.9],
      ['evt_car_c_0001', 0.8],
    ] as const) {
      const b = store.detail(id)!;
      expect(b.events.map((e) => e.id)).toEqual([id, id]);
      expect([b.fragments, b.eventCount, b.ended, b.status, b.camera, b.label]).toEqual([
        1,
        2,
        true,
        'open',
        'cam-north',
        'car',
      ]);
      expect(b.confidence).toBe(confidence);
      expect(b.evidence).toEqual({ snapshot: `${id}_s`, clip: `${id}_c` });
      expect(b.firstTs).toBe(b.events[0]!.startTs);
      expect(b.group).toBe('junction-7');
      expect(store.get(id)!.boxXyxyNorm).toEqual([0.5, 0.5, 0.6, 0.6]);
      expect(b.merges.map((m) => [m.eventId, m.kind])).toEqual([[id, 'unmerged']]);
      expect(b.merges[0]!.reason).toContain('split out of incident evt_car_a_0001');
    }

    const r = store.detail('evt_car_r_0001')!;
    expect([r.fragments, r.status]).toEqual([2, 'confirmed']);
    expect(r.merges.map((m) => m.kind)).toEqual(['track-switch']);

    // Re-opening runs nothing again, and new events still land.
    db.close();
    const again = new IncidentStore(openDatabase(file));
    expect(again.count()).toBe(4);
    expect(again.ingest(sampleEvent({ id: 'evt_after_0001' })).stored).toBe(true);
    expect(again.count()).toBe(5);
  });

  it('an empty database and one without position merges migrate to nothing changed', () => {
    const file = `${tempDir('matthan-unmerge-')}/central.sqlite`;
    const { old, incident, event, crossing } = legacyDb(file);
    incident({ id: 'evt_alone_0001', camera: 'cam-a', fragments: 1, events: 2 });
    for (const e of crossing('evt_alone_0001', 'cam-a', 5, 0, 0.8)) event('evt_alone_0001', e);
    old.close();
    const store = new IncidentStore(openDatabase(file));
    expect(store.count()).toBe(1);
    expect(store.detail('evt_alone_0001')!.merges).toEqual([]);
    expect(new IncidentStore(openDatabase(':memory:')).count()).toBe(0);
  });
});
