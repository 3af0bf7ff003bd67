// Where a red_light event's signal state came from: one string per source kind, on red_light events only.
import { describe, expect, it } from 'vitest';
import { buildEvent } from '../../edge/events/event-builder.ts';
import type { Transition } from '../../edge/rules/engine.ts';
import { signalProvenance } from '../../edge/signal/signal-provenance.ts';
import type { SignalConfig } from '../../edge/signal/signal-schema.ts';

describe('signalProvenance', () => {
  it.each([
    [undefined, 'none'],
    [{ source: 'fixed', state: 'red' }, 'fixed:red'],
    [
      { source: 'mqtt', topic: 'junction/7/signal', payloadField: 'state', staleAfterS: 5 },
      'mqtt:junction/7/signal',
    ],
    [
      {
        source: 'lamp',
        redRegionNorm: [0.716, 0.052, 0.722, 0.058],
        minBrightness: 120,
        minSaturation: 0.35,
        minFraction: 0.08,
        hysteresisFrames: 3,
        staleAfterS: 3,
      },
      'lamp:0.716,0.052,0.722,0.058',
    ],
  ] as [SignalConfig | undefined, string][])('%j -> %s', (cfg, expected) => {
    expect(signalProvenance(cfg)).toBe(expected);
  });
});

describe('buildEvent records the signal source on red_light events only', () => {
  const transition = (type: string): Transition =>
    ({
      eventId: 'evt_signal_00001',
      seq: 0,
      phase: 'start',
      tsMs: 1_000,
      startTs: 1_000,
      rule: { id: 'r1', type },
      hit: { label: 'car', confidence: 0.9, boxXyxyNorm: [0.1, 0.1, 0.2, 0.2], details: { signal: 'red' } },
    }) as unknown as Transition;
  it.each([
    ['red_light', 'mqtt:junction/7/signal'],
    ['illegal_stop', undefined],
    ['speeding', undefined],
  ])('%s -> %s', (type, source) => {
    const e = buildEvent('hcmc-d1', 'cam-1', transition(type), { signalSource: 'mqtt:junction/7/signal' });
    expect(e.details?.signalSource).toBe(source);
  });
  it('without a context nothing is added', () => {
    expect(buildEvent('hcmc-d1', 'cam-1', transition('red_light')).details).toEqual({ signal: 'red' });
  });
});
