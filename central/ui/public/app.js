// The review page's controller: login, queue with filters and counts, incident view, verdicts, keyboard, live.
import { ApiError, api } from './api.js';
import { emptyFilters, filtersToQuery, matchesFilters, upsertNewestFirst } from './filters.js';
import { formatter } from './format.js';
import { renderHealth } from './health-view.js';
import { storedLang, storeLang, translate } from './i18n.js';
import { renderIncident } from './incident-view.js';
import { keyAction } from './keyboard.js';
import { connectLive } from './live.js';
import { renderQueue } from './queue-view.js';

const PAGE_SIZE = 50;
const STATUSES = ['open', 'confirmed', 'rejected'];
const RULE_TYPES = [
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
const CAMERA_REFRESH_MS = 10_000;
const FRESH_HIGHLIGHT_MS = 5_000;

const $ = (/** @type {string} */ sel) => /** @type {HTMLElement} */ (document.querySelector(sel));

const state = {
  lang: storedLang(),
  /** @type {{name: string, role: string} | undefined} */
  me: undefined,
  filters: emptyFilters(),
  /** @type {any[]} */
  items: [],
  total: 0,
  /** @type {string | undefined} */
  selectedId: undefined,
  /** @type {ReturnType<typeof renderIncident> | undefined} */
  view: undefined,
  /** @type {any} */
  current: undefined,
  /** @type {any[]} */
  cameras: [],
  fresh: new Set(),
  /** @type {Record<string, number>} */
  counts: {},
  openSeq: 0,
  verdictPending: false,
  /** @type {(() => void) | undefined} */
  closeLive: undefined,
  /** @type {number | undefined} */
  cameraTimer: undefined,
  liveConnectedOnce: false,
};

const t = (/** @type {string} */ key, /** @type {Record<string, string | number>} */ p = {}) =>
  translate(state.lang, key, p);
let fmt = formatter(state.lang);

function cameraName(/** @type {string} */ site, /** @type {string} */ camera) {
  const c = state.cameras.find((x) => x.camera === camera && (x.site === site || !site));
  return c?.name ?? camera;
}
const ctx = () => ({ t, fmt, cameraName });
const canReview = () => state.me?.role === 'reviewer' || state.me?.role === 'admin';

// ---------- feedback ----------
let toastTimer = 0;
function toast(/** @type {string} */ text, kind = 'ok') {
  const el = $('#toast');
  el.textContent = text;
  el.className = `toast toast-${kind} show`;
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => el.classList.remove('show'), 2500);
}

/** Handles an API failure: a lost session returns to the login form; anything else is shown. */
function failed(/** @type {unknown} */ err, /** @type {string} */ key) {
  if (err instanceof ApiError && err.status === 401) {
    showLogin(t('error.session'));
    return;
  }
  toast(t(key, { reason: err instanceof Error ? err.message : String(err) }), 'error');
}

// ---------- static text ----------
function applyStaticText() {
  document.documentElement.lang = state.lang;
  document.title = t('app.title');
  for (const el of document.querySelectorAll('[data-i18n]'))
    el.textContent = t(el.getAttribute('data-i18n') ?? '');
  for (const el of document.querySelectorAll('[data-i18n-placeholder]'))
    el.setAttribute('placeholder', t(el.getAttribute('data-i18n-placeholder') ?? ''));
  /** @type {HTMLSelectElement} */ ($('#lang')).value = state.lang;
  fillFilterOptions();
}

function fillFilterOptions() {
  const rule = /** @type {HTMLSelectElement} */ ($('#f-rule'));
  const status = /** @type {HTMLSelectElement} */ ($('#f-status'));
  const camera = /** @type {HTMLSelectElement} */ ($('#f-camera'));
  const opt = (/** @type {string} */ value, /** @type {string} */ label) => {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    return o;
  };
  rule.replaceChildren(opt('', t('filter.all')), ...RULE_TYPES.map((r) => opt(r, t(`rule.${r}`))));
  status.replaceChildren(opt('', t('filter.all')), ...STATUSES.map((s) => opt(s, t(`status.${s}`))));
  const ids = new Map(
    state.cameras.filter((c) => c.camera !== '_edge').map((c) => [c.camera, c.name ?? c.camera]),
  );
  for (const inc of state.items) if (!ids.has(inc.camera)) ids.set(inc.camera, inc.camera);
  if (state.filters.camera && !ids.has(state.filters.camera))
    ids.set(state.filters.camera, state.filters.camera);
  camera.replaceChildren(
    opt('', t('filter.all')),
    ...[...ids].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => opt(id, name)),
  );
  rule.value = state.filters.rule;
  status.value = state.filters.status;
  camera.value = state.filters.camera;
  /** @type {HTMLInputElement} */ ($('#f-from')).value = state.filters.from;
  /** @type {HTMLInputElement} */ ($('#f-to')).value = state.filters.to;
}

