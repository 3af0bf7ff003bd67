// The review page's entry point: session, routes (#/incident/<id>, #/stats, #/cameras), the keyboard, live
// updates, and wiring of the controllers (queue, incident) and pages (statistics, cameras, help).
import { ApiError, api } from './api.js';
import { createAppStore } from './app-state.js';
import { createAuditPage } from './audit-page.js';
import { renderCameras } from './cameras-view.js';
import { makeContext } from './context.js';
import { h } from './dom.js';
import { registerIncidentSection } from './extensions.js';
import { matchesFilters, upsertNewestFirst } from './filters.js';
import { toggleHelp } from './help-overlay.js';
import { storeLang } from './i18n.js';
import { createIncidentController } from './incident-controller.js';
import { keyAction } from './keyboard.js';
import { connectLive } from './live.js';
import { plateSection } from './plate-view.js';
import { createQueue } from './queue-controller.js';
import { parseRoute, routeHash } from './router.js';
import { renderStats } from './stats-view.js';

const CAMERA_REFRESH_MS = 10_000;
const FRESH_HIGHLIGHT_MS = 5_000;

const $ = (/** @type {string} */ sel) => /** @type {HTMLElement} */ (document.querySelector(sel));
const store = createAppStore();
const ctx = () => {
  const s = store.get();
  return makeContext(s.lang, s.cameras, s.scenes);
};

// ---------- feedback ----------
let toastTimer = 0;
/** @param {string} text @param {string} [kind] @param {{label: string, run: () => void}} [action] */
function toast(text, kind = 'ok', action) {
  const el = $('#toast');
  el.replaceChildren(h('span', {}, text));
  if (action)
    el.append(
      h(
        'button',
        {
          type: 'button',
          class: 'toast-action',
          onclick: () => {
            el.classList.remove('show');
            action.run();
          },
        },
        action.label,
      ),
    );
  el.className = `toast toast-${kind} show`;
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => el.classList.remove('show'), action ? 10_000 : 2500);
}
/** Says something to screen readers (the open incident, mostly). @param {string} text */
function announce(text) {
  $('#announce').textContent = text;
}
/** A lost session returns to the login form; anything else is shown. @param {unknown} err @param {string} key */
function failed(err, key) {
  if (err instanceof ApiError && err.status === 401) return showLogin(ctx().t('error.session'));
  toast(ctx().t(key, { reason: err instanceof Error ? err.message : String(err) }), 'error');
}

// ---------- routes ----------
let hashSetByUs = '';
/** Puts the open incident in the address (replaceState: moving through the queue is not history). @param {string | undefined} id */
function setHash(id) {
  if (store.get().view !== 'review') return;
  const hash = routeHash({ view: 'review', ...(id ? { id } : {}) });
  if (location.hash !== hash) {
    hashSetByUs = hash;
    history.replaceState(null, '', hash);
  }
}

const queue = createQueue({
  store,
  ctx,
  open: (id) => void incident.open(id),
  // Work-queue mode starts with the oldest open incident nobody holds; browse mode with the newest.
  modeChanged: () =>
    void (store.get().mode === 'work' ? incident.nextWork() : incident.open(store.get().items[0]?.id)),
  failed,
  toast,
});
const incident = createIncidentController({ store, ctx, toast, failed, announce, queue, setHash });

// The licence plate: shown, corrected by reviewers (kept with who and when), in the incident's side column.
registerIncidentSection({
  id: 'plate',
  order: 10,
  render: (inc, c) =>
    plateSection(inc, {
      ...c,
      canReview: ['reviewer', 'admin'].includes(store.get().me?.role ?? ''),
      onPlate: (text, colour, note) => void correctPlate(inc.id, text, colour, note),
    }),
});

/** A reviewer's plate correction: stored with who and when; the incident is read again to show it. */
async function correctPlate(
  /** @type {string} */ id,
  /** @type {string} */ text,
  /** @type {string} */ colour,
  /** @type {string} */ note,
) {
  try {
    await api(`/api/incidents/${encodeURIComponent(id)}/plate`, {
      method: 'POST',
      body: { text, colour, ...(note ? { note } : {}) },
    });
    toast(ctx().t('plate.saved'));
    if (store.get().selectedId === id) await incident.refresh(id, true);
  } catch (err) {
    failed(err, 'plate.saveFailed');
  }
}

