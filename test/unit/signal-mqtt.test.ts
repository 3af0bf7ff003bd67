import { describe, expect, it } from 'vitest';
import { MqttSignalSource, parseSignalPayload } from '../../edge/signal/mqtt-signal.ts';
import type { MqttSignalConfig } from '../../edge/signal/signal-schema.ts';

describe('signal controller payloads', () => {
  it.each([
    ['JSON object', '{"state":"red"}', 'state', 'red'],
    ['JSON object, upper case', '{"state":"GREEN"}', 'state', 'green'],
    ['yellow means amber', '{"state":"yellow"}', 'state', 'amber'],
    ['JSON string', '"amber"', 'state', 'amber'],
    ['plain text with a newline', 'red\n', 'state', 'red'],
    ['custom nested field', '{"phase":{"colour":"red"},"state":"green"}', 'phase.colour', 'red'],
    ['missing field', '{"colour":"red"}', 'state', undefined],
    ['field holds a number', '{"state":1}', 'state', undefined],
    ['unknown word', 'blinking', 'state', undefined],
    ['truncated JSON', '{"state":"re', 'state', undefined],
    ['empty payload', '', 'state', undefined],
    ['JSON null', 'null', 'state', undefined],
    ['array', '["red"]', 'state', undefined],
  ] as [string, string, string, string | undefined][])('%s', (_n, payload, field, expected) => {
    expect(parseSignalPayload(Buffer.from(payload), field)).toBe(expected);
  });
});

describe('MQTT signal source state', () => {
  const cfg: MqttSignalConfig = {
    source: 'mqtt',
    topic: 'junction/1/signal',
    payloadField: 'state',
    staleAfterS: 5,
  };

  it.each([
    ['nothing received yet', [], 0, 'unknown'],
    ['last message red, fresh', [[0, '{"state":"red"}']], 4_999, 'red'],
    ['last message red, stale', [[0, '{"state":"red"}']], 5_001, 'unknown'],
    [
      'red then garbage: unknown at once, never the old red',
      [
        [0, 'red'],
        [1_000, '???'],
      ],
      1_000,
      'unknown',
    ],
    [
      'garbage then green',
      [
        [0, '???'],
        [1_000, 'green'],
      ],
      2_000,
      'green',
    ],
    [
      'red then green',
      [
        [0, 'red'],
        [1_000, 'green'],
      ],
      1_500,
      'green',
    ],
  ] as [string, [number, string][], number, string][])('%s', (_n, messages, atMs, expected) => {
    let now = 0;
    const src = new MqttSignalSource(cfg, () => now);
    for (const [t, payload] of messages) {
      now = t;
      src.receive(Buffer.from(payload));
    }
    now = atMs;
    expect(src.state()).toBe(expected);
  });

  it('counts unparseable payloads', () => {
    const src = new MqttSignalSource(cfg, () => 0);
    const parsed = ['red', 'x', '{"state":', 'green'].map((p) => src.receive(p));
    expect(parsed).toEqual([true, false, false, true]);
    expect(src.counters).toEqual({ messages: 4, unparseable: 2, outOfTime: 0 });
  });
});

describe('MQTT signal timestamps, bounded at the edge', () => {
  const NOW = Date.parse('2026-12-01T08:00:00Z');
  const cfg: MqttSignalConfig = {
    source: 'mqtt',
    topic: 'junction/1/signal',
    payloadField: 'state',
    staleAfterS: 5,
  };
  const msg = (ts: unknown) => JSON.stringify({ state: 'red', ts });

  it.each([
    ['no timestamp: taken as it arrives', '{"state":"red"}', 'red'],
    ['now, in ms', msg(NOW), 'red'],
    ['now, in seconds', msg(NOW / 1000), 'red'],
    ['now, ISO 8601', msg(new Date(NOW).toISOString()), 'red'],
    ['1.9 s ahead (within the 2 s skew)', msg(NOW + 1_900), 'red'],
    ['3 s ahead', msg(NOW + 3_000), 'unknown'],
    ['ts 1e300', msg(1e300), 'unknown'],
    ['6.9 s old (stale limit 5 s + skew 2 s)', msg(NOW - 6_900), 'red'],
    ['an hour old (a replay)', msg(NOW - 3_600_000), 'unknown'],
    ['negative', msg(-1), 'unknown'],
    ['not a time', msg('soon'), 'unknown'],
    ['an object', msg({ t: 1 }), 'unknown'],
  ])('%s -> %s', (_n, payload, expected) => {
    const src = new MqttSignalSource(cfg, () => NOW);
    src.receive(payload);
    expect(src.state()).toBe(expected);
    expect(src.counters.outOfTime).toBe(expected === 'unknown' ? 1 : 0);
  });

  it('a misdated red after a good red makes the state unknown, never keeps the old red', () => {
    const src = new MqttSignalSource({ ...cfg, tsField: 'at', maxClockSkewS: 0 }, () => NOW);
    src.receive(JSON.stringify({ state: 'red', at: NOW }));
    expect(src.state()).toBe('red');
    src.receive(JSON.stringify({ state: 'red', at: NOW + 1 }));
    expect(src.state()).toBe('unknown');
  });
});
