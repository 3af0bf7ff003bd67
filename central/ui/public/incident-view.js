// One incident: header, evidence (clip with the moving box, geometry and signal; snapshots), the verdict panel,
// sections added by other features (the plate), rule details, merged events with localised reasons, camera
// position and the export links.
import { h } from './dom.js';
import { renderEvidence } from './evidence-view.js';
import { incidentSections } from './extensions.js';
import { verdictPanel } from './verdict-panel.js';

/** @typedef {import('./context.js').Ctx} Ctx */

/** The stored event of a detail response as the contract's event object, whatever the storage shape. @param {any} e */
export function eventOf(e) {
  if (typeof e?.payload === 'string') {
    try {
      return { ...e, ...JSON.parse(e.payload) };
    } catch (err) {
      console.warn('event payload is not JSON', err);
      return e;
    }
  }
  return e?.payload && typeof e.payload === 'object' ? { ...e, ...e.payload } : e;
}

/** A merge reason in the page's language, from its kind and figures (never the server's English text). @param {any} m @param {Ctx} ctx @param {any[]} events */
export function mergeText(m, ctx, events) {
  const gap = typeof m?.gapMs === 'number' ? ctx.fmt.duration(m.gapMs) : '—';
  const dist = typeof m?.distance === 'number' ? ctx.fmt.pct(m.distance) : '—';
  const ev = events.find((e) => e.id === m?.eventId);
  const camera = ev ? ctx.cameraName(ev.site, ev.camera) : '';
  const key = `merge.${m?.kind}`;
  const text = ctx.t(key, { gap, dist, camera, kind: String(m?.kind ?? '?') });
  return text === key ? ctx.t('merge.other', { gap, kind: String(m?.kind ?? '?') }) : text;
}

/** @param {string} label @param {Node | string} value */
const item = (label, value) => [h('dt', {}, label), h('dd', {}, value)];

/** @param {any} inc @param {any[]} events @param {Ctx} ctx */
function details(inc, events, ctx) {
  const d = inc.details ?? {};
  const { t, fmt } = ctx;
  const first = events[0] ?? {};
  const rows = [
    item(t('detail.object'), ctx.label(inc.label)),
    item(t('detail.confidence'), fmt.pct(inc.confidence)),
    item(t('detail.time'), fmt.dateTimeFull(inc.firstTs)),
    item(t('detail.duration'), fmt.duration(inc.lastTs - inc.firstTs)),
  ];
  if (typeof d.speedKmh === 'number')
    rows.push(item(t('detail.speed'), t('unit.kmh', { v: fmt.num(d.speedKmh) })));
  if (typeof d.dwellS === 'number') rows.push(item(t('detail.dwell'), t('unit.s', { v: fmt.num(d.dwellS) })));
  if (typeof d.signal === 'string')
    rows.push(
      item(t('detail.signal'), h('span', { class: `signal signal-${d.signal}` }, t(`signal.${d.signal}`))),
    );
  if (typeof d.count === 'number') rows.push(item(t('detail.count'), String(d.count)));
  if (typeof d.headingDeg === 'number') rows.push(item(t('detail.heading'), `${fmt.num(d.headingDeg)}°`));
  if (d.attribute) {
    const key = `attr.${d.attribute}`;
    rows.push(item(t('detail.attribute'), t(key) === key ? String(d.attribute) : t(key)));
  }
  if (first.zone) rows.push(item(t('detail.zone'), ctx.geoName(first.zone, inc.scene)));
  if (first.line) rows.push(item(t('detail.line'), ctx.geoName(first.line, inc.scene)));
  if (first.trackId !== undefined) rows.push(item(t('detail.track'), String(first.trackId)));
  rows.push(item(t('detail.ruleId'), ctx.ruleName(inc, inc.scene)));
  return h('dl', { class: 'details' }, rows.flat());
}

