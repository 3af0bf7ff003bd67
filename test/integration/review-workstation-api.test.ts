// The review workstation's API on a real central (SQLite, embedded broker, HTTP): verdicts bound to a version
// (409 after a new event), reject reasons and the evidence override (422), soft locks and their expiry, the work
// queue under two reviewers, undo rules, forwarders told only after the undo window (and never of an undone
// verdict), evidence states, camera scenes in force at an incident's time, review statistics.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { ReviewLocks } from '../../central/reviews/review-locks.ts';
import { CameraSceneStore } from '../../central/store/camera-scene-store.ts';
import { openDatabase } from '../../central/store/database.ts';
import { type MatthanEvent, Topics } from '../../contract/index.ts';
import { CentralNotices } from '../../edge/publish/central-notices.ts';
import { logger } from '../../lib/log.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';

const creds = new TestCredentials();
const T = {
  r1: creds.person('reviewer', 'reviewer-1'),
  r2: creds.person('reviewer', 'reviewer-2'),
  viewer: creds.person('viewer', 'viewer'),
  edge: creds.box('hcmc-d1', 'edge'),
  other: creds.box('da-nang', 'edge-da-nang'),
};
const poll = <V>(fn: () => V | Promise<V>) => expect.poll(fn, { timeout: 10_000 });

