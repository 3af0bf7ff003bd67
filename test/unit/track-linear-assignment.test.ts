import { describe, expect, it } from 'vitest';
import { linearAssignment } from '../../edge/track/linear-assignment.ts';

/** Brute force over every partial assignment: the most allowed pairs, then the least total cost. */
function bruteForce(cost: number[][], cols: number, maxCost: number): { pairs: number; total: number } {
  let best = { pairs: 0, total: 0 };
  const usedCols = new Array<boolean>(cols).fill(false);
  const walk = (row: number, pairs: number, total: number) => {
    if (row === cost.length) {
      if (pairs > best.pairs || (pairs === best.pairs && total < best.total - 1e-12)) best = { pairs, total };
      return;
    }
    walk(row + 1, pairs, total);
    for (let j = 0; j < cols; j++) {
      if (usedCols[j] || !(cost[row]![j]! <= maxCost)) continue;
      usedCols[j] = true;
      walk(row + 1, pairs + 1, total + cost[row]![j]!);
      usedCols[j] = false;
    }
  };
  walk(0, 0, 0);
  return best;
}

/** Deterministic pseudo-random costs in 0..1, some forbidden (Infinity), some above the limit. */
function randomMatrix(seed: number, rows: number, cols: number): number[][] {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => (rnd() < 0.15 ? Number.POSITIVE_INFINITY : rnd())),
  );
}

describe('linear assignment with a cost limit', () => {
  it.each<[string, number[][], number, number, [number, number][]]>([
    ['empty', [], 0, 0.8, []],
    ['no columns', [[], []], 0, 0.8, []],
    ['one pair within the limit', [[0.3]], 1, 0.8, [[0, 0]]],
    ['one pair above the limit', [[0.9]], 1, 0.8, []],
    [
      'greedy would be wrong: the best total swaps the obvious pair',
      [
        [0.1, 0.2],
        [0.15, 0.9],
      ],
      2,
      1,
      [
        [0, 1],
        [1, 0],
      ],
    ],
    [
      'forbidden (different class) pairs are never matched',
      [
        [Number.POSITIVE_INFINITY, 0.5],
        [0.2, Number.POSITIVE_INFINITY],
      ],
      2,
      0.8,
      [
        [0, 1],
        [1, 0],
      ],
    ],
    ['more rows than columns', [[0.5], [0.1], [0.3]], 1, 0.8, [[1, 0]]],
  ])('%s', (_, cost, cols, maxCost, expected) => {
    const r = linearAssignment(cost, cols, maxCost);
    const sorted = [...r.matches].sort((a, b) => a[0] - b[0]);
    expect(sorted).toEqual(expected);
    expect(r.unmatchedRows.length + r.matches.length).toBe(cost.length);
    expect(r.unmatchedCols.length + r.matches.length).toBe(cols);
  });

  it.each(
    Array.from(
      { length: 24 },
      (_, k) => [k + 1, 1 + (k % 6), 1 + ((k * 7) % 6), [0.3, 0.6, 0.9][k % 3]!] as const,
    ),
  )('seed %i (%i x %i, limit %f) matches a brute-force optimum', (seed, rows, cols, maxCost) => {
    const cost = randomMatrix(seed, rows, cols);
    const r = linearAssignment(cost, cols, maxCost);
    const best = bruteForce(cost, cols, maxCost);
    const total = r.matches.reduce((acc, [i, j]) => acc + cost[i]![j]!, 0);
    for (const [i, j] of r.matches) expect(cost[i]![j]!).toBeLessThanOrEqual(maxCost);
    expect(new Set(r.matches.map((m) => m[0])).size).toBe(r.matches.length);
    expect(new Set(r.matches.map((m) => m[1])).size).toBe(r.matches.length);
    expect(r.matches.length).toBe(best.pairs);
    expect(total).toBeCloseTo(best.total, 9);
  });
});
