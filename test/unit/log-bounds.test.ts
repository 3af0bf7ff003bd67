// Every log line is bounded, whatever a caller hands the logger: long strings, long arrays, deep nesting, errors.
import { describe, expect, it } from 'vitest';
import { clipForLog, LOG_STRING_CHARS } from '../../lib/log.ts';

describe('clipForLog', () => {
  it.each([
    ['a short string', 'abc', 'abc'],
    ['a number', 42, 42],
    ['null', null, null],
    ['a long string', 'x'.repeat(5000), `${'x'.repeat(LOG_STRING_CHARS)}...(5000 chars)`],
    [
      'a long array',
      Array.from({ length: 30 }, (_, i) => i),
      [...Array.from({ length: 20 }, (_, i) => i), '...(30 items)'],
    ],
    ['deep nesting', { a: { b: { c: { d: { e: 1 } } } } }, { a: { b: { c: { d: '{...}' } } } }],
    ['an empty object', {}, {}],
  ])('%s', (_n, value, expected) => {
    expect(clipForLog(value)).toEqual(expected);
  });

  it('bounds an error with a huge message and a 200,000-deep value to a few KiB', () => {
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const line = JSON.stringify(
      clipForLog({ err: new Error('m'.repeat(10_000_000)), deep, reason: 'r'.repeat(1_000_000) }),
    );
    expect(line.length).toBeLessThan(4096);
    expect(line).toContain('(10000000 chars)');
  });
});
