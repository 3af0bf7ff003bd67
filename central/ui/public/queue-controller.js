// The queue: filters (time range typed as dd/mm/yyyy hh:mm, camera, rule, status, reviewer), browse or work-queue
// mode, per-status counts, a keyboard listbox of incidents, the filtered export link and bulk verdicts.
import { api } from './api.js';
import { h } from './dom.js';
import { extraFilterFields } from './extensions.js';
import { emptyFilters, filtersToQuery, localInputToMs, msToLocalInput } from './filters.js';
import { renderQueue } from './queue-view.js';
import { REJECT_REASONS } from './verdict-panel.js';

export const PAGE_SIZE = 50;
export const STATUSES = ['open', 'confirmed', 'rejected'];
export const RULE_TYPES = [
  'red_light',
  'wrong_way',
  'solid_line',
  'wrong_lane',
  'illegal_stop',
  'forbidden_turn',
  'speeding',
  'sidewalk',
  'crowding',
  'object_present',
  'no_helmet',
  'zone_dwell',
];

const $ = (/** @type {string} */ sel) => /** @type {HTMLElement} */ (document.querySelector(sel));

/**
 * @typedef {import('./app-state.js').AppStore} AppStore
 * @typedef {import('./context.js').Ctx} Ctx
 */

/**
 * @param {{store: AppStore, ctx: () => Ctx, open: (id: string | undefined) => void, modeChanged: () => void,
 *   failed: (err: unknown, key: string) => void,
 *   toast: (text: string, kind?: string) => void}} deps
 */
