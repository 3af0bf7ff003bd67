import { describe, expect, it } from 'vitest';
import type { SignalState } from '../../contract/index.ts';
import { IllegalStopRule, type IllegalStopRuleConfig } from '../../edge/rules/illegal-stop.ts';
import { FRAME_MS, jitter, repeatFrames, runRule, type SimFrame, starts, T0 } from '../helpers/rule-sim.ts';

// The curb lane: x 0..0.5, y 0.6..1.
const zone = {
  id: 'curb',
  polygon: [
    [0, 0.6],
    [0.5, 0.6],
    [0.5, 1],
    [0, 1],
  ] as [number, number][],
};

function cfg(over: Partial<IllegalStopRuleConfig> = {}): IllegalStopRuleConfig {
  return {
    type: 'illegal_stop',
    id: 'no-stop',
    zone: 'curb',
    stationaryS: 30,
    maxDisplacement: 0.01,
    windowS: 5,
    cooldownS: 30,
    minConfidence: 0.3,
    minBoxArea: 0,
    ...over,
  };
}

const run = (frames: Iterable<SimFrame>, over: Partial<IllegalStopRuleConfig> = {}, t0 = T0) => {
  const c = cfg(over);
  return runRule(new IllegalStopRule(c, zone), c, frames, t0);
};
const S = (s: number) => Math.round((s * 1000) / FRAME_MS); // frames in s seconds
/** A parked car at (0.25, 0.8) with detector jitter of +-0.003. */
const parked = (i: number, id = 1) => ({ id, x: 0.25 + jitter(i, 0.003), y: 0.8 + jitter(i + 7, 0.003) });
/** Signal cycle: 60 s red, 30 s green. */
const cycle = (i: number): SignalState => (((i * FRAME_MS) / 1000) % 90 < 60 ? 'red' : 'green');

