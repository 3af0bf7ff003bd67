import { describe, expect, it } from 'vitest';
import { searchCapacity } from '../../benchmarks/capacity-search.ts';

describe('searchCapacity', () => {
  it.each([
    // [true capacity, guess, max, expected best, expected runs]
    [6, 6, 12, 6, [6, 7]],
    [6, 5, 12, 6, [5, 6, 7]],
    [6, 9, 12, 6, [9, 4, 6, 7]],
    [0, 4, 12, 0, [4, 2, 1]],
    [12, 12, 12, 12, [12]],
    [20, 10, 12, 12, [10, 11, 12]],
    [1, 1, 12, 1, [1, 2]],
    [3, 0, 12, 3, [1, 2, 3, 4]],
    [5, 100, 8, 5, [8, 4, 6, 5]],
  ])('capacity %i, guess %i, max %i -> %i', async (capacity, guess, max, best, runs) => {
    const out = await searchCapacity(guess, max, async (n) => ({ sustained: n <= capacity, result: n }));
    expect(out.best).toBe(best);
    expect(out.steps.map((s) => s.cameras)).toEqual(runs);
    expect(new Set(out.steps.map((s) => s.cameras)).size).toBe(out.steps.length);
  });
});
