// Fragments of one violation (tracker id switches) and overlapping cameras become one incident, with reasons.
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { type MatthanEvent, Topics } from '../../contract/index.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';

const T0 = 1_763_712_000_000;
const VIEWER = 'viewer-token-merge-test-0001';
const auth = { authorization: `Bearer ${VIEWER}` };

const box = (cx: number, cy: number): [number, number, number, number] => [
  cx - 0.05,
  cy - 0.08,
  cx + 0.05,
  cy + 0.08,
];

/** One track's event: start, one update a second later, end (after the edge's grace) with endTs = last hit. */
function trackEvent(o: {
  id: string;
  camera: string;
  rule: string;
  ruleType: MatthanEvent['ruleType'];
  trackId: number;
  startTs: number;
  lastHitTs: number;
  from: [number, number];
  to: [number, number];
}): MatthanEvent[] {
  const base = {
    id: o.id,
    site: 'hue-c1',
    camera: o.camera,
    rule: o.rule,
    ruleType: o.ruleType,
    trackId: o.trackId,
    startTs: o.startTs,
    label: 'motorcycle',
    details: {},
    zone: undefined,
  };
  const mid = (o.startTs + o.lastHitTs) / 2;
  return [
    sampleEvent({ ...base, seq: 0, phase: 'start', ts: o.startTs, boxXyxyNorm: box(...o.from) }),
    sampleEvent({
      ...base,
      seq: 1,
      phase: 'update',
      ts: Math.round(mid),
      boxXyxyNorm: box((o.from[0] + o.to[0]) / 2, (o.from[1] + o.to[1]) / 2),
    }),
    sampleEvent({
      ...base,
      seq: 2,
      phase: 'end',
      ts: o.lastHitTs + 1000,
      endTs: o.lastHitTs,
      boxXyxyNorm: box(...o.to),
    }),
  ];
}

// One motorcycle crossing on red, its track id switching twice (11 -> 12 -> 13) as it passes behind a bus.
const violation = [
  trackEvent({
    id: 'evt_track11_aaaa',
    camera: 'cam-a',
    rule: 'red-light-1',
    ruleType: 'red_light',
    trackId: 11,
    startTs: T0,
    lastHitTs: T0 + 1500,
    from: [0.3, 0.7],
    to: [0.36, 0.64],
  }),
  trackEvent({
    id: 'evt_track12_bbbb',
    camera: 'cam-a',
    rule: 'red-light-1',
    ruleType: 'red_light',
    trackId: 12,
    startTs: T0 + 1900,
    lastHitTs: T0 + 3300,
    from: [0.39, 0.61],
    to: [0.45, 0.55],
  }),
  trackEvent({
    id: 'evt_track13_cccc',
    camera: 'cam-a',
    rule: 'red-light-1',
    ruleType: 'red_light',
    trackId: 13,
    startTs: T0 + 3700,
    lastHitTs: T0 + 5200,
    from: [0.48, 0.52],
    to: [0.55, 0.45],
  }),
];
// Unrelated: another vehicle on the same rule far across the frame at the same time, the same rule at the same
// place after the merge window, and another rule at the violation's place.
const others = [
  trackEvent({
    id: 'evt_far_vehicle1',
    camera: 'cam-a',
    rule: 'red-light-1',
    ruleType: 'red_light',
    trackId: 20,
    startTs: T0 + 2000,
    lastHitTs: T0 + 4000,
    from: [0.9, 0.2],
    to: [0.92, 0.18],
  }),
  trackEvent({
    id: 'evt_later_same_1',
    camera: 'cam-a',
    rule: 'red-light-1',
    ruleType: 'red_light',
    trackId: 40,
    startTs: T0 + 5200 + 10_001,
    lastHitTs: T0 + 17_000,
    from: [0.55, 0.45],
    to: [0.6, 0.4],
  }),
  trackEvent({
    id: 'evt_other_rule_1',
    camera: 'cam-a',
    rule: 'stop-line-2',
    ruleType: 'red_light',
    trackId: 13,
    startTs: T0 + 3800,
    lastHitTs: T0 + 4500,
    from: [0.48, 0.52],
    to: [0.5, 0.5],
  }),
];
// Two poles watching one junction (group junction-7) see one wrong-way rider; a third camera elsewhere too.
const grouped = [
  trackEvent({
    id: 'evt_north_view01',
    camera: 'cam-north',
    rule: 'ww-north',
    ruleType: 'wrong_way',
    trackId: 5,
    startTs: T0 + 30_000,
    lastHitTs: T0 + 34_000,
    from: [0.2, 0.5],
    to: [0.5, 0.5],
  }),
  trackEvent({
    id: 'evt_east_view001',
    camera: 'cam-east',
    rule: 'ww-east',
    ruleType: 'wrong_way',
    trackId: 91,
    startTs: T0 + 31_000,
    lastHitTs: T0 + 35_000,
    from: [0.8, 0.1],
    to: [0.7, 0.3],
  }),
  trackEvent({
    id: 'evt_south_view01',
    camera: 'cam-south',
    rule: 'ww-south',
    ruleType: 'wrong_way',
    trackId: 3,
    startTs: T0 + 31_000,
    lastHitTs: T0 + 35_000,
    from: [0.8, 0.1],
    to: [0.7, 0.3],
  }),
];

