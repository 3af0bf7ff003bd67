// Table tests: mapping stream time to wall clock for live cameras and files, monotonic across restarts.
import { describe, expect, it } from 'vitest';
import { DISCONTINUITY_MS, DRIFT_GAIN, StreamClock } from '../../edge/ingest/stream-clock.ts';

/** Feeds [ptsS, arrivalMs] pairs; 'reset' marks a new ffmpeg run. */
function run(clock: StreamClock, inputs: ([number, number] | 'reset')[]): number[] {
  const out: number[] = [];
  for (const i of inputs) {
    if (i === 'reset') clock.reset();
    else out.push(clock.toWallMs(i[0], i[1]));
  }
  return out;
}

describe('StreamClock', () => {
  it.each<[string, 'live' | 'file', ([number, number] | 'reset')[], number[]]>([
    [
      'live, steady',
      'live',
      [
        [0, 1000],
        [0.2, 1200],
        [0.4, 1400],
      ],
      [1000, 1200, 1400],
    ],
    // A late frame keeps its stream spacing: only DRIFT_GAIN of its delay reaches the offset, and the next
    // on-time frame pulls it back.
    [
      'live, one frame delayed 150 ms',
      'live',
      [
        [0, 1000],
        [0.2, 1350],
        [0.4, 1400],
      ],
      [1000, 1200 + 150 * DRIFT_GAIN, 1400],
    ],
    // The first frame arrived late; the next, faster one lowers the offset (least-delayed frame wins).
    [
      'live, first frame late',
      'live',
      [
        [0, 1300],
        [0.2, 1200],
        [0.4, 1400],
      ],
      [1300, 1301, 1400],
    ],
    [
      'file read 10x faster than real time keeps stream time',
      'file',
      [
        [0, 1000],
        [1, 1100],
        [2, 1200],
      ],
      [1000, 2000, 3000],
    ],
    [
      'file restarting from 0 moves on, never back',
      'file',
      [
        [0, 1000],
        [5, 6000],
        [0, 6100],
      ],
      [1000, 6000, 6200],
    ],
    [
      'timestamps without pts step by the nominal interval',
      'live',
      [
        [0, 1000],
        [Number.NaN, 1200],
      ],
      [1000, 1200],
    ],
    [
      'no pts ever: arrival time',
      'live',
      [
        [Number.NaN, 1000],
        [Number.NaN, 1180],
      ],
      [1000, 1180],
    ],
    // A restart: stream time starts over, wall time goes on from the new arrival.
    [
      'live restart re-anchors',
      'live',
      [[0, 1000], [0.2, 1200], 'reset', [0, 9000], [0.2, 9200]],
      [1000, 1200, 9000, 9200],
    ],
    [
      'file restart after reading ahead continues one frame interval on',
      'file',
      [[0, 1000], [9, 1900], 'reset', [0, 2000]],
      [1000, 10000, 10200],
    ],
    [
      'live jump in stream time is a discontinuity, not drift',
      'live',
      [
        [0, 1000],
        [0.2, 1200],
        [100, 1400],
      ],
      [1000, 1200, 1400],
    ],
  ])('%s', (_name, mode, inputs, expected) => {
    expect(run(new StreamClock(mode, 200), inputs)).toEqual(expected);
  });

  it('follows a camera clock that runs slow, slowly (drift is not jitter)', () => {
    const clock = new StreamClock('live', 200);
    // The camera's clock loses 1 ms every frame against ours.
    const ts = Array.from({ length: 500 }, (_, i) => clock.toWallMs(i * 0.2, 1000 + i * 201));
    const lagEnd = 1000 + 499 * 201 - ts.at(-1)!;
    expect(lagEnd).toBeGreaterThan(0);
    expect(lagEnd).toBeLessThan(100); // without following, it would lag 499 ms
    expect(DISCONTINUITY_MS).toBeGreaterThan(1000);
  });

  it('never returns a timestamp at or before the previous one', () => {
    const clock = new StreamClock('live', 200);
    const ts = run(clock, [[0, 1000], [0, 1000], [0.1, 900], 'reset', [0, 500]]);
    for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThan(ts[i - 1]!);
  });

  it('peekWallMs maps without advancing', () => {
    const clock = new StreamClock('file', 200);
    expect(clock.peekWallMs(1)).toBeUndefined();
    clock.toWallMs(0, 5000);
    expect(clock.peekWallMs(2.5)).toBe(7500);
    expect(clock.toWallMs(0.2, 5100)).toBe(5200);
  });
});
