// Pure geometry for the overlay: where the picture sits inside a <video> box, and normalised 0..1 coordinates in it.

/**
 * The rectangle the frame occupies inside a box with `object-fit: contain` (letterbox or pillarbox bars).
 * Returns the whole box when the frame size is not known yet (0 before `loadedmetadata`).
 * @param {number} boxW @param {number} boxH @param {number} frameW @param {number} frameH
 * @returns {{x: number, y: number, w: number, h: number}}
 */
export function containRect(boxW, boxH, frameW, frameH) {
  if (!(boxW > 0 && boxH > 0)) return { x: 0, y: 0, w: 0, h: 0 };
  if (!(frameW > 0 && frameH > 0)) return { x: 0, y: 0, w: boxW, h: boxH };
  const scale = Math.min(boxW / frameW, boxH / frameH);
  const w = frameW * scale;
  const h = frameH * scale;
  return { x: (boxW - w) / 2, y: (boxH - h) / 2, w, h };
}

const clamp01 = (/** @type {number} */ v) => Math.min(1, Math.max(0, v));

/**
 * A normalised [x1, y1, x2, y2] box as an SVG rect in a 0..1 viewBox; corners may come in any order.
 * Returns undefined for a missing or malformed box so the overlay draws nothing rather than garbage.
 * @param {unknown} box @returns {{x: number, y: number, width: number, height: number} | undefined}
 */
export function boxRect(box) {
  if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => Number.isFinite(v))) return undefined;
  const [x1, y1, x2, y2] = box.map(clamp01);
  return {
    x: Math.min(x1, x2),
    y: Math.min(y1, y2),
    width: Math.abs(x2 - x1),
    height: Math.abs(y2 - y1),
  };
}

/**
 * A normalised path [[x, y], ...] as an SVG `points` attribute; malformed points are skipped.
 * @param {unknown} path @returns {string}
 */
export function pathPoints(path) {
  if (!Array.isArray(path)) return '';
  return path
    .filter((p) => Array.isArray(p) && p.length === 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]))
    .map((p) => `${round(clamp01(p[0]))},${round(clamp01(p[1]))}`)
    .join(' ');
}

const round = (/** @type {number} */ v) => Math.round(v * 10_000) / 10_000;

/**
 * Where to anchor a CSS zoom so the box's centre stays put: its position as percentages of the player, with
 * the picture letterboxed inside it. Falls back to the player's centre without a usable box.
 * @param {unknown} box @param {number} playerW @param {number} playerH @param {number} frameW @param {number} frameH
 * @returns {{xPct: number, yPct: number}}
 */
export function zoomOrigin(box, playerW, playerH, frameW, frameH) {
  const r = boxRect(box);
  const c = containRect(playerW, playerH, frameW, frameH);
  if (!r || !(c.w > 0 && c.h > 0)) return { xPct: 50, yPct: 50 };
  const x = c.x + (r.x + r.width / 2) * c.w;
  const y = c.y + (r.y + r.height / 2) * c.h;
  return { xPct: (x / playerW) * 100, yPct: (y / playerH) * 100 };
}
