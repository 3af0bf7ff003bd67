// The queue list as a keyboard listbox: one option per incident (thumbnail, violation, camera, time, status, lock);
// a row that cannot be drawn (bad data) becomes a plain "unreadable" row instead of blanking the list.
import { h } from './dom.js';
import { validMs } from './format.js';

/** @typedef {import('./context.js').Ctx} Ctx */
/** The context views draw with (kept under this name for health-view.js). @typedef {Ctx} ViewCtx */

/** The one detail a reviewer reads first for this rule (speed, dwell time, signal), or ''. @param {any} inc @param {Ctx} ctx */
export function keyFigure(inc, ctx) {
  const d = inc?.details ?? {};
  if (typeof d.speedKmh === 'number') return ctx.t('unit.kmh', { v: ctx.fmt.num(d.speedKmh) });
  if (inc.ruleType === 'red_light' && typeof d.signal === 'string') return ctx.t(`signal.${d.signal}`);
  if (typeof d.dwellS === 'number') return ctx.t('unit.s', { v: ctx.fmt.num(d.dwellS) });
  if (typeof d.count === 'number') return String(d.count);
  return '';
}

/** Evidence id to show as the thumbnail: the annotated snapshot, else the clean one. @param {any} inc */
export function thumbnailId(inc) {
  const e = inc?.evidence;
  const id = e && typeof e === 'object' ? (e.snapshot ?? e.snapshotClean) : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** @typedef {{selectedId: string | undefined, fresh: Set<string>, me: string | undefined}} QueueDraw */

/** @param {any} inc @param {QueueDraw} q @param {Ctx} ctx */
function row(inc, q, ctx) {
  const selected = inc.id === q.selectedId;
  const thumb = thumbnailId(inc);
  const have = Array.isArray(inc.evidenceAvailable) ? inc.evidenceAvailable : [];
  const kind = inc.evidence?.snapshot === thumb ? 'snapshot' : 'snapshotClean';
  // Only a thumbnail central holds is requested, so missing evidence costs no 404 at every redraw.
  const img =
    thumb && have.includes(kind)
      ? h('img', {
          src: `/api/evidence/${encodeURIComponent(thumb)}`,
          alt: '',
          loading: 'lazy',
          decoding: 'async',
          'data-evidence': thumb,
        })
      : null;
  const figure = keyFigure(inc, ctx);
  const lockedByOther = inc.lockedBy && inc.lockedBy !== q.me;
  const status = String(inc.status);
  return h(
    'div',
    {
      role: 'option',
      id: `q-${inc.id}`,
      class: `queue-item status-${status}${selected ? ' selected' : ''}${q.fresh.has(inc.id) ? ' fresh' : ''}${lockedByOther ? ' locked' : ''}`,
      'data-id': inc.id,
      'aria-selected': selected ? 'true' : 'false',
      tabindex: selected ? 0 : -1,
    },
    h('div', { class: 'thumb' }, img ?? h('span', { class: 'thumb-missing' }, '—')),
    h(
      'div',
      { class: 'queue-text' },
      h(
        'div',
        { class: 'queue-line1' },
        h('span', { class: 'queue-rule' }, ctx.ruleName(inc)),
        figure ? h('span', { class: 'queue-figure' }, figure) : null,
        inc.plate?.text
          ? h('span', { class: `queue-plate plate plate-${inc.plate.colour}` }, inc.plate.text)
          : null,
      ),
      h(
        'div',
        { class: 'queue-line2' },
        h('span', { class: 'queue-camera' }, ctx.cameraName(inc.site, inc.camera)),
        ' · ',
        ctx.label(inc.label),
      ),
      h(
        'div',
        { class: 'queue-line3' },
        validMs(inc.firstTs)
          ? h('time', { datetime: new Date(inc.firstTs).toISOString() }, ctx.fmt.dateTime(inc.firstTs))
          : h('span', {}, ctx.fmt.dateTime(inc.firstTs)),
        h('span', { class: `badge badge-${status}` }, ctx.t(`status.${status}`)),
        lockedByOther
          ? h('span', { class: 'lock-mark' }, ctx.t('queue.lockedBy', { name: inc.lockedBy }))
          : null,
      ),
    ),
  );
}

/** A row for an incident whose data could not be drawn: still selectable, so it can be opened and reported. @param {any} inc @param {Ctx} ctx */
function badRow(inc, ctx) {
  const id = typeof inc?.id === 'string' ? inc.id : '';
  return h(
    'div',
    { role: 'option', class: 'queue-item bad', 'data-id': id, 'aria-selected': 'false', tabindex: -1 },
    h('div', { class: 'thumb' }, h('span', { class: 'thumb-missing' }, '!')),
    h(
      'div',
      { class: 'queue-text' },
      h('div', {}, ctx.t('queue.badRow')),
      h('div', { class: 'mono muted' }, id),
    ),
  );
}

/**
 * Replaces the list's rows. Each row is built on its own: an exception in one (a malformed field) gives that row
 * the "unreadable" look and is logged once, the others draw normally.
 * @param {HTMLElement} list @param {any[]} items @param {QueueDraw} q @param {Ctx} ctx
 */
export function renderQueue(list, items, q, ctx) {
  const rows = items.map((inc) => {
    try {
      return row(inc, q, ctx);
    } catch (err) {
      console.warn('queue row not drawable', inc?.id, err);
      return badRow(inc, ctx);
    }
  });
  list.replaceChildren(...rows);
  if (items.length === 0)
    list.append(h('div', { class: 'queue-empty', role: 'presentation' }, ctx.t('queue.empty')));
  const active = q.selectedId ? list.querySelector(`[data-id="${CSS.escape(q.selectedId)}"]`) : null;
  if (active) list.setAttribute('aria-activedescendant', active.id);
  else {
    list.removeAttribute('aria-activedescendant');
    list.querySelector('.queue-item')?.setAttribute('tabindex', '0'); // the list stays reachable with Tab
  }
}
