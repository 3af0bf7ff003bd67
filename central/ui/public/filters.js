// Pure queue filter logic: filters -> API query string, whether an incident matches, and newest-first insertion.

/**
 * @typedef {{camera: string, rule: string, status: string, from: string, to: string}} Filters
 * `from`/`to` hold `<input type="datetime-local">` values (local time, empty when unset).
 * @typedef {{id: string, camera: string, ruleType: string, status: string, firstTs: number}} IncidentLike
 */

/** @returns {Filters} */
export function emptyFilters() {
  return { camera: '', rule: '', status: 'open', from: '', to: '' };
}

/** A datetime-local value as epoch ms in the browser's zone; undefined when empty or invalid. @param {string} v */
export function localInputToMs(v) {
  if (!v) return undefined;
  const ms = new Date(v).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Query string for GET /api/incidents (and the per-status counts, which drop the status filter).
 * @param {Filters} f @param {{limit?: number, offset?: number, status?: string | null}} [extra]
 */
export function filtersToQuery(f, extra = {}) {
  const q = new URLSearchParams();
  if (f.camera) q.set('camera', f.camera);
  if (f.rule) q.set('rule', f.rule);
  const status = extra.status === undefined ? f.status : extra.status;
  if (status) q.set('status', status);
  const from = localInputToMs(f.from);
  const to = localInputToMs(f.to);
  if (from !== undefined) q.set('from', String(from));
  if (to !== undefined) q.set('to', String(to));
  if (extra.limit !== undefined) q.set('limit', String(extra.limit));
  if (extra.offset !== undefined) q.set('offset', String(extra.offset));
  return q.toString();
}

/** Same test the API applies, for incidents pushed live. @param {IncidentLike} inc @param {Filters} f */
export function matchesFilters(inc, f) {
  if (f.camera && inc.camera !== f.camera) return false;
  if (f.rule && inc.ruleType !== f.rule) return false;
  if (f.status && inc.status !== f.status) return false;
  const from = localInputToMs(f.from);
  const to = localInputToMs(f.to);
  if (from !== undefined && inc.firstTs < from) return false;
  if (to !== undefined && inc.firstTs >= to) return false;
  return true;
}

/**
 * Puts `inc` into a newest-first list (API order: firstTs desc, then id), replacing an entry with the same id.
 * Returns a new array; the input is not changed.
 * @template {IncidentLike} T @param {T[]} list @param {T} inc @returns {T[]}
 */
export function upsertNewestFirst(list, inc) {
  const rest = list.filter((x) => x.id !== inc.id);
  const at = rest.findIndex((x) => x.firstTs < inc.firstTs || (x.firstTs === inc.firstTs && x.id > inc.id));
  if (at === -1) return [...rest, inc];
  return [...rest.slice(0, at), inc, ...rest.slice(at)];
}