// ---------- login ----------
function showLogin(/** @type {string} */ message = '') {
  state.closeLive?.();
  state.closeLive = undefined;
  clearInterval(state.cameraTimer);
  state.view?.dispose();
  state.view = undefined;
  $('#shell').hidden = true;
  $('#login').hidden = false;
  $('#login-error').textContent = message;
  /** @type {HTMLInputElement} */ ($('#login-token')).focus();
}

async function login(/** @type {SubmitEvent} */ e) {
  e.preventDefault();
  const input = /** @type {HTMLInputElement} */ ($('#login-token'));
  try {
    state.me = await api('/api/session', { method: 'POST', body: { token: input.value.trim() } });
    input.value = '';
    await start();
  } catch (err) {
    $('#login-error').textContent =
      err instanceof ApiError && (err.status === 401 || err.status === 400) ? t('login.failed') : String(err);
  }
}

async function logout() {
  try {
    await api('/api/session', { method: 'DELETE' });
  } catch (err) {
    console.warn('logout failed', err);
  }
  state.me = undefined;
  showLogin();
}

// ---------- queue ----------
function drawQueue() {
  renderQueue($('#queue'), state.items, state.selectedId, state.fresh, ctx());
  $('#queue-shown').textContent = t('queue.shown', { shown: state.items.length, total: state.total });
  $('#more').hidden = state.items.length >= state.total;
  $('#tab-queue-count').textContent = String(state.total);
}

/** Only the newest answer of each kind is drawn; an older one arriving late is dropped. */
const requestSeq = { queue: 0, counts: 0 };

async function loadQueue(/** @type {boolean} */ append = false) {
  const offset = append ? state.items.length : 0;
  const seq = ++requestSeq.queue;
  try {
    const body = await api(`/api/incidents?${filtersToQuery(state.filters, { limit: PAGE_SIZE, offset })}`);
    if (seq !== requestSeq.queue) return; // filters changed meanwhile: a newer answer is on its way
    state.items = append ? [...state.items, ...body.items] : body.items;
    state.total = body.total;
  } catch (err) {
    failed(err, 'incident.loadFailed');
    return;
  }
  drawQueue();
  if (!append) {
    const keep = state.items.some((i) => i.id === state.selectedId);
    if (!keep) await select(state.items[0]?.id);
  }
}

async function loadCounts() {
  const seq = ++requestSeq.counts;
  try {
    const results = await Promise.all(
      STATUSES.map((s) => api(`/api/incidents?${filtersToQuery(state.filters, { status: s, limit: 1 })}`)),
    );
    if (seq !== requestSeq.counts) return;
    STATUSES.forEach((s, i) => {
      state.counts[s] = results[i].total;
    });
  } catch (err) {
    failed(err, 'incident.loadFailed');
    return;
  }
  for (const s of STATUSES) {
    const el = document.querySelector(`#counts [data-status="${s}"] .count`);
    if (el) el.textContent = String(state.counts[s] ?? 0);
    document
      .querySelector(`#counts [data-status="${s}"]`)
      ?.setAttribute('aria-pressed', state.filters.status === s ? 'true' : 'false');
  }
}

let countsTimer = 0;
function loadCountsSoon() {
  clearTimeout(countsTimer);
  countsTimer = window.setTimeout(loadCounts, 300); // a burst of live events costs one round of counts
}

function readFilters() {
  state.filters = {
    camera: /** @type {HTMLSelectElement} */ ($('#f-camera')).value,
    rule: /** @type {HTMLSelectElement} */ ($('#f-rule')).value,
    status: /** @type {HTMLSelectElement} */ ($('#f-status')).value,
    from: /** @type {HTMLInputElement} */ ($('#f-from')).value,
    to: /** @type {HTMLInputElement} */ ($('#f-to')).value,
  };
}

