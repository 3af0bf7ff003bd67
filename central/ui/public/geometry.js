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

/**
 * @typedef {{id: string, name?: string, polygon: [number, number][]}} Zone
 * @typedef {{id: string, name?: string, points: [number, number][]}} Line
 * @typedef {{from: [number, number], to: [number, number], kind: 'allowed' | 'approach'}} Arrow
 */

/** Every string (or string in an array) of a rule config: the ids of the zones and lines it uses. @param {Record<string, unknown>} rule */
function referencedIds(rule) {
  const ids = new Set();
  for (const [k, v] of Object.entries(rule)) {
    if (k === 'id' || k === 'type' || k === 'name') continue;
    if (typeof v === 'string') ids.add(v);
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') ids.add(x);
  }
  return ids;
}

/** Mean of a polygon's vertices (good enough to anchor an arrow inside a convex zone). @param {[number, number][]} pts */
function centroid(pts) {
  const n = pts.length || 1;
  return /** @type {[number, number]} */ ([
    pts.reduce((a, p) => a + p[0], 0) / n,
    pts.reduce((a, p) => a + p[1], 0) / n,
  ]);
}

const isPt = (/** @type {unknown} */ p) =>
  Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v));

/**
 * The geometry to draw for one incident: the zones and lines its rule uses (from the camera's scene), the zone
 * or line the event names, and arrows: the allowed direction of a wrong-way zone, and the approach side of a
 * red-light stop line. Malformed scene entries are skipped.
 * @param {any} scene @param {string} ruleId @param {{zone?: string, line?: string}} event
 * @returns {{zones: Zone[], lines: Line[], arrows: Arrow[]}}
 */
export function ruleGeometry(scene, ruleId, event) {
  const zones = Array.isArray(scene?.zones)
    ? scene.zones.filter((z) => Array.isArray(z?.polygon) && z.polygon.every(isPt))
    : [];
  const lines = Array.isArray(scene?.lines)
    ? scene.lines.filter((l) => Array.isArray(l?.points) && l.points.every(isPt))
    : [];
  const rule = Array.isArray(scene?.rules) ? scene.rules.find((r) => r?.id === ruleId) : undefined;
  const ids = rule ? referencedIds(rule) : new Set();
  if (event.zone) ids.add(event.zone);
  if (event.line) ids.add(event.line);
  const z = zones.filter((x) => ids.has(x.id));
  const l = lines.filter((x) => ids.has(x.id));
  /** @type {Arrow[]} */
  const arrows = [];
  if (rule && isPt(rule.allowedDirection) && z[0]) {
    const [cx, cy] = centroid(z[0].polygon);
    const [dx, dy] = rule.allowedDirection;
    const len = Math.hypot(dx, dy) || 1;
    const s = 0.08 / len;
    arrows.push({ from: [cx - dx * s, cy - dy * s], to: [cx + dx * s, cy + dy * s], kind: 'allowed' });
  }
  if (rule && isPt(rule.approachPoint) && l[0]) {
    const [ax, ay] = rule.approachPoint;
    const [mx, my] = centroid(l[0].points);
    const k = 0.6;
    arrows.push({ from: [ax, ay], to: [ax + (mx - ax) * k, ay + (my - ay) * k], kind: 'approach' });
  }
  return { zones: z, lines: l, arrows };
}
