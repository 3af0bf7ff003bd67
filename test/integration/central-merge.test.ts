// Over a real broker: events the edge states continue one violation, and overlapping cameras of a group, become one
// incident with the reasons recorded; events of one camera are never merged by position or time.
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCentralConfig } from '../../central/config/load.ts';
import { type CentralHandle, startCentral } from '../../central/main.ts';
import { type MatthanEvent, Topics } from '../../contract/index.ts';
import { TestCredentials } from '../helpers/credentials.ts';
import { sampleEvent, tempDir } from '../helpers/fixtures.ts';

const T0 = 1_763_712_000_000;
const creds = new TestCredentials();
const VIEWER = creds.person('viewer', 'wall').token;
const edgeBox = creds.box('hue-c1');
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
  continues?: string;
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
    ...(o.continues ? { continues: o.continues } : {}),
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

// A car parked on a no-stopping kerb, hidden twice by passing buses: the edge re-identified it each time and states
// that events 2 and 3 continue event 1 (always the first id of the chain).
const violation = [
  trackEvent({
    id: 'evt_parked_aaaa',
    camera: 'cam-a',
    rule: 'no-stop-1',
    ruleType: 'illegal_stop',
    trackId: 11,
    startTs: T0,
    lastHitTs: T0 + 1500,
    from: [0.4, 0.7],
    to: [0.4, 0.7],
  }),
  trackEvent({
    id: 'evt_parked_bbbb',
    continues: 'evt_parked_aaaa',
    camera: 'cam-a',
    rule: 'no-stop-1',
    ruleType: 'illegal_stop',
    trackId: 11,
    startTs: T0 + 4000,
    lastHitTs: T0 + 5300,
    from: [0.4, 0.7],
    to: [0.4, 0.7],
  }),
  trackEvent({
    id: 'evt_parked_cccc',
    continues: 'evt_parked_aaaa',
    camera: 'cam-a',
    rule: 'no-stop-1',
    ruleType: 'illegal_stop',
    trackId: 11,
    startTs: T0 + 7700,
    lastHitTs: T0 + 9200,
    from: [0.4, 0.7],
    to: [0.4, 0.7],
  }),
];
// Never merged: the next riders through the same red light in the same lane, each 0.03 from the previous one's
// last box and within a few seconds (what the removed position/time merge joined), another rule at the same place.
const lane = [
  trackEvent({
    id: 'evt_rider_1_aaa',
    camera: 'cam-a',
    rule: 'red-light-1',
    ruleType: 'red_light',
    trackId: 20,
    startTs: T0,
    lastHitTs: T0,
    from: [0.5, 0.6],
    to: [0.5, 0.6],
  }),
  trackEvent({
    id: 'evt_rider_2_bbb',
    camera: 'cam-a',
    rule: 'red-light-1',
    ruleType: 'red_light',
    trackId: 21,
    startTs: T0 + 3000,
    lastHitTs: T0 + 3000,
    from: [0.52, 0.61],
    to: [0.52, 0.61],
  }),
  trackEvent({
    id: 'evt_rider_3_ccc',
    camera: 'cam-a',
    rule: 'red-light-1',
    ruleType: 'red_light',
    trackId: 22,
    startTs: T0 + 3400,
    lastHitTs: T0 + 3400,
    from: [0.5, 0.6],
    to: [0.5, 0.6],
  }),
  trackEvent({
    id: 'evt_other_rule_1',
    camera: 'cam-a',
    rule: 'stop-line-2',
    ruleType: 'red_light',
    trackId: 21,
    startTs: T0 + 3000,
    lastHitTs: T0 + 3000,
    from: [0.52, 0.61],
    to: [0.52, 0.61],
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

// Delivered out of order (an outbox replay after an outage, two central instances): the continuation of a
// wrong-way rider arrives before the event it continues.
const outOfOrder = [
  trackEvent({
    id: 'evt_late_root_01',
    camera: 'cam-c',
    rule: 'ww-c',
    ruleType: 'wrong_way',
    trackId: 50,
    startTs: T0 + 60_000,
    lastHitTs: T0 + 63_000,
    from: [0.4, 0.6],
    to: [0.4, 0.4],
  }),
  trackEvent({
    id: 'evt_early_cont_1',
    continues: 'evt_late_root_01',
    camera: 'cam-c',
    rule: 'ww-c',
    ruleType: 'wrong_way',
    trackId: 50,
    startTs: T0 + 66_000,
    lastHitTs: T0 + 68_000,
    from: [0.4, 0.38],
    to: [0.4, 0.2],
  }),
];
// A continuation naming an event of another camera (a misconfigured edge): kept apart, reason recorded.
const forged = trackEvent({
  id: 'evt_forged_cont1',
  continues: 'evt_parked_aaaa',
  camera: 'cam-d',
  rule: 'no-stop-1',
  ruleType: 'illegal_stop',
  trackId: 11,
  startTs: T0 + 8000,
  lastHitTs: T0 + 9000,
  from: [0.4, 0.7],
  to: [0.4, 0.7],
});

/** Messages in the order an edge publishes them: by message time. */
const inPublishOrder = (groups: MatthanEvent[][]) =>
  groups.flat().sort((a, b) => a.ts - b.ts || a.seq - b.seq);

describe('merging fragments into incidents (aedes over TCP, SQLite file)', () => {
  let central: CentralHandle;
  const notifications: [string, boolean][] = [];
  const messages = [
    ...inPublishOrder([...violation, ...lane, ...grouped, forged]),
    // The continuation first, then the event it continues.
    ...outOfOrder[1]!,
    ...outOfOrder[0]!,
  ];

  const publishAll = async (events: MatthanEvent[]) => {
    const pub = await mqtt.connectAsync(central.brokerUrl, edgeBox.mqtt);
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
        ...creds.central(),
        broker: { ...creds.central().broker, url: 'mqtt://127.0.0.1:0', embedded: true, protocolVersion: 4 },
        database: { path: path.join(dir, 'central.sqlite') },
        evidence: { dir: path.join(dir, 'evidence'), retentionDays: 30, maxBytes: 0 },
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

  it('events the edge states continue one violation are one incident', async () => {
    const inc = await detail('evt_parked_aaaa');
    expect(inc.fragments).toBe(3);
    expect(inc.eventCount).toBe(9);
    expect(inc.ended).toBe(true);
    expect(new Set(inc.events.map((e) => e.id))).toEqual(
      new Set(['evt_parked_aaaa', 'evt_parked_bbbb', 'evt_parked_cccc']),
    );
    const times = inc.events.map((e) => e.ts);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('records why each fragment joined', async () => {
    const inc = await detail('evt_parked_aaaa');
    expect(inc.merges.map((m) => [m.eventId, m.kind, m.gapMs, m.distance])).toEqual([
      ['evt_parked_bbbb', 'continuation', 4000 - 1500, null],
      ['evt_parked_cccc', 'continuation', 7700 - 1500, null],
    ]);
    for (const m of inc.merges)
      expect(m.reason).toMatch(
        /^the edge states event evt_parked_[bc]{4} \(track 11\) continues event evt_parked_aaaa on hue-c1\/cam-a\/no-stop-1/,
      );
  });

  it('the next riders through the same light in the same lane are incidents of their own', async () => {
    const res = await central.app.inject({
      method: 'GET',
      url: '/api/incidents?camera=cam-a&limit=50',
      headers: auth,
    });
    const ids = (res.json() as { items: { id: string }[] }).items.map((i) => i.id).sort();
    expect(ids).toEqual(
      ['evt_parked_aaaa', 'evt_rider_1_aaa', 'evt_rider_2_bbb', 'evt_rider_3_ccc', 'evt_other_rule_1'].sort(),
    );
    for (const id of ids.filter((i) => i.startsWith('evt_rider'))) {
      const inc = await detail(id);
      expect([inc.fragments, inc.merges]).toEqual([1, []]);
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

  it('a continuation that arrives before the event it continues is linked when that event arrives', async () => {
    const inc = await detail('evt_early_cont_1');
    expect([inc.fragments, inc.eventCount, inc.ended]).toEqual([2, 6, true]);
    expect(inc.merges.map((m) => [m.eventId, m.kind])).toEqual([['evt_late_root_01', 'continuation']]);
    expect(inc.merges[0]!.reason).toContain('received earlier, states it continues it');
    const res = await central.app.inject({
      method: 'GET',
      url: '/api/incidents/evt_late_root_01',
      headers: auth,
    });
    expect(res.statusCode).toBe(404);
  });

  it("a continuation naming another camera's event is kept apart with the reason", async () => {
    const inc = await detail('evt_forged_cont1');
    expect(inc.fragments).toBe(1);
    expect(inc.merges.map((m) => m.kind)).toEqual(['continuation-refused']);
    expect(inc.merges[0]!.reason).toContain('hue-c1/cam-a/no-stop-1');
    expect(central.ingest.counters.refusedContinuations).toBe(1);
    expect((await detail('evt_parked_aaaa')).fragments).toBe(3);
  });

  it('told listeners about each incident exactly once as created', () => {
    const created = notifications
      .filter(([, c]) => c)
      .map(([id]) => id)
      .sort();
    expect(created).toEqual(
      [
        'evt_parked_aaaa',
        'evt_rider_1_aaa',
        'evt_rider_2_bbb',
        'evt_rider_3_ccc',
        'evt_other_rule_1',
        'evt_north_view01',
        'evt_south_view01',
        'evt_early_cont_1',
        'evt_forged_cont1',
      ].sort(),
    );
    // Fragments merged into an incident never announce an incident of their own.
    expect(notifications.map(([id]) => id)).not.toContain('evt_parked_bbbb');
    expect(notifications.map(([id]) => id)).not.toContain('evt_late_root_01');
  });

  it('a replay of everything (outbox resend, QoS 1 redelivery) changes nothing', async () => {
    const before = { ...central.ingest.counters };
    const incidents = central.incidents.count();
    await publishAll(messages);
    await settle(before.received + messages.length);
    expect(central.ingest.counters.duplicates - before.duplicates).toBe(messages.length);
    expect(central.ingest.counters.stored).toBe(before.stored);
    expect(central.incidents.count()).toBe(incidents);
    expect((await detail('evt_parked_aaaa')).eventCount).toBe(9);
  });
  it('a later continuation is announced as a change of the existing incident', async () => {
    notifications.length = 0;
    const last = violation[2]!.at(-1)!;
    const fourth = trackEvent({
      id: 'evt_parked_dddd',
      continues: 'evt_parked_aaaa',
      camera: 'cam-a',
      rule: 'no-stop-1',
      ruleType: 'illegal_stop',
      trackId: 11,
      startTs: last.endTs! + 3000,
      lastHitTs: last.endTs! + 4500,
      from: [0.4, 0.7],
      to: [0.4, 0.7],
    });
    const received = central.ingest.counters.received;
    await publishAll(fourth);
    await settle(received + fourth.length);
    expect(notifications.length).toBeGreaterThan(0);
    expect(notifications.every(([id, created]) => id === 'evt_parked_aaaa' && !created)).toBe(true);
    expect((await detail('evt_parked_aaaa')).fragments).toBe(4);
  });
});
