// Clip planning over ring segments: which files, where to seek, how long, and what is missing.
import { describe, expect, it } from 'vitest';
import { copyCutStart } from '../../edge/evidence/clip-cutter.ts';
import { type ClipPlan, planClip, type TimedSegment } from '../../edge/evidence/clip-plan.ts';

const seg = (name: string, startMs: number, endMs: number): TimedSegment => ({ file: name, startMs, endMs });
// A ring of 2 s segments from t=10 000 ms to 20 000 ms.
const ring = [
  seg('a', 10_000, 12_000),
  seg('b', 12_000, 14_000),
  seg('c', 14_000, 16_000),
  seg('d', 16_000, 18_000),
  seg('e', 18_000, 20_000),
];
const SEG_START = Object.fromEntries(ring.map((s) => [s.file, s.startMs])) as Record<string, number>;

describe('planClip', () => {
  it.each<[string, TimedSegment[], number, number, number, ClipPlan | undefined]>([
    ['empty ring', [], 0, 1000, 250, undefined],
    ['window before the ring', ring, 1000, 5000, 250, undefined],
    ['window after the ring', ring, 30_000, 31_000, 250, undefined],
    [
      'window inside, lead time included',
      ring,
      13_000,
      17_000,
      250,
      {
        files: ['b', 'c', 'd'],
        firstStartMs: SEG_START.b!,
        seekS: 0.75,
        durationS: 4.25,
        missingStartMs: 0,
        missingEndMs: 0,
      },
    ],
    [
      'no lead',
      ring,
      13_000,
      17_000,
      0,
      {
        files: ['b', 'c', 'd'],
        firstStartMs: SEG_START.b!,
        seekS: 1,
        durationS: 4,
        missingStartMs: 0,
        missingEndMs: 0,
      },
    ],
    [
      'pre-roll older than the ring: starts at the oldest segment, reports the gap',
      ring,
      8_000,
      13_000,
      250,
      {
        files: ['a', 'b'],
        firstStartMs: SEG_START.a!,
        seekS: 0,
        durationS: 3,
        missingStartMs: 2000,
        missingEndMs: 0,
      },
    ],
    [
      'post-roll not recorded yet: ends at the newest segment, reports the gap',
      ring,
      17_000,
      23_000,
      0,
      {
        files: ['d', 'e'],
        firstStartMs: SEG_START.d!,
        seekS: 1,
        durationS: 3,
        missingStartMs: 0,
        missingEndMs: 3000,
      },
    ],
    [
      'lead time crosses into the previous segment',
      ring,
      12_100,
      13_000,
      250,
      {
        files: ['a', 'b'],
        firstStartMs: SEG_START.a!,
        seekS: 1.85,
        durationS: 1.15,
        missingStartMs: 0,
        missingEndMs: 0,
      },
    ],
    [
      'input order does not matter',
      [...ring].reverse(),
      15_000,
      16_500,
      0,
      {
        files: ['c', 'd'],
        firstStartMs: SEG_START.c!,
        seekS: 1,
        durationS: 1.5,
        missingStartMs: 0,
        missingEndMs: 0,
      },
    ],
    [
      'a restart gap splits the ring: the run holding more of the window wins',
      [seg('x', 0, 2000), seg('y', 2000, 4000), seg('z', 9000, 11_000)],
      1000,
      10_000,
      0,
      { files: ['x', 'y'], firstStartMs: 0, seekS: 1, durationS: 3, missingStartMs: 0, missingEndMs: 6000 },
    ],
  ])('%s', (_name, segments, fromMs, toMs, leadMs, expected) => {
    expect(planClip(segments, fromMs, toMs, leadMs)).toEqual(expected);
  });
});

describe('copyCutStart', () => {
  it.each<[string, number, number[], number, number]>([
    ['wanted point on a keyframe', 1.4, [1.4, 1.7667, 2.1333], 0.3667, 0.3667],
    ['between keyframes: the earlier one', 1.4, [1.4, 1.7667, 2.1333], 0.5, 0.3667],
    ['before the second keyframe: the segment start', 1.4, [1.4, 1.7667], 0.2, 0],
    ['after the last keyframe', 1.4, [1.4, 1.7667], 1.9, 0.3667],
    ['no keyframes listed: the segment start', 1.4, [], 1, 0],
    ['float noise just under a keyframe still picks it', 0, [0, 0.5], 0.4995, 0.5],
  ])('%s', (_name, startS, keyframes, seekS, expected) => {
    expect(copyCutStart(startS, keyframes, seekS)).toBeCloseTo(expected, 6);
  });
});
