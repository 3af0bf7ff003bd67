// Pure: where the tracked object was at a moment of the clip (timed boxes) and what the signal showed then.

/**
 * @typedef {[number, number, number, number, number]} TimedBox  [epoch ms, x1, y1, x2, y2]
 * @typedef {[number, string]} SignalChange  [epoch ms, state]
 */

/** Boxes further apart than this are not interpolated: the track was lost in between (ms). */
export const MAX_GAP_MS = 1500;
/** A box is shown this long before the first and after the last sample (one analysed frame at 5 fps) (ms). */
export const EDGE_HOLD_MS = 250;

/** @param {unknown} b @returns {b is TimedBox} */
function isBox(b) {
  return Array.isArray(b) && b.length === 5 && b.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/**
 * The box at wall-clock `tMs`, linearly interpolated between the two samples around it; undefined outside the
 * track or across a gap. Malformed samples are skipped. `boxes` must be sorted by time.
 * @param {unknown} boxes @param {number} tMs @returns {[number, number, number, number] | undefined}
 */
export function boxAt(boxes, tMs) {
  if (!Array.isArray(boxes) || !Number.isFinite(tMs)) return undefined;
  const list = boxes.filter(isBox);
  if (list.length === 0) return undefined;
  const first = /** @type {TimedBox} */ (list[0]);
  const last = /** @type {TimedBox} */ (list[list.length - 1]);
  if (tMs < first[0] - EDGE_HOLD_MS || tMs > last[0] + EDGE_HOLD_MS) return undefined;
  if (tMs <= first[0]) return [first[1], first[2], first[3], first[4]];
  if (tMs >= last[0]) return [last[1], last[2], last[3], last[4]];
  let lo = 0;
  let hi = list.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (/** @type {TimedBox} */ (list[mid])[0] <= tMs) lo = mid;
    else hi = mid;
  }
  const a = /** @type {TimedBox} */ (list[lo]);
  const b = /** @type {TimedBox} */ (list[hi]);
  if (b[0] - a[0] > MAX_GAP_MS) {
    if (tMs - a[0] <= EDGE_HOLD_MS) return [a[1], a[2], a[3], a[4]];
    if (b[0] - tMs <= EDGE_HOLD_MS) return [b[1], b[2], b[3], b[4]];
    return undefined;
  }
  const f = b[0] === a[0] ? 0 : (tMs - a[0]) / (b[0] - a[0]);
  return [
    a[1] + (b[1] - a[1]) * f,
    a[2] + (b[2] - a[2]) * f,
    a[3] + (b[3] - a[3]) * f,
    a[4] + (b[4] - a[4]) * f,
  ];
}

/**
 * The signal state in force at `tMs` (the latest change at or before it), or undefined before the first.
 * @param {unknown} changes @param {number} tMs @returns {string | undefined}
 */
export function signalAt(changes, tMs) {
  if (!Array.isArray(changes) || !Number.isFinite(tMs)) return undefined;
  let state;
  for (const c of changes) {
    if (!Array.isArray(c) || typeof c[0] !== 'number' || typeof c[1] !== 'string') continue;
    if (c[0] <= tMs) state = c[1];
    else break;
  }
  return state;
}

/**
 * Wall-clock ms shown by the player at `currentTimeS`: the clip's tagged start, else an estimate that puts the
 * event start `preRollMs` into the clip (edges before the tag).
 * @param {number} currentTimeS @param {number | undefined} clipStartMs @param {number} eventStartMs @param {number} [preRollMs]
 */
export function clipWallMs(currentTimeS, clipStartMs, eventStartMs, preRollMs = 5000) {
  const start =
    typeof clipStartMs === 'number' && Number.isFinite(clipStartMs) ? clipStartMs : eventStartMs - preRollMs;
  return start + currentTimeS * 1000;
}
