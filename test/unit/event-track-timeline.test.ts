// The timed boxes an event carries: offsets from the message time, newest MAX_TRACK_BOXES, signal changes alongside.
import { describe, expect, it } from 'vitest';
import { MAX_TRACK_BOXES } from '../../contract/index.ts';
import { trackTimeline } from '../../edge/events/event-builder.ts';
import { SignalTimeline } from '../../edge/signal/signal-timeline.ts';
import type { Track, TrackPoint } from '../../edge/track/track.ts';

const box = (i: number): [number, number, number, number] => [0.1 + i * 0.001, 0.5, 0.2 + i * 0.001, 0.7];
const track = (path: TrackPoint[]): Track => ({
  id: 7,
  classId: 3,
  label: 'motorcycle',
  score: 0.8,
  boxXyxyNorm: [0.1, 0.5, 0.2, 0.7],
  confirmed: true,
  hits: path.length,
  firstSeenTs: path[0]?.tsMs ?? 0,
  lastSeenTs: path.at(-1)?.tsMs ?? 0,
  path,
});
const point = (tsMs: number, i: number): TrackPoint => ({ tsMs, x: 0.15, y: 0.7, box: box(i) });

describe('trackTimeline', () => {
  it.each<[string, TrackPoint[], number, number[] | undefined]>([
    ['no path', [], 1000, undefined],
    ['points from older code have no box', [{ tsMs: 0, x: 0.1, y: 0.2 }], 1000, undefined],
    ['offsets from the message time', [point(600, 0), point(800, 1), point(1000, 2)], 1000, [-400, -200, 0]],
    ['points after the message frame are left out', [point(800, 0), point(1200, 1)], 1000, [-200]],
    [
      'only the newest MAX_TRACK_BOXES',
      Array.from({ length: MAX_TRACK_BOXES + 10 }, (_, i) => point(i * 200, i)),
      (MAX_TRACK_BOXES + 9) * 200,
      Array.from({ length: MAX_TRACK_BOXES }, (_, i) => (i - MAX_TRACK_BOXES + 1) * 200),
    ],
  ])('%s', (_name, path, tsMs, offsets) => {
    const t = trackTimeline(track(path), tsMs);
    expect(t?.boxes.map((b) => b[0])).toEqual(offsets);
    if (t) for (const b of t.boxes) expect(b.slice(1).every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('rounds boxes to 3 decimals and adds the signal in force and its changes', () => {
    const signal = new SignalTimeline();
    signal.record(0, 'green');
    signal.record(700, 'red');
    const odd: TrackPoint = { tsMs: 800, x: 0.18, y: 0.7, box: [0.12345, 0.5, 0.23456, 0.70001] };
    const t = trackTimeline(track([point(600, 0), odd]), 1000, signal);
    expect(t?.boxes[1]).toEqual([-200, 0.123, 0.5, 0.235, 0.7]);
    expect(t?.signal).toEqual([
      [-400, 'green'],
      [-300, 'red'],
    ]);
  });
});