async function filtersChanged() {
  readFilters();
  await Promise.all([loadQueue(), loadCounts()]);
}

// ---------- incident ----------
async function select(/** @type {string | undefined} */ id) {
  state.selectedId = id;
  for (const li of document.querySelectorAll('#queue .queue-item')) {
    const on = li.getAttribute('data-id') === id;
    li.classList.toggle('selected', on);
    li.setAttribute('aria-selected', on ? 'true' : 'false');
    if (on) li.scrollIntoView({ block: 'nearest' });
  }
  if (id) history.replaceState(null, '', `#${encodeURIComponent(id)}`);
  await openIncident(id);
}

async function openIncident(/** @type {string | undefined} */ id) {
  const seq = ++state.openSeq;
  if (!id) {
    state.view?.dispose();
    state.view = undefined;
    state.current = undefined;
    $('#incident').replaceChildren(
      Object.assign(document.createElement('p'), { className: 'empty', textContent: t('incident.none') }),
    );
    return;
  }
  let inc;
  try {
    const fetchDetail = () => api(`/api/incidents/${encodeURIComponent(id)}`);
    const cached = detailCache.get(id);
    detailCache.delete(id);
    inc = await (cached ? cached.catch(fetchDetail) : fetchDetail());
  } catch (err) {
    if (seq === state.openSeq) failed(err, 'incident.loadFailed');
    return;
  }
  if (seq !== state.openSeq) return; // the reviewer already moved on
  drawIncident(inc);
}

function drawIncident(/** @type {any} */ inc) {
  state.view?.dispose();
  state.current = inc;
  state.view = renderIncident($('#incident'), inc, {
    ...ctx(),
    camera: state.cameras.find((c) => c.camera === inc.camera && c.site === inc.site),
    canReview: canReview(),
    onVerdict: (v, note) => void verdict(v, note),
  });
  prefetchNext(inc.id);
}

/** Detail of the next incident, fetched ahead; dropped when a live message says it changed. */
const detailCache = new Map();
/** @type {HTMLVideoElement | undefined} */
let prefetching;
/**
 * Starts downloading the next incident's clip and snapshot while the reviewer watches this one, so J or a
 * verdict shows the next clip at once (evidence responses are immutable, so the browser cache keeps them).
 */
function prefetchNext(/** @type {string} */ id) {
  const at = state.items.findIndex((i) => i.id === id);
  const next = at === -1 ? undefined : state.items[at + 1];
  detailCache.clear();
  if (next) {
    const pending = api(`/api/incidents/${encodeURIComponent(next.id)}`);
    pending.catch((err) => console.debug('prefetch failed', err)); // openIncident fetches again and reports
    detailCache.set(next.id, pending);
  }
  const clip = next?.evidence?.clip;
  if (prefetching && prefetching.dataset.id !== clip) {
    prefetching.removeAttribute('src');
    prefetching.load();
    prefetching = undefined;
  }
  if (!clip || prefetching) return;
  prefetching = document.createElement('video');
  prefetching.muted = true;
  prefetching.preload = 'auto';
  prefetching.dataset.id = clip;
  prefetching.src = `/api/evidence/${encodeURIComponent(clip)}`;
  const snap = next.evidence?.snapshot ?? next.evidence?.snapshotClean;
  if (snap) new Image().src = `/api/evidence/${encodeURIComponent(snap)}`;
}

function move(/** @type {number} */ step) {
  if (state.items.length === 0) return;
  const at = state.items.findIndex((i) => i.id === state.selectedId);
  const next = Math.min(state.items.length - 1, Math.max(0, at + step));
  if (at === -1) return void select(state.items[0].id);
  if (next !== at) void select(state.items[next].id);
  else if (step > 0 && state.items.length < state.total) void loadQueue(true).then(() => move(step));
}

