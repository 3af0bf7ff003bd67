// Pure queue filter logic: filters -> API query string, whether an incident matches, and newest-first insertion.
import { plateMatches } from './plate-view.js';

/**
 * @typedef {{camera: string, rule: string, status: string, reviewer: string, from: string, to: string, plate?: string}} Filters
 * `from`/`to` hold what the reviewer typed: "dd/mm/yyyy HH:mm" (24-hour, local time) or an ISO local
 * "yyyy-mm-ddTHH:mm"; empty when unset.
 * @typedef {{id: string, camera: string, ruleType: string, status: string, firstTs: number, reviewedBy?: string | null,
 *   plate?: {text: string | null, machine?: {text: string | null}} | null}} IncidentLike
 */

/** @returns {Filters} */
export function emptyFilters() {
  return { camera: '', rule: '', status: 'open', reviewer: '', from: '', to: '', plate: '' };
}

const DMY = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?\s*$/;

/**
 * A typed local date-time as epoch ms in the browser's zone; undefined when empty or invalid (31/02 included).
 * @param {string} v
 */
export function localInputToMs(v) {
  if (!v) return undefined;
  const m = DMY.exec(v);
  if (m) {
    const [d, mo, y, h, mi] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0'].map(Number);
    const date = new Date(/** @type {number} */ (y), /** @type {number} */ (mo) - 1, d, h, mi);
    const valid =
      date.getDate() === d &&
      date.getMonth() === /** @type {number} */ (mo) - 1 &&
      /** @type {number} */ (h) < 24;
    return valid ? date.getTime() : undefined;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) return undefined;
  const ms = new Date(v).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/** "dd/mm/yyyy HH:mm" of epoch ms in the browser's zone (what the filter fields show). @param {number} ms */
export function msToLocalInput(ms) {
  const d = new Date(ms);
  const p = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * Query string for GET /api/incidents (and the per-status counts, which drop the status filter).
 * @param {Filters} f @param {{limit?: number, offset?: number, status?: string | null, order?: string}} [extra]
 */
export function filtersToQuery(f, extra = {}) {
  const q = new URLSearchParams();
  if (f.camera) q.set('camera', f.camera);
  if (f.rule) q.set('rule', f.rule);
  const status = extra.status === undefined ? f.status : extra.status;
  if (status) q.set('status', status);
  if (f.reviewer) q.set('reviewer', f.reviewer);
  const from = localInputToMs(f.from);
  const to = localInputToMs(f.to);
  if (from !== undefined) q.set('from', String(from));
  if (to !== undefined) q.set('to', String(to));
  if (f.plate?.trim()) q.set('plate', f.plate.trim());
  if (extra.order) q.set('order', extra.order);
  if (extra.limit !== undefined) q.set('limit', String(extra.limit));
  if (extra.offset !== undefined) q.set('offset', String(extra.offset));
  return q.toString();
}

/** Same test the API applies, for incidents pushed live. @param {IncidentLike} inc @param {Filters} f */
export function matchesFilters(inc, f) {
  if (f.camera && inc.camera !== f.camera) return false;
  if (f.rule && inc.ruleType !== f.rule) return false;
  if (f.status && inc.status !== f.status) return false;
  if (f.reviewer && inc.reviewedBy !== f.reviewer) return false;
  const from = localInputToMs(f.from);
  const to = localInputToMs(f.to);
  if (from !== undefined && inc.firstTs < from) return false;
  if (to !== undefined && inc.firstTs >= to) return false;
  if (f.plate && !plateMatches(inc, f.plate)) return false;
  return true;
}

/**
 * Puts `inc` into a list ordered like the API (newest: firstTs desc, then id; oldest: firstTs asc, then id),
 * replacing an entry with the same id. Returns a new array; the input is not changed.
 * @template {IncidentLike} T @param {T[]} list @param {T} inc @param {'newest' | 'oldest'} [order] @returns {T[]}
 */
export function upsertNewestFirst(list, inc, order = 'newest') {
  const rest = list.filter((x) => x.id !== inc.id);
  const before =
    order === 'oldest'
      ? (/** @type {T} */ x) => x.firstTs > inc.firstTs || (x.firstTs === inc.firstTs && x.id > inc.id)
      : (/** @type {T} */ x) => x.firstTs < inc.firstTs || (x.firstTs === inc.firstTs && x.id > inc.id);
  const at = rest.findIndex(before);
  if (at === -1) return [...rest, inc];
  return [...rest.slice(0, at), inc, ...rest.slice(at)];
}