// Two cars stopping side by side a moment apart: at the second one's start it looks like a tracker id switch,
// until the first is seen again well after that start; then they must be two incidents again.
const sideBySide = [
  trackEvent({
    id: 'evt_queue_p00001',
    camera: 'cam-c',
    rule: 'no-stop-1',
    ruleType: 'illegal_stop',
    trackId: 50,
    startTs: T0 + 60_000,
    lastHitTs: T0 + 63_000,
    from: [0.4, 0.6],
    to: [0.4, 0.6],
  }),
  trackEvent({
    id: 'evt_queue_q00001',
    camera: 'cam-c',
    rule: 'no-stop-1',
    ruleType: 'illegal_stop',
    trackId: 51,
    startTs: T0 + 60_300,
    lastHitTs: T0 + 63_300,
    from: [0.42, 0.62],
    to: [0.42, 0.62],
  }),
];

/** Messages in the order an edge publishes them: by message time. */
const inPublishOrder = (groups: MatthanEvent[][]) =>
  groups.flat().sort((a, b) => a.ts - b.ts || a.seq - b.seq);

describe('merging fragments into incidents (aedes over TCP, SQLite file)', () => {
  let central: CentralHandle;
  const notifications: [string, boolean][] = [];
  const messages = inPublishOrder([...violation, ...others, ...grouped, ...sideBySide]);

  const publishAll = async (events: MatthanEvent[]) => {
    const pub = await mqtt.connectAsync(central.brokerUrl, { clientId: `merge-pub-${Date.now()}` });
    for (const e of events)
      await pub.publishAsync(Topics.events(e.site, e.camera), JSON.stringify(e), { qos: 1 });
    await pub.endAsync();
  };
  const settle = async (received: number) => {
    const deadline = Date.now() + 20_000;
    while (central.ingest.counters.received < received && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
  };

  beforeAll(async () => {
    const dir = tempDir('matthan-central-merge-');
    central = await startCentral(
      defaultCentralConfig({
        http: { host: '127.0.0.1', port: 0 },
        broker: {
          url: 'mqtt://127.0.0.1:0',
          embedded: true,
          protocolVersion: 4,
          clientId: 'central-merge-test',
        },
        database: { path: path.join(dir, 'central.sqlite') },
        evidence: { dir: path.join(dir, 'evidence'), retentionDays: 30, maxBytes: 0 },
        auth: { tokens: [{ name: 'wall', role: 'viewer', token: VIEWER }] },
        cameras: [
          { site: 'hue-c1', id: 'cam-north', group: 'junction-7', name: 'Lê Lợi north pole' },
          { site: 'hue-c1', id: 'cam-east', group: 'junction-7' },
          { site: 'hue-c1', id: 'cam-south' },
        ],
      }),
    );
    central.ingest.onIncident((id, created) => notifications.push([id, created]));
    await central.subscribed;
    await publishAll(messages);
    await settle(messages.length);
  });

  afterAll(async () => {
    await central?.stop();
  });

  const detail = async (id: string) => {
    const res = await central.app.inject({ method: 'GET', url: `/api/incidents/${id}`, headers: auth });
    expect(res.statusCode).toBe(200);
    return res.json() as {
      fragments: number;
      eventCount: number;
      ended: boolean;
      camera: string;
      status: string;
      events: MatthanEvent[];
      merges: { eventId: string; kind: string; gapMs: number; distance: number | null; reason: string }[];
    };
  };

  it('one violation split across three track ids is one incident', async () => {
    const res = await central.app.inject({
      method: 'GET',
      url: '/api/incidents?camera=cam-a&limit=50',
      headers: auth,
    });
    const ids = (res.json() as { items: { id: string }[] }).items.map((i) => i.id).sort();
    expect(ids).toEqual(
      ['evt_far_vehicle1', 'evt_later_same_1', 'evt_other_rule_1', 'evt_track11_aaaa'].sort(),
    );

    const inc = await detail('evt_track11_aaaa');
    expect(inc.fragments).toBe(3);
    expect(inc.eventCount).toBe(9);
    expect(inc.ended).toBe(true);
    expect(new Set(inc.events.map((e) => e.trackId))).toEqual(new Set([11, 12, 13]));
    const times = inc.events.map((e) => e.ts);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('records why each fragment was merged', async () => {
    const inc = await detail('evt_track11_aaaa');
    expect(inc.merges.map((m) => [m.eventId, m.kind])).toEqual([
      ['evt_track12_bbbb', 'track-switch'],
      ['evt_track13_cccc', 'track-switch'],
    ]);
    // Each new track starts before the previous one's end message is due (edge end grace), so the gap is
    // measured from the previous track's last message published before the new start.
    const expectedGap = (prev: MatthanEvent[], next: MatthanEvent[]) =>
      next[0]!.startTs -
      Math.max(...prev.filter((e) => e.ts <= next[0]!.startTs).map((e) => e.endTs ?? e.ts));
    expect(inc.merges.map((m) => m.gapMs)).toEqual([
      expectedGap(violation[0]!, violation[1]!),
      expectedGap(violation[1]!, violation[2]!),
    ]);
    for (const m of inc.merges) {
      expect(m.distance).toBeGreaterThan(0);
      expect(m.distance).toBeLessThanOrEqual(0.15);
      expect(m.reason).toMatch(/track 1[23] continues track 1[12]/);
    }
  });

  it('overlapping cameras of one group become one incident; a camera outside the group does not', async () => {
    const inc = await detail('evt_north_view01');
    expect(inc.fragments).toBe(2);
    expect(inc.merges).toHaveLength(1);
    expect(inc.merges[0]).toMatchObject({
      eventId: 'evt_east_view001',
      kind: 'camera-group',
      distance: null,
    });
    expect(inc.merges[0]!.reason).toContain('junction-7');
    expect(new Set(inc.events.map((e) => e.camera))).toEqual(new Set(['cam-north', 'cam-east']));
    const south = await detail('evt_south_view01');
    expect(south.fragments).toBe(1);
    expect(south.merges).toEqual([]);
  });

  it('splits a fragment back out when the object it supposedly continued is seen again after it started', async () => {
    const p = await detail('evt_queue_p00001');
    const q = await detail('evt_queue_q00001');
    expect([p.fragments, p.eventCount, p.ended]).toEqual([1, 3, true]);
    expect([q.fragments, q.eventCount, q.ended]).toEqual([1, 3, true]);
    expect(p.merges).toEqual([]);
    expect(q.merges.map((m) => [m.eventId, m.kind])).toEqual([['evt_queue_p00001', 'split']]);
    expect(q.merges[0]!.reason).toContain('two objects');
    expect(new Set(q.events.map((e) => e.trackId))).toEqual(new Set([51]));
    expect(central.ingest.counters.splits).toBe(1);
  });

  it('told listeners about each incident exactly once as created', () => {
    const created = notifications
      .filter(([, c]) => c)
      .map(([id]) => id)
      .sort();
    expect(created).toEqual(
      [
        'evt_track11_aaaa',
        'evt_far_vehicle1',
        'evt_later_same_1',
        'evt_other_rule_1',
        'evt_north_view01',
        'evt_south_view01',
        'evt_queue_p00001',
        'evt_queue_q00001',
      ].sort(),
    );
    // Fragments merged into an incident never announce an incident of their own.
    expect(notifications.map(([id]) => id)).not.toContain('evt_track12_bbbb');
  });

  it('a replay of everything (outbox resend, QoS 1 redelivery) changes nothing', async () => {
    const before = { ...central.ingest.counters };
    const incidents = central.incidents.count();
    await publishAll(messages);
    await settle(before.received + messages.length);
    expect(central.ingest.counters.duplicates - before.duplicates).toBe(messages.length);
    expect(central.ingest.counters.stored).toBe(before.stored);
    expect(central.incidents.count()).toBe(incidents);
    expect((await detail('evt_track11_aaaa')).eventCount).toBe(9);
  });
  it('a later fragment is announced as a change of the existing incident', async () => {
    notifications.length = 0;
    const last = violation[2]!.at(-1)!;
    const track14 = trackEvent({
      id: 'evt_track14_dddd',
      camera: 'cam-a',
      rule: 'red-light-1',
      ruleType: 'red_light',
      trackId: 14,
      startTs: last.endTs! + 300,
      lastHitTs: last.endTs! + 1500,
      from: [0.56, 0.44],
      to: [0.6, 0.4],
    });
    const received = central.ingest.counters.received;
    await publishAll(track14);
    await settle(received + track14.length);
    expect(notifications.length).toBeGreaterThan(0);
    expect(notifications.every(([id, created]) => id === 'evt_track11_aaaa' && !created)).toBe(true);
    expect((await detail('evt_track11_aaaa')).fragments).toBe(4);
  });
});
