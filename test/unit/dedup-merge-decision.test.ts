// Table tests of the merge policy: which incident (if any) the first message of a new event id joins, and why.
// Central follows the edge's `continues` (in any arrival order) and merges grouped cameras; never by position.
import { describe, expect, it } from 'vitest';
import {
  decideMerge,
  type GroupCandidate,
  type LinkedEvent,
  type Links,
  type MergePolicy,
  type MergeProbe,
} from '../../central/ingest/merge-decision.ts';

const T0 = 1_763_700_000_000;
const GROUPS: Record<string, string> = {
  'hcmc-d1/cam-north': 'junction-7',
  'hcmc-d1/cam-east': 'junction-7',
};
const policy: MergePolicy = {
  mergeWindowMs: 10_000,
  groupOf: (site, camera) => GROUPS[`${site}/${camera}`],
};

const probe = (o: Partial<MergeProbe> = {}): MergeProbe => ({
  id: 'evt_new_000001',
  site: 'hcmc-d1',
  camera: 'cam-01',
  rule: 'no-stop-1',
  ruleType: 'illegal_stop',
  startTs: T0 + 40_000,
  ts: T0 + 40_000,
  trackId: 8,
  ...o,
});

const linked = (o: Partial<LinkedEvent> = {}): LinkedEvent => ({
  eventId: 'evt_root_00001',
  incidentId: 'evt_root_00001',
  site: 'hcmc-d1',
  camera: 'cam-01',
  rule: 'no-stop-1',
  startTs: T0,
  lastSeenTs: T0 + 10_000,
  ...o,
});

const group = (o: Partial<GroupCandidate> = {}): GroupCandidate => ({
  id: 'inc_north_0001',
  site: 'hcmc-d1',
  camera: 'cam-north',
  ruleType: 'red_light',
  group: 'junction-7',
  firstTs: T0,
  lastSeenTs: T0 + 2_000,
  ...o,
});

const cont = { continues: 'evt_root_00001' };
const east = { camera: 'cam-east', rule: 'east-red', ruleType: 'red_light' as const, startTs: T0 + 1_000 };

type Row = [
  string,
  MergeProbe,
  Links,
  GroupCandidate[],
  'new' | 'merge',
  string | undefined,
  'continuation' | 'camera-group' | undefined,
  number | undefined,
  boolean,
];