const auditPage = createAuditPage({ root: () => $('#view-audit'), ctx, failed });

/** @param {'review' | 'stats' | 'cameras' | 'audit'} wanted */
function showView(wanted) {
  // Only admins read the audit log (the API refuses everyone else too).
  const view = wanted === 'audit' && store.get().me?.role !== 'admin' ? 'review' : wanted;
  store.set({ view });
  $('#view-review').hidden = view !== 'review';
  $('#view-stats').hidden = view !== 'stats';
  $('#view-cameras').hidden = view !== 'cameras';
  $('#view-audit').hidden = view !== 'audit';
  if (view === 'audit') void auditPage.load();
  for (const b of document.querySelectorAll('[data-view]'))
    b.setAttribute('aria-current', b.getAttribute('data-view') === view ? 'page' : 'false');
  if (view === 'stats')
    void renderStats($('#view-stats'), ctx()).catch((err) => failed(err, 'incident.loadFailed'));
  if (view === 'cameras')
    void loadScenes()
      .then(() => renderCameras($('#view-cameras'), store.get().cameras, ctx()))
      .catch((err) => failed(err, 'incident.loadFailed'));
}

async function route() {
  const r = parseRoute(location.hash);
  if (location.hash === hashSetByUs && r.view === 'review' && r.id === store.get().selectedId) return;
  hashSetByUs = '';
  showView(r.view);
  if (r.view === 'review' && r.id && r.id !== store.get().current?.id)
    await incident.open(r.id, { fromHash: true });
}

// ---------- static text ----------
function applyStaticText() {
  const t = ctx().t;
  document.documentElement.lang = store.get().lang;
  document.title = t('app.title');
  for (const el of document.querySelectorAll('[data-i18n]'))
    el.textContent = t(el.getAttribute('data-i18n') ?? '');
  for (const el of document.querySelectorAll('[data-i18n-placeholder]'))
    el.setAttribute('placeholder', t(el.getAttribute('data-i18n-placeholder') ?? ''));
  for (const el of document.querySelectorAll('[data-i18n-label]'))
    el.setAttribute('aria-label', t(el.getAttribute('data-i18n-label') ?? ''));
  /** @type {HTMLSelectElement} */ ($('#lang')).value = store.get().lang;
}

// ---------- login ----------
/** @param {string} [message] */
function showLogin(message = '') {
  closeLive?.();
  closeLive = undefined;
  clearInterval(cameraTimer);
  void incident.releaseLock();
  $('#shell').hidden = true;
  $('#login').hidden = false;
  $('#login-error').textContent = message;
  /** @type {HTMLInputElement} */ ($('#login-token')).focus();
}

/** @param {SubmitEvent} e */
async function login(e) {
  e.preventDefault();
  const input = /** @type {HTMLInputElement} */ ($('#login-token'));
  try {
    store.set({ me: await api('/api/session', { method: 'POST', body: { token: input.value.trim() } }) });
    input.value = '';
    await start();
  } catch (err) {
    $('#login-error').textContent =
      err instanceof ApiError && (err.status === 401 || err.status === 400)
        ? ctx().t('login.failed')
        : String(err);
  }
}

async function logout() {
  await incident.releaseLock();
  try {
    await api('/api/session', { method: 'DELETE' });
  } catch (err) {
    console.warn('logout failed', err);
  }
  store.set({ me: undefined });
  showLogin();
}

