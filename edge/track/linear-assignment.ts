// Minimum-cost one-to-one assignment with a cost limit (Hungarian method), as ByteTrack's lap.lapjv(cost_limit).
//
// Pairs costing more than `maxCost` are never assigned. The bipartite graph of allowed pairs is split into
// connected components first and each is solved on its own: in traffic almost every component is one track and
// one detection, so 200 objects cost about as much as 200 scalar compares instead of one 200 x 200 O(n^3) solve.

export interface Assignment {
  /** [row, col] pairs, each costing at most maxCost. */
  matches: [number, number][];
  unmatchedRows: number[];
  unmatchedCols: number[];
}

/** Dense Hungarian (potentials, O(n^2 m)) for rows <= cols; returns col index per row. */
function hungarian(cost: readonly (readonly number[])[], rows: number, cols: number): number[] {
  const INF = Number.POSITIVE_INFINITY;
  const u = new Array<number>(rows + 1).fill(0);
  const v = new Array<number>(cols + 1).fill(0);
  const p = new Array<number>(cols + 1).fill(0); // p[j] = row (1-based) assigned to column j
  const way = new Array<number>(cols + 1).fill(0);
  for (let i = 1; i <= rows; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array<number>(cols + 1).fill(INF);
    const used = new Array<boolean>(cols + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = p[j0]!;
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= cols; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1]![j - 1]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= cols; j++) {
        if (used[j]) {
          u[p[j]!] = u[p[j]!]! + delta;
          v[j] = v[j]! - delta;
        } else minv[j] = minv[j]! - delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const colOfRow = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= cols; j++) if (p[j]! > 0) colOfRow[p[j]! - 1] = j - 1;
  return colOfRow;
}

/** Solves one component: allowed pairs keep their cost, forbidden ones cost more than any allowed set. */
function solveComponent(
  cost: readonly (readonly number[])[],
  rowIds: number[],
  colIds: number[],
  maxCost: number,
  out: [number, number][],
): void {
  if (rowIds.length === 1 && colIds.length === 1) {
    out.push([rowIds[0]!, colIds[0]!]);
    return;
  }
  // Forbidden pairs cost more than every allowed assignment together, so the solver first maximises the
  // number of allowed pairs, then minimises their cost; forbidden pairs it is forced into are dropped below.
  const big = (Math.max(1, maxCost) + 1) * (rowIds.length + colIds.length + 1);
  const transpose = rowIds.length > colIds.length;
  const [a, b] = transpose ? [colIds, rowIds] : [rowIds, colIds];
  const sub = a.map((ai) =>
    b.map((bj) => {
      const c = transpose ? cost[bj]![ai]! : cost[ai]![bj]!;
      return c <= maxCost ? c : big;
    }),
  );
  const assigned = hungarian(sub, a.length, b.length);
  assigned.forEach((j, i) => {
    if (j < 0 || sub[i]![j]! > maxCost) return;
    out.push(transpose ? [b[j]!, a[i]!] : [a[i]!, b[j]!]);
  });
}

/** cost[row][col]; rows and cols with no pair at or below maxCost come back unmatched. */
export function linearAssignment(
  cost: readonly (readonly number[])[],
  cols: number,
  maxCost: number,
): Assignment {
  const rows = cost.length;
  // Union-find over rows (0..rows-1) and cols (rows..rows+cols-1), joined by allowed pairs.
  const parent = Array.from({ length: rows + cols }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const hasEdge = new Array<boolean>(rows + cols).fill(false);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      if (!(cost[i]![j]! <= maxCost)) continue;
      hasEdge[i] = true;
      hasEdge[rows + j] = true;
      const ri = find(i);
      const rj = find(rows + j);
      if (ri !== rj) parent[ri] = rj;
    }
  const components = new Map<number, { rowIds: number[]; colIds: number[] }>();
  for (let k = 0; k < rows + cols; k++) {
    if (!hasEdge[k]) continue;
    const root = find(k);
    let c = components.get(root);
    if (!c) {
      c = { rowIds: [], colIds: [] };
      components.set(root, c);
    }
    if (k < rows) c.rowIds.push(k);
    else c.colIds.push(k - rows);
  }
  const matches: [number, number][] = [];
  for (const c of components.values()) solveComponent(cost, c.rowIds, c.colIds, maxCost, matches);
  const rowDone = new Set(matches.map((m) => m[0]));
  const colDone = new Set(matches.map((m) => m[1]));
  return {
    matches,
    unmatchedRows: Array.from({ length: rows }, (_, i) => i).filter((i) => !rowDone.has(i)),
    unmatchedCols: Array.from({ length: cols }, (_, j) => j).filter((j) => !colDone.has(j)),
  };
}
