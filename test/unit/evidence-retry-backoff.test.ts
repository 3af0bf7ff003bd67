// Upload retry delays: exponential, capped, jittered between 50 % and 100 % of the step.
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../edge/evidence/retry-backoff.ts';

describe('retryDelayMs', () => {
  it.each<[number, number, number, number, number]>([
    // attempts, base, max, rand, expected
    [0, 1000, 300_000, 0.999999, 1000],
    [0, 1000, 300_000, 0, 500],
    [1, 1000, 300_000, 0.999999, 2000],
    [3, 1000, 300_000, 0.5, 6000],
    [8, 1000, 300_000, 0.999999, 256_000],
    [9, 1000, 300_000, 0.999999, 300_000],
    [50, 1000, 300_000, 0.999999, 300_000],
    [-3, 1000, 300_000, 0.999999, 1000],
    [0, 0, 300_000, 0, 1],
  ])('attempt %d base %d max %d rand %d -> %d ms', (attempts, base, max, rand, expected) => {
    expect(retryDelayMs(attempts, base, max, rand)).toBe(expected);
  });
});