// ---------- cameras ----------
/** @type {number | undefined} */
let cameraTimer;
async function loadCameras() {
  try {
    store.set({ cameras: await api('/api/cameras') });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return failed(err, 'incident.loadFailed');
    console.warn('cameras unavailable', err);
  }
  const cams = store.get().cameras.filter((c) => c.camera !== '_edge');
  const online = cams.filter((c) => c.state === 'online').length;
  const summary = $('#cam-summary');
  summary.textContent = ctx().t('health.summary', { online, total: cams.length });
  summary.className = `cam-summary ${online < cams.length ? 'warn' : 'ok'}`;
}
async function loadScenes() {
  try {
    const scenes = /** @type {any[]} */ (await api('/api/cameras/scenes'));
    store.set({ scenes: new Map(scenes.map((s) => [`${s.site}/${s.camera}`, s])) });
  } catch (err) {
    console.warn('scenes unavailable', err);
  }
}

// ---------- live ----------
/** @type {(() => void) | undefined} */
let closeLive;
let liveWasOn = false;
let liveConnectedOnce = false;
/** A list item from a detail body (the fields the list endpoint adds). @param {any} d */
function itemOf(d) {
  const { events: _e, merges: _m, reviews: _r, timeline: _t, scene: _s, evidenceStatus, lock, ...rest } = d;
  const evidenceAvailable = Object.entries(evidenceStatus ?? {})
    .filter(([, st]) => /** @type {any} */ (st).state === 'available')
    .map(([k]) => k);
  return { ...rest, evidenceAvailable, ...(lock ? { lockedBy: lock.reviewer } : {}) };
}
/** @param {{id: string, created: boolean}} msg */
async function onLive(msg) {
  let d;
  try {
    d = await api(`/api/incidents/${encodeURIComponent(msg.id)}`);
  } catch (err) {
    console.warn('live incident not readable', err);
    return;
  }
  const item = itemOf(d);
  const s = store.get();
  const present = s.items.some((i) => i?.id === item.id);
  const matches = matchesFilters(item, s.filters);
  if (matches && (present || msg.created)) {
    store.set({
      items: upsertNewestFirst(s.items, item, s.mode === 'work' ? 'oldest' : 'newest'),
      total: s.total + (present ? 0 : 1),
    });
    if (!present) {
      s.fresh.add(item.id);
      setTimeout(() => {
        s.fresh.delete(item.id);
        document.querySelector(`#queue [data-id="${CSS.escape(item.id)}"]`)?.classList.remove('fresh');
      }, FRESH_HIGHLIGHT_MS);
      toast(
        ctx().t('queue.new', {
          rule: ctx().ruleName(item),
          camera: ctx().cameraName(item.site, item.camera),
        }),
        'info',
      );
    }
  } else if (present && item.id !== s.selectedId) {
    store.set({ items: s.items.filter((i) => i?.id !== item.id), total: Math.max(0, s.total - 1) });
  } else if (present) {
    store.set({ items: s.items.map((i) => (i?.id === item.id ? item : i)) });
  }
  queue.draw();
  queue.loadCountsSoon();
  await incident.refresh(item.id);
}
/** @param {boolean} on */
function setLive(on) {
  // Messages sent while the stream was down are lost: after a reconnect, read the queue again.
  if (on && !liveWasOn && liveConnectedOnce) void Promise.all([queue.load(), queue.loadCounts()]);
  if (on) liveConnectedOnce = true;
  liveWasOn = on;
  const el = $('#live');
  el.className = `live ${on ? 'live-on' : 'live-off'}`;
  el.textContent = ctx().t(on ? 'live.on' : 'live.off');
}

