// A small observable store: controllers read and patch one state object and subscribe to the keys they draw.

/**
 * @template {Record<string, any>} S
 * @param {S} initial
 */
export function createStore(initial) {
  let state = initial;
  /** @type {Set<{keys: (keyof S)[] | undefined, fn: (s: S) => void}>} */
  const subs = new Set();
  return {
    get: () => state,
    /** Merges `patch`, then calls the subscribers whose keys changed (all of them when they named none). @param {Partial<S>} patch */
    set(patch) {
      const changed = /** @type {(keyof S)[]} */ (Object.keys(patch)).filter((k) => state[k] !== patch[k]);
      if (changed.length === 0) return;
      state = { ...state, ...patch };
      for (const s of [...subs])
        if (!s.keys || s.keys.some((k) => changed.includes(k))) {
          try {
            s.fn(state);
          } catch (err) {
            console.error('store subscriber failed', err); // one broken view must not stop the others
          }
        }
    },
    /** @param {(s: S) => void} fn @param {(keyof S)[]} [keys] @returns {() => void} */
    subscribe(fn, keys) {
      const s = { keys, fn };
      subs.add(s);
      return () => subs.delete(s);
    },
  };
}
