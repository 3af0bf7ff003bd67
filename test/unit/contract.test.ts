import { describe, expect, it } from 'vitest';
import { parsePayload, parseTopic, Topics, validateEvent, validateStatus } from '../../contract/index.ts';
import { sampleEvent } from '../helpers/fixtures.ts';

describe('event schema', () => {
  it('accepts a typical event and keeps it under 1 KB of JSON', () => {
    const ev = sampleEvent({
      details: {
        dwellS: 12.4,
        signal: 'red',
        pathNorm: Array.from({ length: 16 }, (_, i) => [0.1234 + i / 100, 0.5678] as [number, number]),
      },
      evidence: { snapshot: 'snap_0123456789abcdef0123', clip: 'clip_0123456789abcdef0123' },
    });
    expect(validateEvent(ev)).toEqual({ ok: true, value: ev });
    expect(Buffer.byteLength(JSON.stringify(ev))).toBeLessThan(1024);
  });

  it.each([
    ['wrong schema version', { schemaVersion: 99 }, '/schemaVersion'],
    ['short id', { id: 'abc' }, '/id'],
    ['negative seq', { seq: -1 }, '/seq'],
    ['unknown phase', { phase: 'begin' }, '/phase'],
    ['site with a slash', { site: 'a/b' }, '/site'],
    ['unknown rule type', { ruleType: 'jaywalking' }, '/ruleType'],
    ['confidence above 1', { confidence: 1.5 }, '/confidence'],
    ['box outside 0..1', { boxXyxyNorm: [0, 0, 1.2, 1] }, '/boxXyxyNorm/2'],
    ['box with 3 numbers', { boxXyxyNorm: [0, 0, 1] }, '/boxXyxyNorm'],
    ['unknown field', { extra: 1 }, "must NOT have additional properties 'extra'"],
    ['speed above bound', { details: { speedKmh: 900 } }, '/details/speedKmh'],
  ])('rejects %s, naming the field', (_name, patch, expected) => {
    const v = validateEvent({ ...sampleEvent(), ...patch });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.errors.join('\n')).toContain(expected);
  });

  it.each([
    ['not JSON', '{"a":', 'payload is not JSON'],
    ['empty', '', 'payload is not JSON'],
    ['a JSON array', '[]', 'must be object'],
    ['null', 'null', 'must be object'],
  ])('parsePayload reports %s without throwing', (_n, raw, expected) => {
    const v = parsePayload(Buffer.from(raw), validateEvent);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.errors.join()).toContain(expected);
  });

  it('validates status messages', () => {
    expect(
      validateStatus({ schemaVersion: 1, site: 's1', camera: 'cam-1', state: 'offline', reason: 'x', ts: 1 })
        .ok,
    ).toBe(true);
    expect(
      validateStatus({ schemaVersion: 1, site: 's1', camera: 'cam-1', state: 'sleeping', ts: 1 }).ok,
    ).toBe(false);
  });
});

describe('topics', () => {
  it.each([
    ['matthan/v1/s1/cam-1/events', { site: 's1', camera: 'cam-1', channel: 'events' }],
    ['matthan/v1/s1/_edge/status', { site: 's1', camera: '_edge', channel: 'status' }],
    ['matthan/v2/s1/cam-1/events', undefined],
    ['matthan/v1/s1/cam-1/other', undefined],
    ['matthan/v1/s1/events', undefined],
    ['matthan/v1//cam/events', undefined],
    ['', undefined],
  ])('parseTopic(%j)', (topic, expected) => {
    expect(parseTopic(topic)).toEqual(expected);
  });

  it('builds the contract topics', () => {
    expect(Topics.events('s1', 'c1')).toBe('matthan/v1/s1/c1/events');
    expect(Topics.status('s1', 'c1')).toBe('matthan/v1/s1/c1/status');
    expect(Topics.allEvents).toBe('matthan/v1/+/+/events');
  });
});