describe('illegal_stop through the rules engine', () => {
  it.each<[string, Iterable<SimFrame>, number]>([
    ['empty frames fire nothing', repeatFrames(S(120), () => ({ objs: [] })), 0],
    ['29 s stationary is below stationaryS', repeatFrames(S(29), (i) => ({ objs: [parked(i)] })), 0],
    ['40 s stationary fires once', repeatFrames(S(40), (i) => ({ objs: [parked(i)] })), 1],
    [
      'stationary outside the zone never fires',
      repeatFrames(S(120), (i) => ({ objs: [{ id: 1, x: 0.75, y: 0.8 + jitter(i, 0.003) }] })),
      0,
    ],
    [
      'unconfirmed tracks never fire',
      repeatFrames(S(120), (i) => ({ objs: [{ ...parked(i), confirmed: false }] })),
      0,
    ],
    [
      'crawling traffic (0.004 per frame) is not stationary',
      repeatFrames(S(120), (i) => ({ objs: [{ id: 1, x: 0.01 + ((i * 0.004) % 0.48), y: 0.8 }] })),
      0,
    ],
    [
      'moving traffic through the zone never fires (a new car every 10 s)',
      repeatFrames(S(300), (i) => ({
        objs: [{ id: 1 + Math.floor(i / 50), x: 0.01 + (i % 50) * 0.0098, y: 0.8 }],
      })),
      0,
    ],
    [
      'a queue stopped for the whole red (60 s) that leaves 5 s into green never fires',
      repeatFrames(S(900), (i) => {
        const tS = (i * FRAME_MS) / 1000;
        const inCycle = tS % 90; // 0..60 red, 60..90 green
        const id = 1 + Math.floor(tS / 90);
        if (inCycle < 65) return { objs: [parked(i, id)], signal: inCycle < 60 ? 'red' : 'green' };
        return { objs: [{ id, x: 0.25, y: 0.8 - (inCycle - 65) * 0.02 }], signal: 'green' };
      }),
      0,
    ],
    [
      'the same stop with the signal green fires (control for the queue case)',
      repeatFrames(S(65), (i) => ({ objs: [parked(i)], signal: 'green' })),
      1,
    ],
  ])('%s', (_name, frames, nStarts) => {
    expect(starts(run(frames)).length).toBe(nStarts);
  });

  it('a car parked for an hour fires ONCE: one start, periodic updates, no end (also across signal cycles)', () => {
    for (const signalOf of [(_i: number): SignalState => 'unknown', cycle]) {
      const ts = run(repeatFrames(S(3600), (i) => ({ objs: [parked(i)], signal: signalOf(i) })));
      const s = starts(ts);
      expect(s.length).toBe(1);
      expect(ts.filter((t) => t.phase === 'end').length).toBe(0);
      const updates = ts.filter((t) => t.phase === 'update');
      // updates every 30 s (engine default) from the start to the end of the hour
      const expectUpdates = Math.floor((T0 + 3600_000 - FRAME_MS - s[0]!.tsMs) / 30_000);
      expect(updates.length).toBeGreaterThanOrEqual(expectUpdates - 1);
      expect(updates.length).toBeLessThanOrEqual(expectUpdates);
      expect(new Set(ts.map((t) => t.eventId)).size).toBe(1);
      const last = updates[updates.length - 1]!;
      // dwellS is the time since the car stopped (red phases included), not the paused timer
      expect(last.hit.details?.dwellS).toBeCloseTo((last.tsMs - T0) / 1000, 0);
    }
  });

  it('fires stationaryS after the stop, with the dwell and zone a reviewer needs', () => {
    const s = starts(run(repeatFrames(S(40), (i) => ({ objs: [parked(i)] }))));
    expect(s[0]!.tsMs - T0).toBeGreaterThanOrEqual(30_000);
    expect(s[0]!.tsMs - T0).toBeLessThanOrEqual(30_400);
    expect(s[0]!.hit.zone).toBe('curb');
    expect(s[0]!.hit.details?.dwellS).toBeGreaterThanOrEqual(30);
  });

  it('red pauses the timer: 20 s green + 60 s red + 10 s green fires 10 s (+1 frame) after green returns', () => {
    const signal = (i: number): SignalState => (i < S(20) ? 'green' : i < S(80) ? 'red' : 'green');
    const s = starts(run(repeatFrames(S(100), (i) => ({ objs: [parked(i)], signal: signal(i) }))));
    expect(s.length).toBe(1);
    const afterGreen = s[0]!.tsMs - (T0 + 80_000);
    // the red->green step itself is not counted: 10 s of green time plus one frame
    expect(afterGreen).toBeGreaterThanOrEqual(10_000);
    expect(afterGreen).toBeLessThanOrEqual(10_000 + 2 * FRAME_MS);
  });

  it('one jittery frame (a box jump) does not end or restart a parked event', () => {
    const ts = run(
      repeatFrames(S(300), (i) => ({ objs: [i % 97 === 50 ? { id: 1, x: 0.3, y: 0.85 } : parked(i)] })),
    );
    expect(starts(ts).length).toBe(1);
    expect(ts.filter((t) => t.phase === 'end').length).toBe(0);
  });

  it('a parked car that drives away ends its event after the engine grace', () => {
    const ts = run(
      repeatFrames(S(60), (i) =>
        i < S(40) ? { objs: [parked(i)] } : { objs: [{ id: 1, x: 0.25, y: 0.8 - (i - S(40)) * 0.02 }] },
      ),
    );
    expect(ts.map((t) => t.phase)).toEqual(['start', 'end']);
    // the window median (windowS/2) plus the engine end grace (2 s) after it starts moving at 40 s
    expect(ts[1]!.tsMs - T0).toBeLessThan(46_000);
  });

  it('schedule 06:00-09:00: a car stationary from 05:59 fires only at 06:00 + stationaryS, ends at 09:00', () => {
    const t0 = Date.parse('2026-11-23T22:59:00Z'); // 05:59 local (UTC+7)
    const ts = run(
      repeatFrames(S(3 * 3600 + 120), (i) => ({ objs: [parked(i)] })),
      { schedule: [{ start: '06:00', end: '09:00' }] },
      t0,
    );
    const s = starts(ts);
    expect(s.length).toBe(1);
    const six = Date.parse('2026-11-23T23:00:00Z');
    expect(s[0]!.tsMs - six).toBeGreaterThanOrEqual(30_000);
    expect(s[0]!.tsMs - six).toBeLessThanOrEqual(30_400);
    const ends = ts.filter((t) => t.phase === 'end');
    expect(ends.length).toBe(1);
    expect(ends[0]!.tsMs).toBe(Date.parse('2026-11-24T02:00:00Z')); // 09:00 local, the first frame out of schedule
  });
});
