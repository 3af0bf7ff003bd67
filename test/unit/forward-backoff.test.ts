// Retry schedule of the forwarding outbox: exponential backoff with cap and jitter, dead-letter after N, status classes.
import { describe, expect, it } from 'vitest';
import { afterAttempt, backoffDelayMs, classifyStatus } from '../../central/forward/backoff.ts';

const B = { initialMs: 200, maxMs: 2_000, factor: 2, jitter: 0 };

describe('backoffDelayMs', () => {
  it.each([
    // attempt, random, jitter, expected ms
    [1, 0.5, 0, 200],
    [2, 0.5, 0, 400],
    [3, 0.5, 0, 800],
    [4, 0.5, 0, 1_600],
    [5, 0.5, 0, 2_000], // capped
    [40, 0.5, 0, 2_000], // no overflow
    [0, 0.5, 0, 200], // degenerate attempt number
    [1, 0, 0.2, 160], // -20 %
    [1, 0.999999, 0.2, 240], // ~+20 %
    [5, 0.999999, 0.2, 2_000], // jitter never exceeds the cap
    [5, 0, 0.2, 1_600],
  ])('attempt %d, random %d, jitter %d -> %d ms', (attempt, random, jitter, ms) => {
    expect(backoffDelayMs(attempt, { ...B, jitter }, random)).toBe(ms);
  });
});

describe('afterAttempt', () => {
  it.each([
    ['delivered on the 1st attempt', { kind: 'delivered' } as const, 1, 5, 'delivered', null],
    [
      'failure with attempts left',
      { kind: 'retry', error: 'ECONNREFUSED' } as const,
      1,
      5,
      'pending',
      10_200,
    ],
    ['failure on the 3rd of 5', { kind: 'retry', error: 'timeout' } as const, 3, 5, 'pending', 10_800],
    ['failure on the last attempt', { kind: 'retry', error: 'HTTP 503' } as const, 5, 5, 'dead', null],
    ['maxAttempts 1', { kind: 'retry', error: 'HTTP 503' } as const, 1, 1, 'dead', null],
    [
      'permanent error on the 1st attempt',
      { kind: 'permanent', error: 'HTTP 400' } as const,
      1,
      5,
      'dead',
      null,
    ],
    ['delivered on the last attempt', { kind: 'delivered' } as const, 5, 5, 'delivered', null],
  ])('%s', (_name, outcome, attempt, max, state, next) => {
    expect(afterAttempt(outcome, attempt, max, 10_000, B, 0.5)).toEqual({ state, nextAttemptMs: next });
  });
});

describe('classifyStatus', () => {
  it.each([
    [200, 'delivered'],
    [201, 'delivered'],
    [204, 'delivered'],
    [400, 'permanent'],
    [401, 'permanent'],
    [404, 'permanent'],
    [408, 'retry'],
    [409, 'retry'],
    [425, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [301, 'retry'],
  ])('HTTP %d -> %s', (status, kind) => {
    const o = classifyStatus(status, 'body');
    expect(o.kind).toBe(kind);
    if (o.kind !== 'delivered') expect(o.error).toBe(`HTTP ${status}: body`);
  });
});
