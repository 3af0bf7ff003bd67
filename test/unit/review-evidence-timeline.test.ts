// Central's pure review logic: the state of each evidence reference, the incident's joined timeline, medians.
import { describe, expect, it } from 'vitest';
import { evidenceStatus, hasCompleteEvidence } from '../../central/reviews/evidence-status.ts';
import { incidentTimeline } from '../../central/reviews/incident-timeline.ts';
import { median } from '../../central/store/stats-store.ts';
import type { MatthanEvent } from '../../contract/index.ts';
import { sampleEvent } from '../helpers/fixtures.ts';

const meta = (id: string, contentType = 'image/jpeg') => ({
  id,
  contentType,
  bytes: 10,
  sha256: 'ab',
  sha1: null,
  createdAt: 0,
});

describe('evidenceStatus', () => {
  const facts = {
    meta: (id: string) => (id === 'have_s' ? meta(id) : id === 'have_v' ? meta(id, 'video/mp4') : undefined),
    note: (id: string) =>
      id === 'failed_v'
        ? { state: 'failed' as const, reason: 'capture failed: x', at: 1 }
        : id === 'old_s'
          ? { state: 'expired' as const, reason: 'retention', at: 1 }
          : undefined,
    clipStart: (id: string) => (id === 'have_v' ? 1234 : undefined),
  };
  it.each<[string, Record<string, string> | null, number, Record<string, string>]>([
    ['no references', null, 0, {}],
    [
      'available, with the clip start',
      { snapshot: 'have_s', clip: 'have_v' },
      0,
      { snapshot: 'available', clip: 'available' },
    ],
    ['not there yet: uploading', { clip: 'late_v' }, 60_000, { clip: 'pending' }],
    ['not there long after: missing', { clip: 'late_v' }, 3_600_000, { clip: 'missing' }],
    ['the edge said it failed', { clip: 'failed_v' }, 0, { clip: 'failed' }],
    ['central deleted it', { snapshot: 'old_s' }, 0, { snapshot: 'expired' }],
  ])('%s', (_n, refs, age, states) => {
    const st = evidenceStatus(refs, 1_000_000, 1_000_000 + age, 1_800_000, facts);
    expect(Object.fromEntries(Object.entries(st).map(([k, v]) => [k, v.state]))).toEqual(states);
    if (st.clip?.state === 'available') expect(st.clip.startMs).toBe(1234);
    if (st.clip?.state === 'failed') expect(st.clip.reason).toBe('capture failed: x');
  });
  it.each<[string, Record<string, string>, boolean]>([
    ['snapshot and clip', { snapshot: 'available', clip: 'available' }, true],
    ['clean snapshot and clip', { snapshotClean: 'available', clip: 'available' }, true],
    ['no clip', { snapshot: 'available', clip: 'pending' }, false],
    ['nothing', {}, false],
  ])('complete evidence: %s', (_n, states, ok) => {
    const st = Object.fromEntries(
      Object.entries(states).map(([k, s]) => [k, { id: k, state: s as 'available' }]),
    );
    expect(hasCompleteEvidence(st)).toBe(ok);
  });
});

describe('incidentTimeline', () => {
  const ev = (o: Partial<MatthanEvent>) => sampleEvent({ ts: 10_000, startTs: 10_000, ...o });
  it.each<[string, MatthanEvent[], number[], [number, string][]]>([
    ['no events', [], [], []],
    [
      'an old edge without track: one box per message',
      [ev({ seq: 0 }), ev({ seq: 1, ts: 12_000 })],
      [10_000, 12_000],
      [],
    ],
    [
      'timed boxes as offsets from each message, overlapping history kept once',
      [
        ev({
          track: {
            boxes: [
              [-400, 0.1, 0.1, 0.2, 0.2],
              [-200, 0.1, 0.1, 0.2, 0.2],
              [0, 0.1, 0.1, 0.2, 0.2],
            ],
            signal: [
              [-400, 'green'],
              [-100, 'red'],
            ],
          },
        }),
        ev({
          seq: 1,
          ts: 10_200,
          track: {
            boxes: [
              [-200, 0.1, 0.1, 0.2, 0.2],
              [0, 0.1, 0.1, 0.2, 0.2],
            ],
            signal: [[-200, 'red']],
          },
        }),
      ],
      [9600, 9800, 10_000, 10_200],
      [
        [9600, 'green'],
        [9900, 'red'],
      ],
    ],
  ])('%s', (_n, events, times, signal) => {
    const t = incidentTimeline(events);
    expect(t.boxes.map((b) => b[0])).toEqual(times);
    expect(t.signal).toEqual(signal);
  });
});

describe('median', () => {
  it.each<[number[], number | null]>([
    [[], null],
    [[5], 5],
    [[1, 3], 2],
    [[1, 2, 9], 2],
    [[18_000, 42_000], 30_000],
  ])('%j -> %j', (xs, m) => expect(median(xs)).toBe(m));
});