export function createQueue(deps) {
  const { store } = deps;
  const seq = { queue: 0, counts: 0 };
  /** @type {Record<string, string>} */
  const extra = {};

  const query = (/** @type {Record<string, any>} */ more = {}) => {
    const s = store.get();
    const q = filtersToQuery(s.filters, { order: s.mode === 'work' ? 'oldest' : undefined, ...more });
    const ext = new URLSearchParams(extra).toString();
    return [q, ext].filter(Boolean).join('&');
  };

  function draw() {
    const s = store.get();
    const ctx = deps.ctx();
    // Redrawing replaces the rows: keyboard focus inside the list moves to the new selected row.
    const hadFocus = document.activeElement?.closest('#queue') != null;
    renderQueue($('#queue'), s.items, { selectedId: s.selectedId, fresh: s.fresh, me: s.me?.name }, ctx);
    if (hadFocus) {
      const row = s.selectedId
        ? document.querySelector(`#queue [data-id="${CSS.escape(s.selectedId)}"]`)
        : null;
      /** @type {HTMLElement} */ (row ?? $('#queue')).focus();
    }
    $('#queue-shown').textContent = ctx.t('queue.shown', { shown: s.items.length, total: s.total });
    $('#more').hidden = s.items.length >= s.total;
    $('#tab-queue-count').textContent = String(s.total);
    const exportLink = /** @type {HTMLAnchorElement} */ ($('#export-filtered'));
    exportLink.href = `/api/export.zip?${filtersToQuery(s.filters)}`;
    exportLink.textContent = ctx.t('export.filtered', { n: Math.min(s.total, 200) });
    exportLink.toggleAttribute('hidden', s.total === 0);
  }

  async function load(append = false) {
    const s = store.get();
    const offset = append ? s.items.length : 0;
    const n = ++seq.queue;
    let body;
    try {
      body = await api(`/api/incidents?${query({ limit: PAGE_SIZE, offset })}`);
    } catch (err) {
      deps.failed(err, 'incident.loadFailed');
      return;
    }
    if (n !== seq.queue) return; // filters changed meanwhile: a newer answer is on its way
    store.set({ items: append ? [...store.get().items, ...body.items] : body.items, total: body.total });
    draw();
  }

  async function loadCounts() {
    const n = ++seq.counts;
    let results;
    try {
      results = await Promise.all(
        STATUSES.map((st) => api(`/api/incidents?${query({ status: st, limit: 1 })}`)),
      );
    } catch (err) {
      deps.failed(err, 'incident.loadFailed');
      return;
    }
    if (n !== seq.counts) return;
    const f = store.get().filters;
    STATUSES.forEach((st, i) => {
      const el = document.querySelector(`#counts [data-status="${st}"] .count`);
      if (el) el.textContent = String(results[i].total);
      document
        .querySelector(`#counts [data-status="${st}"]`)
        ?.setAttribute('aria-pressed', f.status === st ? 'true' : 'false');
    });
  }
  let countsTimer = 0;
  const loadCountsSoon = () => {
    clearTimeout(countsTimer);
    countsTimer = window.setTimeout(loadCounts, 300); // a burst of live events costs one round of counts
  };

  /** Fills the selects from the cameras, rules and reviewers known. */
  async function fillOptions() {
    const ctx = deps.ctx();
    const s = store.get();
    const opt = (/** @type {string} */ value, /** @type {string} */ label) => h('option', { value }, label);
    const rule = /** @type {HTMLSelectElement} */ ($('#f-rule'));
    const status = /** @type {HTMLSelectElement} */ ($('#f-status'));
    const camera = /** @type {HTMLSelectElement} */ ($('#f-camera'));
    const reviewer = /** @type {HTMLSelectElement} */ ($('#f-reviewer'));
    rule.replaceChildren(opt('', ctx.t('filter.all')), ...RULE_TYPES.map((r) => opt(r, ctx.t(`rule.${r}`))));
    status.replaceChildren(
      opt('', ctx.t('filter.all')),
      ...STATUSES.map((x) => opt(x, ctx.t(`status.${x}`))),
    );
    const ids = new Map(
      s.cameras.filter((c) => c.camera !== '_edge').map((c) => [c.camera, c.name ?? c.camera]),
    );
    for (const inc of s.items)
      if (typeof inc?.camera === 'string' && !ids.has(inc.camera)) ids.set(inc.camera, inc.camera);
    if (s.filters.camera && !ids.has(s.filters.camera)) ids.set(s.filters.camera, s.filters.camera);
    camera.replaceChildren(
      opt('', ctx.t('filter.all')),
      ...[...ids].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => opt(id, name)),
    );
    let reviewers = s.reviewers;
    if (!reviewers) {
      try {
        reviewers = /** @type {string[]} */ (await api('/api/incidents/reviewers'));
        store.set({ reviewers });
      } catch (err) {
        console.warn('reviewers unavailable', err);
        reviewers = [];
      }
    }
    const names = new Set(reviewers);
    if (s.me?.name) names.add(s.me.name);
    if (s.filters.reviewer) names.add(s.filters.reviewer);
    reviewer.replaceChildren(opt('', ctx.t('filter.all')), ...[...names].sort().map((n) => opt(n, n)));
    rule.value = s.filters.rule;
    status.value = s.filters.status;
    camera.value = s.filters.camera;
    reviewer.value = s.filters.reviewer;
    /** @type {HTMLInputElement} */ ($('#f-from')).value = s.filters.from;
    /** @type {HTMLInputElement} */ ($('#f-to')).value = s.filters.to;
    /** @type {HTMLInputElement} */ ($('#f-plate')).value = s.filters.plate ?? '';
    /** @type {HTMLSelectElement} */ ($('#mode')).value = s.mode;
  }

  function readFilters() {
    const v = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ ($(id)).value.trim();
    const from = v('#f-from');
    const to = v('#f-to');
    // A date the reviewer typed wrong is flagged, not silently dropped.
    for (const [id, val] of [
      ['#f-from', from],
      ['#f-to', to],
    ]) {
      const bad = val !== '' && localInputToMs(val) === undefined;
      $(id).setAttribute('aria-invalid', bad ? 'true' : 'false');
      $(id).title = bad ? deps.ctx().t('filter.dateInvalid') : '';
    }
    store.set({
      filters: {
        camera: v('#f-camera'),
        rule: v('#f-rule'),
        status: v('#f-status'),
        reviewer: v('#f-reviewer'),
        from,
        to,
        plate: v('#f-plate'),
      },
    });
  }

  async function changed() {
    readFilters();
    await Promise.all([load(), loadCounts()]);
  }

  /** Quick ranges fill the date fields (24-hour, day/month). @param {string} which */
  function quickRange(which) {
    const now = Date.now();
    const start = new Date();
    start.setHours(0, 0, 0, 0);
    const from = {
      hour: now - 3_600_000,
      today: start.getTime(),
      day: now - 86_400_000,
      week: now - 7 * 86_400_000,
    }[which];
    if (from === undefined) return;
    /** @type {HTMLInputElement} */ ($('#f-from')).value = msToLocalInput(from);
    /** @type {HTMLInputElement} */ ($('#f-to')).value = '';
    void changed();
  }

  /** Arrow keys, Home/End move the selection in the listbox; Enter opens (opening also happens on move). @param {KeyboardEvent} e */
  function onListKey(e) {
    const s = store.get();
    const ids = s.items.map((i) => i?.id).filter((x) => typeof x === 'string');
    if (ids.length === 0) return;
    const at = ids.indexOf(s.selectedId ?? '');
    let next = at;
    if (e.key === 'ArrowDown') next = Math.min(ids.length - 1, at + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, at - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = ids.length - 1;
    else if (e.key === 'Enter' && at === -1) next = 0;
    else return;
    e.preventDefault();
    if (next !== at || at === -1) deps.open(ids[next]);
  }

  /** Moves the keyboard focus to the selected row (after a redraw replaced the rows). */
  function focusSelected() {
    const s = store.get();
    const li = s.selectedId
      ? /** @type {HTMLElement | null} */ (
          document.querySelector(`#queue [data-id="${CSS.escape(s.selectedId)}"]`)
        )
      : null;
    li?.scrollIntoView({ block: 'nearest' });
    if (document.activeElement?.closest('#queue')) li?.focus();
  }

  /** The bulk dialog: verdict, reason, note, and the count typed back before anything is sent. */
  async function bulk() {
    const ctx = deps.ctx();
    const s = store.get();
    let body;
    try {
      body = await api(`/api/incidents?${filtersToQuery({ ...s.filters, status: 'open' }, { limit: 500 })}`);
    } catch (err) {
      deps.failed(err, 'incident.loadFailed');
      return;
    }
    /** @type {string[]} */
    const ids = body.items
      .filter((/** @type {any} */ i) => !i.lockedBy || i.lockedBy === s.me?.name)
      .map((/** @type {any} */ i) => i.id);
    const dialog = /** @type {HTMLDialogElement} */ ($('#bulk'));
    const n = ids.length;
    const count = /** @type {HTMLInputElement} */ (
      h('input', {
        type: 'text',
        inputmode: 'numeric',
        id: 'bulk-count',
        autocomplete: 'off',
        'aria-label': ctx.t('bulk.typeCount', { n }),
      })
    );
    const verdict = /** @type {HTMLSelectElement} */ (
      h(
        'select',
        { id: 'bulk-verdict' },
        h('option', { value: 'rejected' }, ctx.t('verdict.reject')),
        h('option', { value: 'confirmed' }, ctx.t('verdict.confirm')),
      )
    );
    const reason = /** @type {HTMLSelectElement} */ (
      h(
        'select',
        { id: 'bulk-reason' },
        REJECT_REASONS.map((r) => h('option', { value: r }, ctx.t(`reason.${r}`))),
      )
    );
    const note = /** @type {HTMLTextAreaElement} */ (
      h('textarea', { id: 'bulk-note', rows: 2, maxlength: 2000, placeholder: ctx.t('verdict.note') })
    );
    const apply = /** @type {HTMLButtonElement} */ (
      h('button', { type: 'button', class: 'primary', id: 'bulk-apply', disabled: true }, ctx.t('bulk.apply'))
    );
    const result = h('p', { class: 'bulk-result', role: 'status' });
    const check = () => {
      apply.disabled = n === 0 || count.value.trim() !== String(n);
      reason.disabled = verdict.value !== 'rejected';
    };
    count.addEventListener('input', check);
    verdict.addEventListener('change', check);
    apply.addEventListener('click', async () => {
      apply.disabled = true;
      try {
        const out = await api('/api/incidents/bulk-review', {
          method: 'POST',
          body: {
            ids,
            expectedCount: Number(count.value),
            verdict: verdict.value,
            ...(verdict.value === 'rejected' ? { reason: reason.value } : {}),
            ...(note.value.trim() ? { note: note.value.trim() } : {}),
          },
        });
        result.textContent = ctx.t('bulk.done', { applied: out.applied.length, skipped: out.skipped.length });
        deps.toast(result.textContent);
        await Promise.all([load(), loadCounts()]);
      } catch (err) {
        deps.failed(err, 'verdict.failed');
      }
    });
    dialog.replaceChildren(
      h(
        'form',
        { method: 'dialog', class: 'bulk-form' },
        h('h2', {}, ctx.t('bulk.title')),
        h('p', { id: 'bulk-summary' }, n ? ctx.t('bulk.count', { n }) : ctx.t('bulk.none')),
        h('label', {}, ctx.t('filter.status'), ' ', verdict),
        h('label', {}, ctx.t('verdict.reason'), ' ', reason),
        note,
        h('label', {}, ctx.t('bulk.typeCount', { n }), ' ', count),
        h(
          'div',
          { class: 'dialog-buttons' },
          apply,
          h('button', { type: 'submit', value: 'cancel' }, ctx.t('bulk.cancel')),
        ),
        result,
      ),
    );
    check();
    dialog.showModal();
    count.focus();
  }

  function bind() {
    $('#filters').addEventListener('change', (e) => {
      const target = /** @type {HTMLElement} */ (e.target);
      if (target.id === 'mode') return;
      if (target.id === 'f-quick') return quickRange(/** @type {HTMLSelectElement} */ (target).value);
      void changed();
    });
    // The plate search runs as the reviewer types (a short pause), not only when the field loses focus.
    let plateTimer = 0;
    $('#f-plate').addEventListener('input', () => {
      clearTimeout(plateTimer);
      plateTimer = window.setTimeout(() => void changed(), 300);
    });
    $('#filters').addEventListener('submit', (e) => {
      e.preventDefault();
      void changed();
    });
    $('#mode').addEventListener('change', (e) => {
      const mode = /** @type {HTMLSelectElement} */ (e.target).value === 'work' ? 'work' : 'browse';
      store.set({
        mode,
        filters: mode === 'work' ? { ...store.get().filters, status: 'open' } : store.get().filters,
      });
      void fillOptions();
      void Promise.all([load(), loadCounts()]).then(() => deps.modeChanged());
    });
    $('#f-clear').addEventListener('click', () => {
      store.set({ filters: emptyFilters() });
      void fillOptions();
      void changed();
    });
    $('#more').addEventListener('click', () => void load(true));
    $('#bulk-open').addEventListener('click', () => void bulk());
    const list = $('#queue');
    list.addEventListener('click', (e) => {
      const li = /** @type {HTMLElement} */ (e.target).closest('.queue-item');
      const id = li?.getAttribute('data-id');
      if (id) deps.open(id);
    });
    list.addEventListener('keydown', onListKey);
    for (const b of document.querySelectorAll('#counts [data-status]'))
      b.addEventListener('click', () => {
        const st = b.getAttribute('data-status') ?? '';
        /** @type {HTMLSelectElement} */ ($('#f-status')).value = store.get().filters.status === st ? '' : st;
        void changed();
      });
    // Extra filter fields of other features (the plate search) go into their slot.
    const slot = $('#filter-extensions');
    for (const f of extraFilterFields())
      slot.append(
        f.render(deps.ctx(), (value) => {
          if (value) extra[f.param] = value;
          else delete extra[f.param];
          void Promise.all([load(), loadCounts()]);
        }),
      );
  }

  return { load, loadCounts, loadCountsSoon, draw, fillOptions, bind, focusSelected };
}