describe('review workstation API', () => {
  const dir = tempDir('matthan-review-api-');
  let central: CentralHandle;
  const forwarded: [string, string][] = [];
  const now = Date.now();
  // Far apart in time and on different cameras: never merged.
  const events: MatthanEvent[] = Array.from({ length: 8 }, (_, i) =>
    sampleEvent({
      id: `evt_review_api_${i}`,
      camera: `cam-0${i}`,
      ruleType: 'red_light',
      ts: now - (10 - i) * 60_000,
      startTs: now - (10 - i) * 60_000,
      evidence: { snapshot: `evt_review_api_${i}_s`, clip: `evt_review_api_${i}_v` },
    }),
  );
  const ids = events.map((e) => e.id);

  const call = async (who: keyof typeof T, method: string, url: string, body?: unknown) => {
    const res = await central.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${T[who].token}` },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return { status: res.statusCode, json: res.body ? JSON.parse(res.body) : undefined };
  };
  const detail = async (id: string) => (await call('viewer', 'GET', `/api/incidents/${id}`)).json;
  const upload = (id: string, type: string) =>
    central.app.inject({
      method: 'PUT',
      url: `/api/evidence/${id}`,
      headers: { authorization: `Bearer ${T.edge.token}`, 'content-type': type },
      payload: Buffer.from(`bytes of ${id}`),
    });

  beforeAll(async () => {
    central = await startCentral(
      defaultCentralConfig({
        http: { host: '127.0.0.1', port: 0 },
        ...creds.central(),
        broker: { ...creds.central().broker, url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
        database: { path: path.join(dir, 'central.sqlite') },
        evidence: { dir: path.join(dir, 'evidence'), retentionDays: 0, maxBytes: 0 },
        review: { undoWindowS: 1, lockLeaseS: 60, evidencePendingMaxS: 1800, timezone: 'Asia/Ho_Chi_Minh' },
      }),
    );
    central.reviews.onVerdict((inc, verdict) => forwarded.push([inc.id, verdict]));
    for (const e of events)
      expect(central.ingest.handle(Topics.events(e.site, e.camera), Buffer.from(JSON.stringify(e)))).toBe(
        'stored',
      );
    for (const id of ids.slice(0, 6)) {
      expect((await upload(`${id}_s`, 'image/jpeg')).statusCode).toBe(201);
      expect((await upload(`${id}_v`, 'video/mp4')).statusCode).toBe(201);
    }
  });

  afterAll(async () => {
    await central?.stop();
  });

  it('a verdict names the version on screen: after a new event of the incident it is refused with 409 and the new incident', async () => {
    const d = await detail(ids[0]!);
    const e = events[0]!;
    central.ingest.handle(
      Topics.events(e.site, e.camera),
      Buffer.from(JSON.stringify({ ...e, seq: 1, phase: 'update', ts: e.ts + 500 })),
    );
    const stale = await call('r1', 'POST', `/api/incidents/${ids[0]}/review`, {
      verdict: 'confirmed',
      version: d.version,
    });
    expect(stale.status).toBe(409);
    expect(stale.json.incident.version).toBeGreaterThan(d.version);
    const fresh = await call('r1', 'POST', `/api/incidents/${ids[0]}/review`, {
      verdict: 'confirmed',
      version: stale.json.incident.version,
    });
    expect(fresh.status).toBe(200);
  });

  it.each([
    [{ verdict: 'rejected' }, 422, 'reason_required'],
    [{ verdict: 'rejected', reason: 'other' }, 422, 'note_required'],
    [{ verdict: 'rejected', reason: 'maybe' }, 400, 'bad_request'],
    [{ verdict: 'confirmed', reason: 'duplicate' }, 422, 'reason_invalid'],
  ])('refuses %j with %i %s', async (body, status, code) => {
    const r = await call('r1', 'POST', `/api/incidents/${ids[1]}/review`, body);
    expect(r.status).toBe(status);
    expect(r.json.error).toBe(code);
  });

  it('confirming an incident without its files needs the override and a note', async () => {
    const id = ids[6]!; // nothing uploaded
    expect((await detail(id)).evidenceStatus.clip.state).toBe('pending');
    expect(
      (await call('r1', 'POST', `/api/incidents/${id}/review`, { verdict: 'confirmed' })).json.error,
    ).toBe('evidence_missing');
    expect(
      (await call('r1', 'POST', `/api/incidents/${id}/review`, { verdict: 'confirmed', override: true })).json
        .error,
    ).toBe('evidence_missing');
    const ok = await call('r1', 'POST', `/api/incidents/${id}/review`, {
      verdict: 'confirmed',
      override: true,
      note: 'xem trực tiếp',
    });
    expect(ok.status).toBe(200);
    expect((await detail(id)).reviews.at(-1)).toMatchObject({ override: true, note: 'xem trực tiếp' });
  });

  it('evidence says why it is missing: the edge reports a failure, central records expiry', async () => {
    const id = ids[7]!;
    expect(
      (
        await call('edge', 'POST', `/api/evidence/${id}_v/failure`, {
          reason: 'capture failed: no ring segments',
        })
      ).status,
    ).toBe(204);
    await poll(async () => (await detail(id)).evidenceStatus.clip).toMatchObject({
      state: 'failed',
      reason: 'capture failed: no ring segments',
    });
    // A failure notice for a file central already has changes nothing.
    expect((await call('edge', 'POST', `/api/evidence/${ids[2]}_v/failure`, { reason: 'late' })).status).toBe(
      204,
    );
    expect((await detail(ids[2]!)).evidenceStatus.clip.state).toBe('available');
    expect((await call('viewer', 'POST', `/api/evidence/${id}_v/failure`, { reason: 'x' })).status).toBe(403);
    // Like uploads, only the site whose event named the file may explain it; an id nobody named is refused.
    expect((await call('other', 'POST', `/api/evidence/${ids[6]}_v/failure`, { reason: 'x' })).status).toBe(
      403,
    );
    expect(
      (await call('edge', 'POST', '/api/evidence/never-named-0001_v/failure', { reason: 'x' })).status,
    ).toBe(409);
    expect((await detail(ids[6]!)).evidenceStatus.clip.state).not.toBe('failed');
  });

  it("the edge's notices reach central over HTTP: a scene, and a capture failure with its reason", async () => {
    const notices = new CentralNotices({ centralUrl: central.url, token: T.edge.token }, logger('test'));
    notices.evidenceFailed(`${ids[7]}_s`, 'capture failed: ffmpeg exited 1');
    notices.scene('hcmc-d1', 'cam-07', {
      name: 'Ngã tư thử',
      zones: [],
      lines: [
        {
          id: 'stop',
          name: 'Vạch dừng',
          points: [
            [0, 0.6],
            [1, 0.6],
          ],
        },
      ],
      rules: [{ id: 'rl', type: 'red_light', line: 'stop' }],
    });
    await notices.settled();
    notices.stop();
    expect((await detail(ids[7]!)).evidenceStatus.snapshot).toMatchObject({
      state: 'failed',
      reason: 'capture failed: ffmpeg exited 1',
    });
    expect((await detail(ids[7]!)).scene.lines[0].name).toBe('Vạch dừng');
  });

  it('a soft lock keeps another reviewer from deciding; the holder renews it; release frees it', async () => {
    const id = ids[2]!;
    const lock = await call('r1', 'POST', `/api/incidents/${id}/lock`);
    expect(lock.status).toBe(200);
    expect((await call('r2', 'POST', `/api/incidents/${id}/lock`)).status).toBe(423);
    const v = (await detail(id)).version;
    const refused = await call('r2', 'POST', `/api/incidents/${id}/review`, {
      verdict: 'confirmed',
      version: v,
    });
    expect(refused.status).toBe(423);
    expect(refused.json.heldBy.reviewer).toBe('reviewer-1');
    const renewed = await call('r1', 'POST', `/api/incidents/${id}/lock`);
    expect(renewed.json.acquiredAt).toBe(lock.json.acquiredAt);
    expect(renewed.json.expiresAt).toBeGreaterThanOrEqual(lock.json.expiresAt);
    expect((await call('r1', 'DELETE', `/api/incidents/${id}/lock`)).status).toBe(204);
    expect((await call('r2', 'POST', `/api/incidents/${id}/lock`)).status).toBe(200);
    await call('r2', 'DELETE', `/api/incidents/${id}/lock`);
  });

  it('undo: only the newest verdict, only its reviewer, only within the window; forwarders hear only of the kept one', async () => {
    const id = ids[3]!;
    const v = (await detail(id)).version;
    expect(
      (await call('r1', 'POST', `/api/incidents/${id}/review`, { verdict: 'confirmed', version: v })).status,
    ).toBe(200);
    expect((await call('r2', 'POST', `/api/incidents/${id}/undo`)).json.error).toBe('not_yours');
    const undone = await call('r1', 'POST', `/api/incidents/${id}/undo`);
    expect(undone.status).toBe(200);
    expect(undone.json).toMatchObject({ status: 'open', reviewedBy: null });
    expect((await call('r1', 'POST', `/api/incidents/${id}/undo`)).json.error).toBe('nothing_to_undo');
    const v2 = (await detail(id)).version;
    expect(
      (
        await call('r1', 'POST', `/api/incidents/${id}/review`, {
          verdict: 'rejected',
          reason: 'duplicate',
          version: v2,
        })
      ).status,
    ).toBe(200);
    // The undone confirmation never reaches the forwarders; the rejection does once the 1 s window passed.
    await poll(() => forwarded.filter(([i]) => i === id)).toEqual([[id, 'rejected']]);
    expect((await call('r1', 'POST', `/api/incidents/${id}/undo`)).json.error).toBe('too_late');
    expect(
      (await detail(id)).reviews.map((r: { kind: string; verdict: string }) => `${r.kind}:${r.verdict}`),
    ).toEqual(['verdict:confirmed', 'undo:open', 'verdict:rejected']);
  });

  it('the work queue hands two reviewers asking at once two different incidents, oldest first', async () => {
    const [a, b] = await Promise.all([
      call('r1', 'POST', '/api/incidents/next', {}),
      call('r2', 'POST', '/api/incidents/next', {}),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.json.incidentId).not.toBe(b.json.incidentId);
    const open = (
      await call('viewer', 'GET', '/api/incidents?status=open&order=oldest&limit=10')
    ).json.items.map((i: { id: string }) => i.id);
    expect([a.json.incidentId, b.json.incidentId].sort()).toEqual(open.slice(0, 2).sort());
    // Asked again, each gets their own back (a reload returns to the same incident).
    expect((await call('r1', 'POST', '/api/incidents/next', {})).json.incidentId).toBe(a.json.incidentId);
    const list = (await call('viewer', 'GET', '/api/incidents?status=open&order=oldest&limit=10')).json.items;
    expect(list.find((i: { id: string }) => i.id === a.json.incidentId).lockedBy).toBe('reviewer-1');
  });

  it('statistics count verdicts, the confirmation rate and the medians', async () => {
    const st = (await call('viewer', 'GET', '/api/stats')).json;
    expect(st.review.confirmed + st.review.rejected).toBe(
      st.byStatus
        .filter((s: { status: string }) => s.status !== 'open')
        .reduce((a: number, s: { count: number }) => a + s.count, 0),
    );
    expect(st.review.confirmationRate).toBeCloseTo(
      st.review.confirmed / (st.review.confirmed + st.review.rejected),
      9,
    );
    expect(st.review.medianTimeToVerdictMs).toBeGreaterThanOrEqual(0);
    expect(st.review.byReviewer.map((r: { reviewer: string }) => r.reviewer)).toContain('reviewer-1');
  });
});

describe('ReviewLocks and CameraSceneStore on SQLite', () => {
  const db = openDatabase(':memory:');
  const locks = new ReviewLocks(db);
  const scenes = new CameraSceneStore(db);
  db.prepare(
    `INSERT INTO incidents (id, site, camera, rule, rule_type, label, first_ts, last_ts, confidence, box, created_at, updated_at)
     VALUES ('incident_a', 's', 'c', 'r', 'red_light', 'car', 100, 100, 0.5, '[0,0,1,1]', 0, 0)`,
  ).run();

  it.each<[string, () => unknown, unknown]>([
    ['a free incident is taken', () => locks.acquire('incident_a', 'a', 1000, 0).ok, true],
    [
      'another reviewer waits while the lease runs',
      () => locks.acquire('incident_a', 'b', 1000, 999).ok,
      false,
    ],
    ['a lapsed lease is anyone’s', () => locks.acquire('incident_a', 'b', 1000, 1001).ok, true],
    ['the new holder decides, the old one may not', () => locks.mayDecide('incident_a', 'a', 1500).ok, false],
    ['no live lock once it expired', () => locks.holder('incident_a', 5000), undefined],
  ])('%s', (_n, run, expected) => expect(run()).toEqual(expected));

  it('keeps each distinct scene and answers the one in force at a time', () => {
    const sc = (name: string) => ({
      name,
      zones: [],
      lines: [
        {
          id: 'stop',
          points: [
            [0, 0.5],
            [1, 0.5],
          ] as [number, number][],
        },
      ],
      rules: [],
    });
    expect(scenes.put('s', 'c', sc('v1'), 1000)).toBe(true);
    expect(scenes.put('s', 'c', sc('v1'), 2000)).toBe(false); // the same scene again
    expect(scenes.put('s', 'c', sc('v2'), 3000)).toBe(true);
    expect(scenes.at('s', 'c', 2500)?.name).toBe('v1');
    expect(scenes.at('s', 'c', 3500)?.name).toBe('v2');
    expect(scenes.at('s', 'c', 10)?.name).toBe('v1'); // before the first report: the oldest known
    expect(scenes.latest('s', 'c')?.name).toBe('v2');
    expect(scenes.at('s', 'other', 10)).toBeUndefined();
  });
});
