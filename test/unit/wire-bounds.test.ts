// The bounded decoding of wire payloads: size and nesting before parsing, first error only, short previews, and
// the absolute timestamp range of the contract.
import { describe, expect, it } from 'vitest';
import {
  decodePayload,
  MAX_TS_MS,
  MIN_TS_MS,
  nestingExceededAt,
  preview,
  validateAck,
  validateEvent,
  validateStatus,
} from '../../contract/index.ts';
import { sampleEvent } from '../helpers/fixtures.ts';

const LIMITS = { maxBytes: 65_536, limitName: 'ingest.maxMessageBytes' };
const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('nestingExceededAt', () => {
  it.each([
    ['empty', '', 4, -1],
    ['flat object', '{"a":1}', 1, -1],
    ['exactly at the limit', '[[[]]]', 3, -1],
    ['one deeper than the limit', '[[[[]]]]', 3, 3],
    ['brackets inside strings do not count', '{"a":"[[[[[[[["}', 1, -1],
    ['escaped quote keeps the string open', '{"a":"\\"[[[[["}', 1, -1],
    ['escaped backslash closes the string', '{"a":"\\\\","b":[[[1]]]}', 3, 16],
    ['closing brackets bring the depth back', '[[]][[]][[]]', 2, -1],
    ['200,000 levels stop at the limit, not the end', '['.repeat(200_000), 16, 16],
  ])('%s', (_name, text, max, expected) => {
    expect(nestingExceededAt(Buffer.from(text), max)).toBe(expected);
  });
});

describe('preview', () => {
  it.each([
    ['undefined', undefined, 'nothing'],
    ['a number', 1e300, '1e+300'],
    ['a short string', 'abc', '"abc"'],
    ['a small array', [1, [2, 3]], '[1,[2,3]]'],
    ['an object', { a: 1, b: 'x' }, '{"a":1,"b":"x"}'],
  ])('%s', (_n, value, expected) => {
    expect(preview(value)).toBe(expected);
  });

  it('stays short for a huge array and never walks a deep one', () => {
    const huge = Array.from({ length: 1_000_000 }, (_, i) => [i, i]);
    expect(preview(huge).length).toBeLessThanOrEqual(80);
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(preview(deep)).toMatch(/^\[\[\[\[\.\.\.1 items\]\]\]\]$/);
    expect(preview('x'.repeat(1_000_000)).length).toBe(80);
  });
});

describe('decodePayload', () => {
  it('accepts a valid event and keeps its text', () => {
    const d = decodePayload(bytes(sampleEvent()), validateEvent, LIMITS);
    expect(d.ok).toBe(true);
    if (d.ok) expect(JSON.parse(d.text)).toEqual(sampleEvent());
  });

  it.each([
    [
      'above the size limit',
      Buffer.alloc(65_537, 0x20),
      'payload is 65537 bytes, above the limit of 65536 (ingest.maxMessageBytes)',
    ],
    [
      '30,000-deep nesting under the size limit',
      Buffer.from(`{"details":${'['.repeat(30_000)}`),
      'payload nests deeper than 16 levels (at byte 26)',
    ],
    [
      '200,000-deep nesting: over the size limit first',
      Buffer.from('['.repeat(200_000)),
      'payload is 200000 bytes',
    ],
    ['not JSON', Buffer.from('{"a":'), 'payload is not JSON'],
    ['ts 1e300', bytes({ ...sampleEvent(), ts: 1e300 }), '/ts: must be <= 253402300799999 (got 1e+300)'],
    ['ts 9e15', bytes({ ...sampleEvent(), ts: 9e15 }), '/ts: must be <= 253402300799999'],
    ['negative ts', bytes({ ...sampleEvent(), ts: -1 }), '/ts: must be >= 946684800000 (got -1)'],
    ['ts 0', bytes({ ...sampleEvent(), startTs: 0 }), '/startTs: must be >= 946684800000'],
    ['seq 1e30', bytes({ ...sampleEvent(), seq: 1e30 }), '/seq: must be <= 9007199254740991'],
  ])('refuses %s with one short reason', (_n, payload, reason) => {
    const d = decodePayload(payload, validateEvent, LIMITS);
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.errors).toHaveLength(1);
    expect(d.errors[0]).toContain(reason);
    expect(d.errors[0]!.length).toBeLessThanOrEqual(240);
  });

  it('refuses 200,000-deep nesting by its depth when the size limit allows it, without a stack overflow', () => {
    const deep = Buffer.from(`${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    const d = decodePayload(deep, validateEvent, { maxBytes: 1_000_000 });
    expect(d).toEqual({
      ok: false,
      errors: ['/: payload nests deeper than 16 levels (at byte 16); events nest 4 deep'],
    });
  });

  it('reports one error for 5 million bad path points, quickly', () => {
    const points = Array.from({ length: 5_000_000 }, () => [7, 7]);
    const value = { ...sampleEvent(), details: { pathNorm: points } };
    const t = performance.now();
    const v = validateEvent(value);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.errors).toEqual([
        expect.stringMatching(/^\/details\/pathNorm: must NOT have more than 32 items/),
      ]);
      expect(v.errors[0]!.length).toBeLessThanOrEqual(240);
    }
    // Not a timing assertion of speed, a bound that only an O(n) formatter would break by orders of magnitude.
    expect(performance.now() - t).toBeLessThan(5_000);
  });
});

describe('contract bounds', () => {
  it.each([
    ['the smallest event ts', MIN_TS_MS, true],
    ['the largest event ts (9999-12-31)', MAX_TS_MS, true],
    ['one ms past it', MAX_TS_MS + 1, false],
    ['a fraction', 1_763_700_000_000.5, false],
  ])('event ts: %s', (_n, ts, ok) => {
    expect(validateEvent({ ...sampleEvent(), ts, startTs: MIN_TS_MS }).ok).toBe(ok);
  });

  it.each([
    ['0 (the last will)', 0, true],
    ['9e15', 9e15, false],
    ['negative', -5, false],
  ])('status ts: %s', (_n, ts, ok) => {
    expect(validateStatus({ schemaVersion: 1, site: 's1', camera: 'cam-1', state: 'online', ts }).ok).toBe(
      ok,
    );
  });

  it.each([
    ['a valid ack', { schemaVersion: 1, site: 's1', ts: MIN_TS_MS, stored: [['evt_00000001', 0]] }, true],
    [
      'with refusals',
      {
        schemaVersion: 1,
        site: 's1',
        ts: MIN_TS_MS,
        stored: [],
        refused: [{ id: 'evt_00000001', seq: 2, reason: 'x' }],
      },
      true,
    ],
    [
      'an id that is not an id',
      { schemaVersion: 1, site: 's1', ts: MIN_TS_MS, stored: [['../x', 0]] },
      false,
    ],
    [
      'a negative seq',
      { schemaVersion: 1, site: 's1', ts: MIN_TS_MS, stored: [['evt_00000001', -1]] },
      false,
    ],
    [
      'too many entries',
      {
        schemaVersion: 1,
        site: 's1',
        ts: MIN_TS_MS,
        stored: Array.from({ length: 1001 }, (_, i) => [`evt_${String(i).padStart(8, '0')}`, 0]),
      },
      false,
    ],
  ])('ack: %s', (_n, msg, ok) => {
    expect(validateAck(msg).ok).toBe(ok);
  });
});