async function verdict(/** @type {'confirmed' | 'rejected'} */ v, /** @type {string} */ note) {
  const id = state.selectedId;
  if (!id || !canReview() || state.verdictPending) return;
  state.verdictPending = true;
  /** @type {HTMLButtonElement} */ for (const b of document.querySelectorAll('.verdict-btn'))
    b.disabled = true;
  let updated;
  try {
    updated = await api(`/api/incidents/${encodeURIComponent(id)}/review`, {
      method: 'POST',
      body: note ? { verdict: v, note } : { verdict: v },
    });
  } catch (err) {
    failed(err, 'verdict.failed');
    /** @type {HTMLButtonElement} */ for (const b of document.querySelectorAll('.verdict-btn'))
      b.disabled = false;
    return;
  } finally {
    state.verdictPending = false;
  }
  toast(t(`verdict.saved.${v}`), v === 'confirmed' ? 'ok' : 'warn');
  const at = state.items.findIndex((i) => i.id === id);
  const status = updated?.status ?? v;
  const leaves = state.filters.status !== '' && state.filters.status !== status;
  if (at !== -1) {
    if (leaves) {
      state.items = state.items.filter((i) => i.id !== id);
      state.total = Math.max(0, state.total - 1);
    } else {
      state.items[at] = { ...state.items[at], ...updated, status };
    }
  }
  // The next incident opens at once: the one that slid into this row, or the one below it.
  const nextIndex = at === -1 ? 0 : leaves ? at : at + 1;
  const next = state.items[Math.min(nextIndex, state.items.length - 1)];
  drawQueue();
  loadCountsSoon();
  if (state.items.length === 0 && state.total > 0) await loadQueue();
  else await select(next?.id);
}

// ---------- cameras ----------
async function loadCameras() {
  try {
    state.cameras = await api('/api/cameras');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return failed(err, 'incident.loadFailed');
    console.warn('cameras unavailable', err);
    state.cameras = [];
  }
  const cams = state.cameras.filter((c) => c.camera !== '_edge');
  const online = cams.filter((c) => c.state === 'online').length;
  const summary = $('#cam-summary');
  summary.textContent = t('health.summary', { online, total: cams.length });
  summary.className = `cam-summary ${online < cams.length ? 'warn' : 'ok'}`;
  renderHealth($('#cameras'), state.cameras, { ...ctx(), nowMs: Date.now() });
}

function showTab(/** @type {'queue' | 'cameras'} */ tab) {
  $('#queue-panel').hidden = tab !== 'queue';
  $('#cameras').hidden = tab !== 'cameras';
  for (const b of document.querySelectorAll('[data-tab]'))
    b.setAttribute('aria-selected', b.getAttribute('data-tab') === tab ? 'true' : 'false');
}

// ---------- live ----------
async function onLive(/** @type {{id: string, created: boolean}} */ msg) {
  detailCache.delete(msg.id);
  let inc;
  try {
    inc = await api(`/api/incidents/${encodeURIComponent(msg.id)}`);
  } catch (err) {
    console.warn('live incident not readable', err);
    return;
  }
  const { events: _events, merges: _merges, ...item } = inc;
  const present = state.items.some((i) => i.id === item.id);
  const matches = matchesFilters(item, state.filters);
  if (matches && (present || msg.created)) {
    state.items = upsertNewestFirst(state.items, item);
    if (!present) {
      state.total++;
      state.fresh.add(item.id);
      setTimeout(() => {
        state.fresh.delete(item.id);
        document.querySelector(`#queue [data-id="${CSS.escape(item.id)}"]`)?.classList.remove('fresh');
      }, FRESH_HIGHLIGHT_MS);
      toast(
        t('queue.new', { rule: t(`rule.${item.ruleType}`), camera: cameraName(item.site, item.camera) }),
        'info',
      );
    }
  } else if (present && item.id !== state.selectedId) {
    state.items = state.items.filter((i) => i.id !== item.id);
    state.total = Math.max(0, state.total - 1);
  } else if (present) {
    state.items = state.items.map((i) => (i.id === item.id ? item : i));
  }
  drawQueue();
  loadCountsSoon();
  // Another reviewer's verdict on the incident on screen: show it (new events alone would restart the clip).
  if (item.id === state.selectedId && state.current && state.current.status !== item.status)
    drawIncident(inc);
  if (!state.selectedId && state.items.length > 0) await select(state.items[0].id);
}

