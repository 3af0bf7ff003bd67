// The signal states a camera saw: changes only, bounded, and the state in force at the start of a window.
import { describe, expect, it } from 'vitest';
import type { SignalState } from '../../contract/index.ts';
import { SignalTimeline } from '../../edge/signal/signal-timeline.ts';

const fed = (frames: [number, SignalState][], max?: number) => {
  const t = new SignalTimeline(max);
  for (const [ts, s] of frames) t.record(ts, s);
  return t;
};

describe('SignalTimeline.between', () => {
  it.each<[string, [number, SignalState][], number, number, number | undefined, [number, SignalState][]]>([
    ['nothing recorded', [], 0, 1000, undefined, []],
    ['window before any frame', [[500, 'red']], 0, 400, undefined, []],
    [
      'one state throughout',
      [
        [0, 'red'],
        [200, 'red'],
        [400, 'red'],
      ],
      100,
      400,
      undefined,
      [[100, 'red']],
    ],
    [
      'a change inside the window',
      [
        [0, 'green'],
        [200, 'amber'],
        [400, 'red'],
        [600, 'red'],
      ],
      100,
      500,
      undefined,
      [
        [100, 'green'],
        [200, 'amber'],
        [400, 'red'],
      ],
    ],
    [
      'first frame inside the window: no state before it',
      [[300, 'red']],
      100,
      500,
      undefined,
      [[300, 'red']],
    ],
    [
      'changes after the window are left out',
      [
        [0, 'red'],
        [900, 'green'],
      ],
      0,
      500,
      undefined,
      [[0, 'red']],
    ],
    [
      'bounded: the oldest changes are dropped',
      [
        [0, 'red'],
        [100, 'green'],
        [200, 'red'],
        [300, 'green'],
      ],
      0,
      400,
      2,
      [
        [200, 'red'],
        [300, 'green'],
      ],
    ],
    [
      'a frame older than the last change is ignored',
      [
        [500, 'red'],
        [100, 'green'],
      ],
      0,
      900,
      undefined,
      [[500, 'red']],
    ],
  ])('%s', (_name, frames, from, to, max, expected) => {
    expect(
      fed(frames, max)
        .between(from, to)
        .map((c) => [c.tsMs, c.state]),
    ).toEqual(expected);
  });
});
