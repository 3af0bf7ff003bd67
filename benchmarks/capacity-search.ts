// Finds the largest camera count a box sustains with few short runs: start at the count the bare costs predict,
// walk up while runs hold, bisect down when they do not (the predicate is assumed monotonic in the count).

export interface SearchStep<T> {
  cameras: number;
  sustained: boolean;
  result: T;
}

export interface SearchOutcome<T> {
  /** The largest count that was sustained (0 when even one camera was not). */
  best: number;
  steps: SearchStep<T>[];
}

/**
 * `guess` is where to start (the limit the bare costs imply, times the expected efficiency); `max` caps the
 * walk up. Each count is run at most once; the number of runs is about 1 + |best - guess| going up, or
 * 1 + log2(guess) going down.
 */
export async function searchCapacity<T>(
  guess: number,
  max: number,
  run: (cameras: number) => Promise<{ sustained: boolean; result: T }>,
): Promise<SearchOutcome<T>> {
  const steps: SearchStep<T>[] = [];
  const cap = Math.max(1, Math.floor(max));
  const probe = async (n: number) => {
    const r = await run(n);
    steps.push({ cameras: n, sustained: r.sustained, result: r.result });
    return r.sustained;
  };
  let lo = 0; // largest count known sustained
  let hi = cap + 1; // smallest count known not sustained
  let n = Math.min(cap, Math.max(1, Math.round(guess)));
  if (await probe(n)) {
    lo = n;
    while (lo < cap && (await probe(lo + 1))) lo++;
    if (lo < cap) hi = lo + 1;
  } else {
    hi = n;
    while (hi - lo > 1) {
      n = Math.floor((lo + hi) / 2);
      if (await probe(n)) lo = n;
      else hi = n;
    }
  }
  return { best: lo, steps };
}
