import { describe, expect, it } from 'vitest';
import { classifyDrift, type DriftVerdict, type ViewEstimate } from '../../edge/view/drift-classifier.ts';
import { ViewGuardState, type ViewState } from '../../edge/view/view-guard-state.ts';
import { driftOf, identity, type ViewTransform } from '../../edge/view/view-transform.ts';

const ASPECT = 9 / 16;
const LIMITS = { maxMoveNorm: 0.04, minInliers: 15, minSpreadNorm: 0.2 };
const shifted = (dxNorm: number): ViewTransform => ({ a: 1, b: 0, tx: dxNorm, ty: 0, aspect: ASPECT });
const zoomed = (s: number): ViewTransform => ({
  a: s,
  b: 0,
  tx: 0.5 * (1 - s),
  ty: 0.5 * ASPECT * (1 - s),
  aspect: ASPECT,
});
const est = (
  transform: ViewTransform,
  inliers = 80,
  spreadNorm: [number, number] = [0.9, 0.8],
): ViewEstimate => ({
  transform,
  inliers,
  spreadNorm,
});

describe('classifyDrift', () => {
  it.each([
    ['no estimate (blank frame, no features)', undefined, 'unreliable'],
    ['a still view', est(identity(ASPECT)), 'steady'],
    ['the 40 px slide of a 1600 px picture (2.5 %)', est(shifted(-0.025)), 'steady'],
    ['just within the limit', est(shifted(0.0399)), 'steady'],
    ['just past the limit', est(shifted(0.0401)), 'large'],
    ['a sudden 10 % zoom', est(zoomed(1.1)), 'large'],
    ['a 3 % zoom out (corners move 1.7 %)', est(zoomed(0.97)), 'steady'],
    ['too few agreeing points', est(identity(ASPECT), 14), 'unreliable'],
    ['exactly minInliers agree', est(identity(ASPECT), 15), 'steady'],
    // a caption overlay or one band of trees: wide but flat
    ['points in one horizontal band', est(identity(ASPECT), 80, [0.9, 0.1]), 'unreliable'],
    // every corner on one vehicle: its motion must not pass for the camera's
    ['points all on one moving object', est(shifted(0.1), 60, [0.12, 0.15]), 'unreliable'],
    ['a large move seen on few points is still unreliable', est(zoomed(1.3), 5), 'unreliable'],
    ['degenerate zero-scale transform', est({ a: 0, b: 0, tx: 0, ty: 0, aspect: ASPECT }), 'unreliable'],
    ['NaN transform', est({ a: Number.NaN, b: 0, tx: 0, ty: 0, aspect: ASPECT }), 'unreliable'],
  ] as [string, ViewEstimate | undefined, DriftVerdict['kind']][])('%s -> %s', (_n, e, kind) => {
    const v = classifyDrift(e, LIMITS);
    expect(v.kind).toBe(kind);
    if (v.kind === 'unreliable') expect(v.reason.length).toBeGreaterThan(0);
    else expect(v.drift.maxMoveNorm).toBeCloseTo(driftOf(e!.transform).maxMoveNorm, 12);
  });
});

const steady = (moveNorm: number): DriftVerdict => ({ kind: 'steady', drift: driftOf(shifted(moveNorm)) });
const large = (moveNorm = 0.06): DriftVerdict => ({ kind: 'large', drift: driftOf(shifted(moveNorm)) });
const unreliable: DriftVerdict = { kind: 'unreliable', reason: 'no estimate' };

describe('ViewGuardState: pause at once, resume after a calm spell below the resume limit', () => {
  const OPTS = { resumeMoveNorm: 0.03, resumeAfterMs: 2000 };
  type Row = [string, ViewState, [number, DriftVerdict][], ViewState[]];
  it.each([
    [
      'steady stays steady on small drift',
      'steady',
      [
        [0, steady(0)],
        [400, steady(0.02)],
        [800, steady(0.039)],
      ],
      ['steady', 'steady', 'steady'],
    ],
    [
      'one large measure pauses at once',
      'steady',
      [
        [0, steady(0)],
        [400, large()],
      ],
      ['steady', 'moved'],
    ],
    [
      'one unreliable measure pauses at once',
      'steady',
      [
        [0, steady(0)],
        [400, unreliable],
      ],
      ['steady', 'uncertain'],
    ],
    [
      'resumes after resumeAfterMs of calm measures',
      'moved',
      [
        [0, steady(0.01)],
        [1000, steady(0.01)],
        [1999, steady(0.01)],
        [2000, steady(0.01)],
      ],
      ['moved', 'moved', 'moved', 'steady'],
    ],
    [
      'hysteresis: back under the pause limit but above the resume limit stays paused',
      'moved',
      [
        [0, steady(0.035)],
        [2000, steady(0.035)],
        [4000, steady(0.035)],
      ],
      ['moved', 'moved', 'moved'],
    ],
    [
      'a relapse restarts the calm spell',
      'moved',
      [
        [0, steady(0.01)],
        [1500, large()],
        [2000, steady(0.01)],
        [3500, steady(0.01)],
        [4000, steady(0.01)],
      ],
      ['moved', 'moved', 'moved', 'moved', 'steady'],
    ],
    [
      'an unreliable measure restarts the calm spell',
      'uncertain',
      [
        [0, steady(0)],
        [1500, unreliable],
        [2000, steady(0)],
        [4000, steady(0)],
      ],
      ['uncertain', 'uncertain', 'uncertain', 'steady'],
    ],
    ['a moved view that becomes unmeasurable stays "moved"', 'moved', [[0, unreliable]], ['moved']],
    [
      'an uncertain view found far off is "moved"',
      'uncertain',
      [
        [0, large()],
        [400, steady(0.035)],
      ],
      ['moved', 'moved'],
    ],
    ['resumeAfterMs 0 resumes on the first calm measure', 'moved', [[0, steady(0)]], ['steady']],
    ['no measures: nothing changes', 'uncertain', [], []],
  ] as Row[])('%s', (name, initial, steps, want) => {
    const s = new ViewGuardState(
      name.includes('resumeAfterMs 0') ? { ...OPTS, resumeAfterMs: 0 } : OPTS,
      initial,
      0,
    );
    const got = steps.map(([ts, v]) => s.step(v, ts).state);
    expect(got).toEqual(want);
    expect(s.paused).toBe((want.at(-1) ?? initial) !== 'steady');
  });

  it('reports a change, the time it happened and the last drift', () => {
    const s = new ViewGuardState(OPTS, 'steady', 0);
    expect(s.step(steady(0.01), 400).changed).toBe(false);
    const paused = s.step(large(0.07), 800);
    expect(paused).toEqual({ state: 'moved', paused: true, changed: true });
    expect(s.sinceMs).toBe(800);
    expect(s.lastDrift?.shiftNorm[0]).toBeCloseTo(0.07, 12);
    s.step(unreliable, 1200);
    expect(s.lastDrift?.shiftNorm[0]).toBeCloseTo(0.07, 12);
    expect(s.lastReason).toBe('no estimate');
    expect(s.sinceMs).toBe(800);
  });
});