describe('decideMerge', () => {
  it.each<Row>([
    ['nothing known: a new incident', probe(), {}, [], 'new', undefined, undefined, undefined, false],
    [
      'continuation of a stored event: joins its incident',
      probe(cont),
      { root: linked() },
      [],
      'merge',
      'evt_root_00001',
      'continuation',
      30_000,
      false,
    ],
    [
      'the root sits in a group incident opened by another event: joins that incident',
      probe(cont),
      { root: linked({ incidentId: 'inc_group_0001' }) },
      [],
      'merge',
      'inc_group_0001',
      'continuation',
      30_000,
      false,
    ],
    [
      'continuation naming an event of another camera: kept apart, refusal reported',
      probe(cont),
      { root: linked({ camera: 'cam-02' }) },
      [],
      'new',
      undefined,
      undefined,
      undefined,
      true,
    ],
    [
      'continuation naming an event of another rule: kept apart',
      probe(cont),
      { root: linked({ rule: 'red-light' }) },
      [],
      'new',
      undefined,
      undefined,
      undefined,
      true,
    ],
    [
      'continuation naming an event of another site: kept apart',
      probe(cont),
      { root: linked({ site: 'hue-c1' }) },
      [],
      'new',
      undefined,
      undefined,
      undefined,
      true,
    ],
    [
      'root not received yet, a sibling continuing it is: joins the sibling',
      probe(cont),
      {
        sibling: linked({
          eventId: 'evt_sib_000001',
          incidentId: 'evt_sib_000001',
          startTs: T0 + 20_000,
          lastSeenTs: T0 + 30_000,
        }),
      },
      [],
      'merge',
      'evt_sib_000001',
      'continuation',
      10_000,
      false,
    ],
    [
      'root not received yet and no sibling: a new incident (the root joins it when it arrives)',
      probe(cont),
      {},
      [],
      'new',
      undefined,
      undefined,
      undefined,
      false,
    ],
    [
      'the root arrives after its continuation: joins the continuation',
      probe({ id: 'evt_root_00001', startTs: T0, ts: T0 + 12_000, endTs: T0 + 10_000 }),
      {
        follower: linked({
          eventId: 'evt_new_000001',
          incidentId: 'evt_new_000001',
          startTs: T0 + 40_000,
          lastSeenTs: T0 + 50_000,
        }),
      },
      [],
      'merge',
      'evt_new_000001',
      'continuation',
      30_000,
      false,
    ],
    [
      'a follower on another camera names this event: kept apart',
      probe({ id: 'evt_root_00001' }),
      { follower: linked({ eventId: 'evt_new_000001', camera: 'cam-02' }) },
      [],
      'new',
      undefined,
      undefined,
      undefined,
      true,
    ],
    [
      'an event continuing itself: ignored',
      probe({ continues: 'evt_new_000001' }),
      {},
      [],
      'new',
      undefined,
      undefined,
      undefined,
      true,
    ],
    [
      // The issue-13 bug: the next car at the same stop line 3 s later carries no `continues`: never merged.
      'same camera and rule, 3 s later, same place, no continues: a new incident',
      probe({ ruleType: 'red_light', rule: 'red-light', startTs: T0 + 5_000 }),
      {},
      [group({ camera: 'cam-01', group: null })],
      'new',
      undefined,
      undefined,
      undefined,
      false,
    ],
    [
      'grouped camera, same rule type, overlapping in time',
      probe(east),
      {},
      [group()],
      'merge',
      'inc_north_0001',
      'camera-group',
      -1_000,
      false,
    ],
    [
      'grouped camera but another rule type',
      probe({ ...east, ruleType: 'wrong_way' }),
      {},
      [group()],
      'new',
      undefined,
      undefined,
      undefined,
      false,
    ],
    [
      'grouped camera 1 ms past the window',
      probe({ ...east, startTs: T0 + 2_000 + 10_001 }),
      {},
      [group()],
      'new',
      undefined,
      undefined,
      undefined,
      false,
    ],
    [
      'grouped camera at the window edge',
      probe({ ...east, startTs: T0 + 2_000 + 10_000 }),
      {},
      [group()],
      'merge',
      'inc_north_0001',
      'camera-group',
      10_000,
      false,
    ],
    [
      'candidate of another group',
      probe(east),
      {},
      [group({ camera: 'cam-south', group: 'junction-9' })],
      'new',
      undefined,
      undefined,
      undefined,
      false,
    ],
    [
      'a grouped camera never merges with itself by time',
      probe({ ...east, camera: 'cam-north' }),
      {},
      [group()],
      'new',
      undefined,
      undefined,
      undefined,
      false,
    ],
    [
      'the closer of two group incidents wins',
      probe({ ...east, startTs: T0 + 30_000 }),
      {},
      [
        group({ id: 'inc_early_0001', firstTs: T0, lastSeenTs: T0 + 21_000 }),
        group({ id: 'inc_span_00001', firstTs: T0 + 25_000, lastSeenTs: T0 + 35_000 }),
      ],
      'merge',
      'inc_span_00001',
      'camera-group',
      -5_000,
      false,
    ],
    [
      // The review e2e case: vehicles leave the queue 600 ms apart; the long incident of a car still in view
      // covers the moment, but the other pole's fragment started with the incident 100 ms before it.
      'start-to-start: the incident that started with it wins over one whose span merely covers it',
      probe({ ...east, startTs: T0 + 5_100 }),
      {},
      [
        group({ id: 'inc_long_00001', firstTs: T0, lastSeenTs: T0 + 9_000 }),
        group({ id: 'inc_near_00001', firstTs: T0 + 5_000, lastSeenTs: T0 + 5_600 }),
      ],
      'merge',
      'inc_near_00001',
      'camera-group',
      -500,
      false,
    ],
    [
      'two group incidents started within 250 ms of each other around it: ambiguous, joins neither',
      probe({ ...east, startTs: T0 + 400 }),
      {},
      [
        group({ id: 'inc_first_0001', firstTs: T0, lastSeenTs: T0 + 2_000 }),
        group({ id: 'inc_secnd_0001', firstTs: T0 + 600, lastSeenTs: T0 + 2_600 }),
      ],
      'new',
      undefined,
      undefined,
      undefined,
      false,
    ],
    [
      'two group incidents, one clearly nearer (250 ms apart in rank): joins the nearer',
      probe({ ...east, startTs: T0 + 175 }),
      {},
      [
        group({ id: 'inc_first_0001', firstTs: T0, lastSeenTs: T0 + 2_000 }),
        group({ id: 'inc_secnd_0001', firstTs: T0 + 600, lastSeenTs: T0 + 2_600 }),
      ],
      'merge',
      'inc_first_0001',
      'camera-group',
      -1_825,
      false,
    ],
    [
      'a stated continuation wins over a group incident',
      probe({ ...east, ...cont }),
      { root: linked({ camera: 'cam-east', rule: 'east-red', incidentId: 'inc_east_00001' }) },
      [group()],
      'merge',
      'inc_east_00001',
      'continuation',
      undefined,
      false,
    ],
    [
      'a refused continuation still joins its group incident',
      probe({ ...east, ...cont }),
      { root: linked({ camera: 'cam-02' }) },
      [group()],
      'merge',
      'inc_north_0001',
      'camera-group',
      -1_000,
      false,
    ],
  ])('%s', (_name, event, links, candidates, kind, incidentId, reasonKind, gapMs, refused) => {
    const d = decideMerge(event, links, candidates, policy);
    expect(d.kind).toBe(kind);
    if (d.kind === 'merge') {
      expect(d.incidentId).toBe(incidentId);
      expect(d.reason.kind).toBe(reasonKind);
      if (gapMs !== undefined) expect(d.reason.gapMs).toBe(gapMs);
      expect(d.reason.text).toContain(reasonKind === 'continuation' ? event.id : event.camera);
    } else {
      expect(d.refused !== undefined).toBe(refused);
      if (d.refused) expect(d.refused.text).toMatch(/kept apart|ignored/);
    }
  });

  it('reasons name both events and the camera/rule, for a reviewer', () => {
    const d = decideMerge(probe(cont), { root: linked() }, [], policy);
    expect(d.kind === 'merge' && d.reason.text).toBe(
      'the edge states event evt_new_000001 (track 8) continues event evt_root_00001 on hcmc-d1/cam-01/no-stop-1, ' +
        '30000 ms after it was last seen',
    );
    const r = decideMerge(probe(cont), { root: linked({ camera: 'cam-02' }) }, [], policy);
    expect(r.kind === 'new' && r.refused?.text).toBe(
      'event evt_new_000001 (hcmc-d1/cam-01/no-stop-1) states it continues event evt_root_00001, which is on ' +
        'hcmc-d1/cam-02/no-stop-1; site, camera or rule differ, so it was kept apart',
    );
  });
});
