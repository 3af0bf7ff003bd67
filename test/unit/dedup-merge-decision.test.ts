// Table tests of the merge policy: which incident (if any) the first message of a new event id joins, and why.
import { describe, expect, it } from 'vitest';
import {
  boxCentreDistance,
  concurrentFragments,
  decideMerge,
  type Fragment,
  type MergeCandidate,
  type MergePolicy,
  type MergeProbe,
  type Sighting,
} from '../../central/ingest/merge-decision.ts';

const T0 = 1_763_700_000_000;
const GROUPS: Record<string, string> = {
  'hcmc-d1/cam-north': 'junction-7',
  'hcmc-d1/cam-east': 'junction-7',
};
const policy: MergePolicy = {
  mergeWindowMs: 10_000,
  mergeDistance: 0.15,
  overlapToleranceMs: 1_000,
  groupOf: (site, camera) => GROUPS[`${site}/${camera}`],
};

const box = (cx: number, cy: number, half = 0.05): [number, number, number, number] => [
  cx - half,
  cy - half,
  cx + half,
  cy + half,
];

const probe = (o: Partial<MergeProbe> = {}): MergeProbe => ({
  site: 'hcmc-d1',
  camera: 'cam-01',
  rule: 'red-light-main',
  ruleType: 'red_light',
  startTs: T0 + 3_000,
  trackId: 8,
  boxXyxyNorm: box(0.5, 0.6),
  ...o,
});

const cand = (o: Partial<MergeCandidate> = {}): MergeCandidate => ({
  id: 'inc_aaaaaaaa',
  site: 'hcmc-d1',
  camera: 'cam-01',
  rule: 'red-light-main',
  ruleType: 'red_light',
  group: null,
  firstTs: T0,
  lastSeenTs: T0 + 2_000,
  boxXyxyNorm: box(0.52, 0.61),
  lastTrackId: 7,
  ...o,
});

describe('decideMerge', () => {
  it.each([
    ['no candidates', probe(), [], 'new', undefined, undefined],
    [
      'tracker id switch: same camera and rule, 1 s later, nearby',
      probe(),
      [cand()],
      'merge',
      'inc_aaaaaaaa',
      'track-switch',
    ],
    [
      'same track fires again after its cooldown',
      probe({ trackId: 7 }),
      [cand()],
      'merge',
      'inc_aaaaaaaa',
      'same-track',
    ],
    [
      'event without a track id still merges by time and place',
      probe({ trackId: undefined }),
      [cand({ lastTrackId: null })],
      'merge',
      'inc_aaaaaaaa',
      'track-switch',
    ],
    [
      'exactly at the window edge merges',
      probe({ startTs: T0 + 12_000 }),
      [cand()],
      'merge',
      'inc_aaaaaaaa',
      'track-switch',
    ],
    [
      '1 ms past the window is a new incident',
      probe({ startTs: T0 + 12_001 }),
      [cand()],
      'new',
      undefined,
      undefined,
    ],
    [
      'too far apart in the frame',
      probe({ boxXyxyNorm: box(0.1, 0.1) }),
      [cand()],
      'new',
      undefined,
      undefined,
    ],
    ['other rule on the same camera', probe({ rule: 'stop-line-2' }), [cand()], 'new', undefined, undefined],
    ['other camera, no group', probe({ camera: 'cam-02' }), [cand()], 'new', undefined, undefined],
    ['other site, same camera id', probe({ site: 'hue-c1' }), [cand()], 'new', undefined, undefined],
    [
      'seen at the same time (2 s overlap): two objects, not a switch',
      probe({ startTs: T0 + 1_000 }),
      [cand({ lastSeenTs: T0 + 3_000 })],
      'new',
      undefined,
      undefined,
    ],
    [
      'small overlap within tolerance still a switch',
      probe({ startTs: T0 + 1_500 }),
      [cand({ lastSeenTs: T0 + 2_000 })],
      'merge',
      'inc_aaaaaaaa',
      'track-switch',
    ],
    [
      'an older event replayed out of order does not join a later incident',
      probe({ startTs: T0 - 5_000 }),
      [cand({ firstTs: T0, lastSeenTs: T0 - 4_000 })],
      'new',
      undefined,
      undefined,
    ],
    [
      'closest of two candidates wins',
      probe({ boxXyxyNorm: box(0.3, 0.6) }),
      [
        cand({ id: 'inc_far_away', boxXyxyNorm: box(0.42, 0.6) }),
        cand({ id: 'inc_close_by', boxXyxyNorm: box(0.31, 0.6) }),
      ],
      'merge',
      'inc_close_by',
      'track-switch',
    ],
    [
      'grouped camera, same rule type, overlapping in time',
      probe({ camera: 'cam-east', rule: 'east-red-light', boxXyxyNorm: box(0.9, 0.1), startTs: T0 + 1_000 }),
      [cand({ camera: 'cam-north', group: 'junction-7' })],
      'merge',
      'inc_aaaaaaaa',
      'camera-group',
    ],
    [
      'grouped camera but another rule type',
      probe({ camera: 'cam-east', ruleType: 'wrong_way', startTs: T0 + 1_000 }),
      [cand({ camera: 'cam-north', group: 'junction-7' })],
      'new',
      undefined,
      undefined,
    ],
    [
      'grouped camera too late',
      probe({ camera: 'cam-east', startTs: T0 + 2_000 + 10_001 }),
      [cand({ camera: 'cam-north', group: 'junction-7' })],
      'new',
      undefined,
      undefined,
    ],
    [
      'camera in a group, candidate of another group',
      probe({ camera: 'cam-east', startTs: T0 + 1_000 }),
      [cand({ camera: 'cam-south', group: 'junction-9' })],
      'new',
      undefined,
      undefined,
    ],
    [
      'same-camera switch is preferred over a grouped camera',
      probe({ camera: 'cam-north', startTs: T0 + 2_500 }),
      [
        cand({ id: 'inc_other_view', camera: 'cam-east', group: 'junction-7' }),
        cand({ id: 'inc_same_view', camera: 'cam-north', group: 'junction-7' }),
      ],
      'merge',
      'inc_same_view',
      'track-switch',
    ],
  ] as const)('%s', (_name, event, candidates, kind, incidentId, reasonKind) => {
    const d = decideMerge(event, candidates, policy);
    expect(d.kind).toBe(kind);
    if (d.kind === 'merge') {
      expect(d.incidentId).toBe(incidentId);
      expect(d.reason.kind).toBe(reasonKind);
      expect(d.reason.gapMs).toBe(event.startTs - candidates.find((c) => c.id === incidentId)!.lastSeenTs);
      expect(d.reason.text.length).toBeGreaterThan(10);
    }
  });

  it('records the distance of a same-camera merge and none for a group merge', () => {
    const same = decideMerge(probe(), [cand()], policy);
    expect(same.kind === 'merge' && same.reason.distance).toBeCloseTo(Math.hypot(0.02, 0.01), 4);
    const group = decideMerge(
      probe({ camera: 'cam-east', startTs: T0 + 1_000 }),
      [cand({ camera: 'cam-north', group: 'junction-7' })],
      policy,
    );
    expect(group.kind === 'merge' && group.reason.distance).toBeNull();
  });
});