// ---------- keyboard ----------
/** @param {KeyboardEvent} e */
function onKey(e) {
  if ($('#shell').hidden) return;
  if (document.querySelector('dialog[open]')) return; // dialogs handle their own keys (Esc closes)
  const target = /** @type {HTMLElement | null} */ (e.target);
  const tag = target?.tagName ?? '';
  const typing = tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
  const inReasons = target instanceof HTMLInputElement && target.type === 'radio';
  if (
    /^[1-5]$/.test(e.key) &&
    (!typing || inReasons) &&
    store.get().view === 'review' &&
    !e.ctrlKey &&
    !e.metaKey &&
    !e.altKey
  ) {
    e.preventDefault();
    return incident.pickReason(Number(e.key));
  }
  // In the reason radios, letters still act (R rejects with the picked reason); arrows stay the radios'.
  const action = keyAction(e, inReasons ? 'DIV' : tag);
  if (!action) return;
  if (action === 'play' && tag === 'VIDEO') return; // the player handles its own Space
  if (action === 'help') {
    e.preventDefault();
    return toggleHelp(ctx());
  }
  if (store.get().view !== 'review') return;
  e.preventDefault();
  switch (action) {
    case 'next':
    case 'previous': {
      const s = store.get();
      const ids = s.items.map((i) => i?.id).filter(Boolean);
      const at = ids.indexOf(s.selectedId);
      const next = at === -1 ? 0 : Math.max(0, Math.min(ids.length - 1, at + (action === 'next' ? 1 : -1)));
      if (ids[next] && ids[next] !== s.selectedId) void incident.open(ids[next]);
      else if (action === 'next' && s.items.length < s.total) void queue.load(true);
      return;
    }
    case 'confirm':
      return void incident.verdict('confirmed', e);
    case 'reject':
      return void incident.verdict('rejected', e);
    case 'undo':
      return void incident.undo();
    case 'note':
      return incident.focusNote();
    case 'play':
      return incident.togglePlay();
    case 'zoom':
      return void incident.toggleZoom();
    case 'snapshot':
      return incident.openSnapshot();
    case 'blur':
      return target?.blur();
  }
}

// ---------- start ----------
async function start() {
  $('#login').hidden = true;
  $('#shell').hidden = false;
  const me = store.get().me;
  $('#who').textContent = `${me?.name ?? ''} (${me?.role ?? ''})`;
  $('#bulk-open').hidden = !['reviewer', 'admin'].includes(me?.role ?? '');
  /** @type {HTMLElement} */ ($('a[data-view="audit"]')).hidden = me?.role !== 'admin';
  applyStaticText();
  await Promise.all([loadCameras(), loadScenes()]);
  await queue.fillOptions();
  await Promise.all([queue.load(), queue.loadCounts()]);
  const r = parseRoute(location.hash);
  showView(r.view);
  // A deep link opens exactly that incident, wherever it is in (or outside) the queue.
  if (r.view === 'review') await incident.open(r.id ?? store.get().items[0]?.id, { fromHash: Boolean(r.id) });
  closeLive?.();
  liveConnectedOnce = false;
  closeLive = connectLive((m) => void onLive(m), setLive);
  clearInterval(cameraTimer);
  cameraTimer = window.setInterval(loadCameras, CAMERA_REFRESH_MS);
}

/** @param {'vi' | 'en'} lang */
function setLang(lang) {
  store.set({ lang });
  storeLang(lang);
  applyStaticText();
  if (!$('#shell').hidden) {
    void queue.fillOptions();
    queue.draw();
    incident.redrawCurrent();
    setLive($('#live').classList.contains('live-on'));
    void loadCameras();
    auditPage.draw();
    if (store.get().view !== 'review') showView(store.get().view);
  }
}

async function init() {
  applyStaticText();
  $('#login-form').addEventListener('submit', (e) => void login(/** @type {SubmitEvent} */ (e)));
  $('#logout').addEventListener('click', () => void logout());
  $('#lang').addEventListener('change', (e) =>
    setLang(/** @type {'vi' | 'en'} */ (/** @type {HTMLSelectElement} */ (e.target).value)),
  );
  $('#help-open').addEventListener('click', () => toggleHelp(ctx()));
  $('#work-skip').addEventListener('click', () => incident.skip());
  $('#cam-summary').addEventListener('click', () => {
    location.hash = routeHash({ view: 'cameras' });
  });
  queue.bind();
  store.subscribe(
    (s) => {
      $('#work-skip').hidden = s.mode !== 'work';
    },
    ['mode'],
  );
  window.addEventListener('hashchange', () => void route());
  window.addEventListener('pagehide', () => void incident.releaseLock(true));
  document.addEventListener('keydown', onKey);
  try {
    const st = await api('/api/session/state');
    if (!st.signedIn) return showLogin();
    store.set({ me: { name: st.name, role: st.role } });
  } catch (err) {
    return showLogin(String(err));
  }
  await start();
}

void init();