/** @param {any[]} events @param {any[]} merges @param {Ctx} ctx */
function eventsTable(events, merges, ctx) {
  const { t, fmt } = ctx;
  const multiCamera = new Set(events.map((e) => `${e.site}/${e.camera}`)).size > 1;
  const rows = events.map((e) =>
    h(
      'tr',
      {},
      h('td', {}, fmt.time(e.ts)),
      multiCamera ? h('td', {}, ctx.cameraName(e.site, e.camera)) : null,
      h('td', {}, t(`phase.${e.phase}`)),
      h('td', { class: 'mono' }, `${e.id ?? ''}#${e.seq ?? ''}`),
      h('td', {}, e.trackId ?? ''),
      h('td', {}, typeof e.confidence === 'number' ? fmt.pct(e.confidence) : ''),
    ),
  );
  return h(
    'section',
    { class: 'events' },
    h('h2', {}, t('events.title', { n: events.length })),
    merges.length
      ? h(
          'ul',
          { class: 'merges' },
          merges.map((m) => h('li', { title: String(m?.reason ?? '') }, mergeText(m, ctx, events))),
        )
      : null,
    h(
      'div',
      { class: 'events-scroll' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, t('events.time')),
            multiCamera ? h('th', {}, t('filter.camera')) : null,
            h('th', {}, t('events.phase')),
            h('th', {}, t('events.id')),
            h('th', {}, t('detail.track')),
            h('th', {}, t('detail.confidence')),
          ),
        ),
        h('tbody', {}, rows),
      ),
    ),
  );
}

/** @param {any} camera @param {any} scene @param {Ctx} ctx */
function location(camera, scene, ctx) {
  const loc = camera?.location ?? scene?.location;
  const ok = loc && Number.isFinite(loc.lat) && Number.isFinite(loc.lon);
  return h(
    'section',
    { class: 'location' },
    h('h2', {}, ctx.t('map.title')),
    h(
      'p',
      {},
      ok
        ? h('span', { class: 'mono coords' }, `${loc.lat.toFixed(5)}, ${loc.lon.toFixed(5)}`)
        : h('span', { class: 'muted' }, ctx.t('map.none')),
    ),
  );
}

/**
 * Renders `inc` (a GET /api/incidents/:id body) into `root`. Returns the handles the keyboard needs and a
 * dispose function.
 * @param {HTMLElement} root @param {any} inc @param {Ctx} ctx
 * @param {import('./verdict-panel.js').PanelOpts & {camera: any}} o
 */
export function renderIncident(root, inc, ctx, o) {
  const { t, fmt } = ctx;
  const events = (Array.isArray(inc.events) ? inc.events : []).map(eventOf);
  const merges = Array.isArray(inc.merges) ? inc.merges : [];
  const evidence = renderEvidence({ ...inc, events }, ctx);
  const panel = verdictPanel(inc, ctx, o);
  const extra = incidentSections()
    .map((s) => {
      try {
        return s.render(inc, ctx);
      } catch (err) {
        console.warn(`incident section ${s.id} failed`, err);
        return null;
      }
    })
    .filter(Boolean);
  const exports = h(
    'section',
    { class: 'exports' },
    h(
      'a',
      {
        href: `/api/incidents/${encodeURIComponent(inc.id)}/export.zip`,
        class: 'button',
        download: `${inc.id}.zip`,
        'data-export': 'zip',
      },
      t('export.zip'),
    ),
    h(
      'a',
      {
        href: `/api/incidents/${encodeURIComponent(inc.id)}/record.pdf`,
        class: 'button',
        target: '_blank',
        rel: 'noopener',
        'data-export': 'pdf',
      },
      t('export.pdf'),
    ),
  );
  root.replaceChildren(
    h(
      'article',
      { class: 'incident', 'data-id': inc.id, 'data-status': inc.status, 'data-version': inc.version },
      h(
        'header',
        { class: 'incident-head' },
        h('h1', { id: 'incident-title', tabindex: -1 }, ctx.ruleName(inc, inc.scene)),
        h('span', { class: `badge badge-${inc.status}` }, t(`status.${inc.status}`)),
        h(
          'span',
          { class: 'incident-meta' },
          `${ctx.cameraName(inc.site, inc.camera)} · ${fmt.dateTimeFull(inc.firstTs)}`,
        ),
        h('span', { class: 'mono muted incident-id' }, inc.id),
      ),
      h(
        'div',
        { class: 'incident-body' },
        h('div', { class: 'col-media' }, evidence.el, evidence.snapshots),
        h(
          'div',
          { class: 'col-side' },
          panel.el,
          // Other features' sections (the licence plate: show, correct) go here, above the rule details.
          h('div', { class: 'extension-sections', 'data-slot': 'incident-sections' }, extra),
          h('section', {}, details(inc, events, ctx)),
          h('section', { class: 'evidence-refs' }, h('h2', {}, t('evidence.title')), evidence.list),
          exports,
          eventsTable(events, merges, ctx),
          location(o.camera, inc.scene, ctx),
        ),
      ),
    ),
  );
  return {
    panel,
    toggleZoom: evidence.toggleZoom,
    togglePlay: evidence.togglePlay,
    openSnapshot: () => evidence.openSnapshot(),
    dispose: evidence.dispose,
  };
}