let liveWasOn = false;
function setLive(/** @type {boolean} */ on) {
  // Messages sent while the stream was down are lost: after a reconnect, read the queue again.
  if (on && !liveWasOn && state.liveConnectedOnce) void Promise.all([loadQueue(), loadCounts()]);
  if (on) state.liveConnectedOnce = true;
  liveWasOn = on;
  const el = $('#live');
  el.className = `live ${on ? 'live-on' : 'live-off'}`;
  el.textContent = t(on ? 'live.on' : 'live.off');
}

// ---------- keyboard ----------
function onKey(/** @type {KeyboardEvent} */ e) {
  if ($('#shell').hidden) return;
  const target = /** @type {HTMLElement | null} */ (e.target);
  const action = keyAction(e, target?.tagName ?? '');
  if (!action) return;
  if (action === 'play' && target?.tagName === 'VIDEO') return; // the player handles its own Space
  e.preventDefault();
  switch (action) {
    case 'next':
      return move(1);
    case 'previous':
      return move(-1);
    case 'confirm':
      return void verdict('confirmed', state.view?.note.value.trim() ?? '');
    case 'reject':
      return void verdict('rejected', state.view?.note.value.trim() ?? '');
    case 'note':
      return state.view?.note.focus();
    case 'play':
      return state.view?.togglePlay();
    case 'zoom':
      return void state.view?.toggleZoom();
    case 'blur':
      return target?.blur();
  }
}

// ---------- start ----------
async function start() {
  $('#login').hidden = true;
  $('#shell').hidden = false;
  $('#who').textContent = `${state.me?.name ?? ''} (${state.me?.role ?? ''})`;
  applyStaticText();
  await loadCameras();
  fillFilterOptions();
  const wanted = decodeURIComponent(location.hash.slice(1));
  if (wanted) state.selectedId = wanted;
  await Promise.all([loadQueue(), loadCounts()]);
  if (wanted && state.selectedId === wanted && !state.current) await openIncident(wanted);
  state.closeLive?.();
  state.liveConnectedOnce = false;
  state.closeLive = connectLive((m) => void onLive(m), setLive);
  clearInterval(state.cameraTimer);
  state.cameraTimer = window.setInterval(loadCameras, CAMERA_REFRESH_MS);
}

function setLang(/** @type {'vi' | 'en'} */ lang) {
  state.lang = lang;
  storeLang(lang);
  fmt = formatter(lang);
  applyStaticText();
  if (!$('#shell').hidden) {
    drawQueue();
    renderHealth($('#cameras'), state.cameras, { ...ctx(), nowMs: Date.now() });
    if (state.current) drawIncident(state.current);
    setLive($('#live').classList.contains('live-on'));
    void loadCameras();
  }
}

async function init() {
  applyStaticText();
  $('#login-form').addEventListener('submit', (e) => void login(/** @type {SubmitEvent} */ (e)));
  $('#logout').addEventListener('click', () => void logout());
  $('#lang').addEventListener('change', (e) =>
    setLang(/** @type {'vi' | 'en'} */ (/** @type {HTMLSelectElement} */ (e.target).value)),
  );
  $('#filters').addEventListener('change', () => void filtersChanged());
  $('#filters').addEventListener('submit', (e) => e.preventDefault());
  $('#f-clear').addEventListener('click', () => {
    state.filters = emptyFilters();
    fillFilterOptions();
    void filtersChanged();
  });
  $('#more').addEventListener('click', () => void loadQueue(true));
  $('#queue').addEventListener('click', (e) => {
    const li = /** @type {HTMLElement} */ (e.target).closest('.queue-item');
    if (li) void select(li.getAttribute('data-id') ?? undefined);
  });
  for (const b of document.querySelectorAll('#counts [data-status]'))
    b.addEventListener('click', () => {
      const s = b.getAttribute('data-status') ?? '';
      /** @type {HTMLSelectElement} */ ($('#f-status')).value = state.filters.status === s ? '' : s;
      void filtersChanged();
    });
  for (const b of document.querySelectorAll('[data-tab]'))
    b.addEventListener('click', () =>
      showTab(/** @type {'queue' | 'cameras'} */ (b.getAttribute('data-tab'))),
    );
  $('#cam-summary').addEventListener('click', () => showTab('cameras'));
  document.addEventListener('keydown', onKey);
  try {
    state.me = await api('/api/session');
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 404)) return showLogin();
    return showLogin(String(err));
  }
  await start();
}

void init();
