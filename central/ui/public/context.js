// What every view needs to say things: translations, formatters, and names from config (cameras, rules, zones).
import { formatter } from './format.js';
import { translate } from './i18n.js';

/**
 * @typedef {import('./i18n.js').Lang} Lang
 * @typedef {{name?: string, zones?: {id: string, name?: string}[], lines?: {id: string, name?: string}[],
 *   rules?: {id: string, type: string, name?: string}[]}} SceneLike
 * @typedef {{
 *   lang: Lang,
 *   t: (key: string, p?: Record<string, string | number>) => string,
 *   fmt: ReturnType<typeof formatter>,
 *   cameraName: (site: string, camera: string) => string,
 *   ruleName: (inc: {ruleType: string, rule?: string, site?: string, camera?: string}, scene?: SceneLike | null) => string,
 *   geoName: (id: string, scene?: SceneLike | null) => string,
 *   label: (l: string) => string,
 * }} Ctx
 */

/**
 * @param {Lang} lang
 * @param {{site: string, camera: string, name?: string}[]} cameras GET /api/cameras
 * @param {Map<string, SceneLike>} scenes latest scene per "site/camera"
 * @returns {Ctx}
 */
export function makeContext(lang, cameras, scenes) {
  const t = (/** @type {string} */ key, /** @type {Record<string, string | number>} */ p = {}) =>
    translate(lang, key, p);
  const cameraName = (/** @type {string} */ site, /** @type {string} */ camera) => {
    const c = cameras.find((x) => x.camera === camera && (x.site === site || !site));
    return c?.name ?? scenes.get(`${site}/${camera}`)?.name ?? camera;
  };
  return {
    lang,
    t,
    fmt: formatter(lang),
    cameraName,
    // A rule is shown by its config name when the edge gave one, else by its localised type.
    ruleName(inc, scene) {
      const s = scene ?? (inc.site && inc.camera ? scenes.get(`${inc.site}/${inc.camera}`) : undefined);
      const named = s?.rules?.find((r) => r.id === inc.rule)?.name;
      const type = t(`rule.${inc.ruleType}`);
      return named ? `${type} — ${named}` : type;
    },
    geoName(id, scene) {
      const all = [...(scene?.zones ?? []), ...(scene?.lines ?? [])];
      return all.find((g) => g.id === id)?.name ?? id;
    },
    label(l) {
      const key = `label.${l}`;
      const v = t(key);
      return v === key ? String(l) : v;
    },
  };
}
