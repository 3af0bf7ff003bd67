// The queue list: one row per incident with thumbnail, violation, camera, time and status; newest first.
import { h } from './dom.js';

/**
 * @typedef {import('./i18n.js').Lang} Lang
 * @typedef {{t: (key: string, p?: Record<string, string | number>) => string,
 *   fmt: ReturnType<typeof import('./format.js').formatter>, cameraName: (site: string, camera: string) => string}} ViewCtx
 */

/** The one detail a reviewer reads first for this rule (speed, dwell time, signal), or ''. */
export function keyFigure(/** @type {any} */ inc, /** @type {ViewCtx} */ ctx) {
  const d = inc.details ?? {};
  if (typeof d.speedKmh === 'number') return ctx.t('unit.kmh', { v: ctx.fmt.num(d.speedKmh) });
  if (inc.ruleType === 'red_light' && d.signal) return ctx.t(`signal.${d.signal}`);
  if (typeof d.dwellS === 'number') return ctx.t('unit.s', { v: ctx.fmt.num(d.dwellS) });
  if (typeof d.count === 'number') return String(d.count);
  return '';
}

/** Evidence id to show as the thumbnail: the annotated snapshot, else the clean one. */
export function thumbnailId(/** @type {any} */ inc) {
  return inc.evidence?.snapshot ?? inc.evidence?.snapshotClean;
}

/** @param {any} inc @param {boolean} selected @param {boolean} fresh @param {ViewCtx} ctx */
function row(inc, selected, fresh, ctx) {
  const thumb = thumbnailId(inc);
  const img = thumb
    ? h('img', {
        src: `/api/evidence/${encodeURIComponent(thumb)}`,
        alt: '',
        loading: 'lazy',
        decoding: 'async',
      })
    : null;
  if (img) img.addEventListener('error', () => img.replaceWith(h('span', { class: 'thumb-missing' }, '—')));
  const figure = keyFigure(inc, ctx);
  return h(
    'li',
    {
      class: `queue-item status-${inc.status}${selected ? ' selected' : ''}${fresh ? ' fresh' : ''}`,
      'data-id': inc.id,
      'aria-selected': selected ? 'true' : 'false',
    },
    h('div', { class: 'thumb' }, img ?? h('span', { class: 'thumb-missing' }, '—')),
    h(
      'div',
      { class: 'queue-text' },
      h(
        'div',
        { class: 'queue-line1' },
        h('span', { class: 'queue-rule' }, ctx.t(`rule.${inc.ruleType}`)),
        figure ? h('span', { class: 'queue-figure' }, figure) : null,
      ),
      h(
        'div',
        { class: 'queue-line2' },
        h('span', { class: 'queue-camera' }, ctx.cameraName(inc.site, inc.camera)),
        ' · ',
        ctx.t(`label.${inc.label}`) === `label.${inc.label}` ? inc.label : ctx.t(`label.${inc.label}`),
      ),
      h(
        'div',
        { class: 'queue-line3' },
        h('time', { datetime: new Date(inc.firstTs).toISOString() }, ctx.fmt.dateTime(inc.firstTs)),
        h('span', { class: `badge badge-${inc.status}` }, ctx.t(`status.${inc.status}`)),
      ),
    ),
  );
}

/**
 * Replaces the list's rows; `fresh` ids (just arrived live) get a highlight.
 * @param {HTMLElement} list @param {any[]} items @param {string | undefined} selectedId
 * @param {Set<string>} fresh @param {ViewCtx} ctx
 */
export function renderQueue(list, items, selectedId, fresh, ctx) {
  list.replaceChildren(...items.map((inc) => row(inc, inc.id === selectedId, fresh.has(inc.id), ctx)));
  if (items.length === 0) list.append(h('li', { class: 'queue-empty' }, ctx.t('queue.empty')));
}