describe('boxCentreDistance', () => {
  it.each([
    [[0, 0, 0, 0], [0, 0, 0, 0], 0],
    [[0, 0, 0.2, 0.2], [0.3, 0.4, 0.5, 0.6], Math.hypot(0.3, 0.4)],
    [[0, 0, 1, 1], [0.4, 0.4, 0.6, 0.6], 0],
  ])('%j to %j', (a, b, d) => {
    expect(boxCentreDistance(a, b)).toBeCloseTo(d, 9);
  });
});

describe('concurrentFragments', () => {
  const frag = (o: Partial<Fragment>): Fragment => ({
    eventId: 'evt_b',
    camera: 'cam-01',
    rule: 'red-light-main',
    startTs: T0 + 2_000,
    mergeKind: 'track-switch',
    ...o,
  });
  const seen = (o: Partial<Sighting> = {}): Sighting => ({
    eventId: 'evt_a',
    camera: 'cam-01',
    rule: 'red-light-main',
    startTs: T0,
    seenTs: T0 + 3_500,
    ...o,
  });
  it.each([
    ['no other fragments', seen(), [], []],
    ['older track still seen 1.5 s after the newer one started: split', seen(), [frag({})], ['evt_b']],
    ['overlap within tolerance: keep', seen({ seenTs: T0 + 3_000 }), [frag({})], []],
    ['sighting before the newer one started: keep', seen({ seenTs: T0 + 1_900 }), [frag({})], []],
    [
      'the opening fragment is never split',
      seen({ eventId: 'evt_b', startTs: T0 + 2_000 }),
      [frag({ eventId: 'evt_a', startTs: T0, mergeKind: null })],
      [],
    ],
    [
      'camera-group fragments overlap by nature',
      seen(),
      [frag({ mergeKind: 'camera-group', camera: 'cam-02' })],
      [],
    ],
    ['same-track re-fire overlapping: split', seen(), [frag({ mergeKind: 'same-track' })], ['evt_b']],
    ['a fragment of another rule is not compared', seen(), [frag({ rule: 'other' })], []],
    [
      'a fragment that started before the sighted event is not its continuation',
      seen({ startTs: T0 + 2_500 }),
      [frag({})],
      [],
    ],
    [
      'only the overlapping one of two',
      seen({ seenTs: T0 + 4_200 }),
      [frag({ eventId: 'evt_b', startTs: T0 + 2_000 }), frag({ eventId: 'evt_c', startTs: T0 + 3_900 })],
      ['evt_b'],
    ],
  ] as const)('%s', (_name, sighting, fragments, expected) => {
    expect(concurrentFragments(sighting, fragments, 1_000)).toEqual(expected);
  });
});
