// The incident on screen: opening (deep link, queue, work queue), its soft lock, verdicts bound to its id and
// version with key repeat and transition presses dropped, undo, and live redraws that keep what was typed.
import { ApiError, api } from './api.js';
import { h } from './dom.js';
import { renderIncident } from './incident-view.js';
import { createVerdictGuard, TRANSITION_MS } from './verdict-guard.js';

/** @typedef {import('./app-state.js').AppStore} AppStore @typedef {import('./context.js').Ctx} Ctx */

/** The undo button stays this long (ms), like the server's default window. */
export const UNDO_MS = 10_000;

/**
 * @param {{store: AppStore, ctx: () => Ctx, toast: (text: string, kind?: string, action?: {label: string, run: () => void}) => void,
 *   failed: (err: unknown, key: string) => void, announce: (text: string) => void,
 *   queue: ReturnType<typeof import('./queue-controller.js').createQueue>,
 *   setHash: (id: string | undefined) => void}} deps
 */
export function createIncidentController(deps) {
  const { store } = deps;
  const guard = createVerdictGuard();
  /** @type {ReturnType<typeof renderIncident> | undefined} */
  let view;
  let openSeq = 0;
  let openedAt = 0;
  /** @type {number | undefined} */
  let lockTimer;
  /** @type {string | undefined} */
  let lockedId;
  /** The lease central grants (ms), learnt from its answer. */
  let leaseMs = 60_000;
  /** @type {{id: string, atMs: number} | undefined} */
  let lastVerdict;
  /** Ids passed over in work-queue mode (Skip, or locked by someone else). */
  const skipped = new Set();
  /** @type {Map<string, Promise<any>>} */
  const prefetched = new Map();

  const root = () => /** @type {HTMLElement} */ (document.querySelector('#incident'));
  const canReview = () => ['reviewer', 'admin'].includes(store.get().me?.role ?? '');

  /** Evidence a fine needs: a snapshot and the clip, on central. @param {any} inc */
  const evidenceComplete = (inc) => {
    const st = inc?.evidenceStatus ?? {};
    const ok = (/** @type {string} */ k) => st[k]?.state === 'available';
    return (ok('snapshot') || ok('snapshotClean')) && ok('clip');
  };

  /**
   * Gives the lease back (leaving the incident, switching mode, signing out); resolves once central has it.
   * `unloading`: the page is going away, so the request must outlive it (keepalive).
   */
  async function releaseLock(unloading = false) {
    clearInterval(lockTimer);
    lockTimer = undefined;
    const id = lockedId;
    lockedId = undefined;
    if (!id) return;
    try {
      const res = await fetch(`/api/incidents/${encodeURIComponent(id)}/lock`, {
        method: 'DELETE',
        credentials: 'same-origin',
        keepalive: unloading,
      });
      if (!res.ok && res.status !== 401) console.debug('unlock refused', res.status);
    } catch (err) {
      console.debug('unlock failed', err); // the lease runs out by itself
    }
  }

  /** Takes (or renews) the lease on the incident on screen; a refusal shows who holds it. @param {string} id */
  async function lock(id) {
    if (!canReview()) return;
    try {
      const l = await api(`/api/incidents/${encodeURIComponent(id)}/lock`, { method: 'POST' });
      if (store.get().selectedId !== id) return;
      lockedId = id;
      // A first grant spans exactly the lease; renewals keep acquiredAt, so the smallest span seen is the lease.
      leaseMs = Math.max(5000, Math.min(leaseMs, l.expiresAt - l.acquiredAt));
      const cur = store.get().current;
      if (cur?.id === id && cur.lock?.reviewer !== l.reviewer) redraw({ ...cur, lock: l });
    } catch (err) {
      if (err instanceof ApiError && err.status === 423) {
        const cur = store.get().current;
        const heldBy = /** @type {any} */ (err.body)?.heldBy;
        if (cur?.id === id && heldBy) {
          if (lockedId === id) deps.toast(deps.ctx().t('lock.lost', { name: heldBy.reviewer }), 'warn');
          lockedId = undefined;
          redraw({ ...cur, lock: heldBy });
        }
        return;
      }
      console.warn('lock failed', err);
    }
  }

  /** Draws `inc`; when it is the incident already on screen, what the reviewer typed or picked is kept. @param {any} inc */
  function redraw(inc) {
    const prev = store.get().current;
    const same = prev?.id === inc.id && view;
    const keep = same
      ? {
          note: view?.panel.note.value ?? '',
          reason: view?.panel.reason(),
          focus: document.activeElement?.id,
        }
      : undefined;
    view?.dispose();
    store.set({ current: inc });
    const s = store.get();
    view = renderIncident(root(), inc, deps.ctx(), {
      canReview: canReview(),
      me: s.me?.name,
      evidenceComplete: evidenceComplete(inc),
      camera: s.cameras.find((c) => c.camera === inc.camera && c.site === inc.site),
      onVerdict: (v) => void verdict(v, undefined),
      onUndo: () => void undo(),
    });
    if (keep && view) {
      view.panel.note.value = keep.note;
      if (keep.reason)
        view.panel.pickReason(
          ['not_violation', 'wrong_vehicle', 'evidence_unclear', 'duplicate', 'other'].indexOf(keep.reason) +
            1,
        );
      if (keep.focus) document.getElementById(keep.focus)?.focus();
    }
    const at = performance.now();
    guard.shown({ id: inc.id, version: inc.version }, at);
    // When verdict keys start counting for this incident (tests wait for it instead of sleeping).
    root()
      .querySelector('article.incident')
      ?.setAttribute('data-keys-from', keep?.keysFrom ?? String(at + TRANSITION_MS));
  }

  /** Opens an incident (undefined: the empty view). @param {string | undefined} id @param {{fromHash?: boolean}} [o] */
  async function open(id, o = {}) {
    const n = ++openSeq;
    if (lockedId && lockedId !== id) void releaseLock();
    store.set({ selectedId: id });
    deps.queue.draw();
    deps.queue.focusSelected();
    if (!o.fromHash) deps.setHash(id);
    if (!id) {
      view?.dispose();
      view = undefined;
      store.set({ current: undefined });
      guard.shown(undefined, performance.now());
      root().replaceChildren(
        h('p', { class: 'empty' }, deps.ctx().t(store.get().mode === 'work' ? 'work.none' : 'incident.none')),
      );
      return;
    }
    let inc;
    try {
      const cached = prefetched.get(id);
      prefetched.delete(id);
      inc = await (cached ?? api(`/api/incidents/${encodeURIComponent(id)}`));
    } catch (err) {
      if (n === openSeq) deps.failed(err, 'incident.loadFailed');
      return;
    }
    if (n !== openSeq) return; // the reviewer already moved on
    view?.dispose();
    view = undefined;
    redraw(inc);
    openedAt = performance.now();
    const ctx = deps.ctx();
    deps.announce(
      ctx.t('a11y.opened', {
        rule: ctx.ruleName(inc, inc.scene),
        camera: ctx.cameraName(inc.site, inc.camera),
        time: ctx.fmt.dateTimeFull(inc.firstTs),
        status: ctx.t(`status.${inc.status}`),
      }),
    );
    if (canReview() && inc.status === 'open') {
      await lock(id);
      clearInterval(lockTimer);
      // Renewed at a third of the lease (review.lockLeaseS), so one late renewal never loses it.
      lockTimer = window.setInterval(() => void lock(id), Math.round(leaseMs / 3));
    }
    prefetchNext(id);
  }

  /** The detail of the next row, fetched while the reviewer looks at this one. @param {string} id */
  function prefetchNext(id) {
    const items = store.get().items;
    const at = items.findIndex((i) => i?.id === id);
    const next = at === -1 ? undefined : items[at + 1];
    prefetched.clear();
    if (next?.id) {
      const p = api(`/api/incidents/${encodeURIComponent(next.id)}`);
      p.catch((err) => console.debug('prefetch failed', err)); // open() fetches again and reports
      prefetched.set(next.id, p);
    }
  }

  /** Work-queue mode: the oldest open incident nobody else holds, locked to me by the server. */
  async function nextWork() {
    await releaseLock(); // else the server would hand back the incident I hold now
    const f = store.get().filters;
    const body = {
      ...(f.camera ? { camera: f.camera } : {}),
      ...(f.rule ? { rule: f.rule } : {}),
      skip: [...skipped].slice(-200),
    };
    try {
      const l = await api('/api/incidents/next', { method: 'POST', body });
      if (!l) return open(undefined);
      lockedId = l.incidentId;
      await open(l.incidentId);
    } catch (err) {
      deps.failed(err, 'incident.loadFailed');
    }
  }

  /** The row after `id` in the queue as it is now (after the decided one left it, the one in its place). @param {string} id @param {number} at */
  function nextAfter(id, at) {
    const items = store.get().items;
    const still = items.findIndex((i) => i?.id === id);
    if (still !== -1) return items[still + 1]?.id ?? items[still]?.id;
    return items[Math.min(at, items.length - 1)]?.id;
  }

  /**
   * A verdict from a key press (or a click: no event). Dropped on key repeat, during the transition to a newly
   * shown incident, while one is in flight, and once the incident on screen was decided.
   * @param {'confirmed' | 'rejected'} v @param {KeyboardEvent | undefined} e
   */
  async function verdict(v, e) {
    if (!canReview() || !view) return;
    const ans = guard.check(e ?? { timeStamp: performance.now() });
    if (!ans.ok) return;
    const ctx = deps.ctx();
    const panel = view.panel;
    if (!panel.enabled) return;
    const inc = store.get().current;
    if (!inc || inc.id !== ans.target.id) return;
    const note = panel.note.value.trim();
    const reason = panel.reason();
    if (v === 'rejected' && !reason) {
      panel.say(ctx.t('verdict.chooseReason'));
      panel.focusReasons();
      return;
    }
    if (v === 'rejected' && reason === 'other' && !note) {
      panel.say(ctx.t('verdict.needNote'));
      panel.note.focus();
      return;
    }
    const override = panel.override();
    if (v === 'confirmed' && !evidenceComplete(inc) && !(override && note)) {
      panel.say(ctx.t('verdict.evidenceMissing'));
      return;
    }
    guard.pending(true);
    panel.setBusy(true);
    let updated;
    try {
      updated = await api(`/api/incidents/${encodeURIComponent(ans.target.id)}/review`, {
        method: 'POST',
        body: {
          verdict: v,
          version: ans.target.version,
          ...(v === 'rejected' ? { reason } : {}),
          ...(note ? { note } : {}),
          ...(v === 'confirmed' && override ? { override: true } : {}),
          handlingMs: Math.max(0, Math.round(performance.now() - openedAt)),
        },
      });
    } catch (err) {
      guard.pending(false);
      panel.setBusy(false);
      if (err instanceof ApiError && err.status === 409) {
        deps.toast(ctx.t('verdict.conflict'), 'warn');
        return void open(ans.target.id, { fromHash: true });
      }
      if (err instanceof ApiError && err.status === 423) return void lock(ans.target.id);
      if (err instanceof ApiError && err.status === 422) return void panel.say(err.message);
      return deps.failed(err, 'verdict.failed');
    }
    guard.pending(false, ans.target.id);
    lockedId = undefined;
    clearInterval(lockTimer);
    lastVerdict = { id: ans.target.id, atMs: Date.now() };
    deps.toast(ctx.t(`verdict.saved.${v}`), v === 'confirmed' ? 'ok' : 'warn', {
      label: ctx.t('verdict.undo'),
      run: () => void undo(),
    });
    const s = store.get();
    const at = s.items.findIndex((i) => i?.id === ans.target.id);
    const leaves = s.filters.status !== '' && s.filters.status !== updated.status;
    if (at !== -1)
      store.set({
        items: leaves
          ? s.items.filter((i) => i?.id !== ans.target.id)
          : s.items.map((i) => (i?.id === ans.target.id ? { ...i, ...updated } : i)),
        total: leaves ? Math.max(0, s.total - 1) : s.total,
      });
    deps.queue.draw();
    deps.queue.loadCountsSoon();
    if (s.mode === 'work') return nextWork();
    const next = nextAfter(ans.target.id, at);
    if (store.get().items.length === 0 && store.get().total > 0) {
      await deps.queue.load();
      return open(store.get().items[0]?.id);
    }
    return open(next);
  }

  /** Undoes my last verdict while the window lasts, and shows that incident again. */
  async function undo() {
    const last = lastVerdict;
    const ctx = deps.ctx();
    if (!last || Date.now() - last.atMs > UNDO_MS) return;
    try {
      await api(`/api/incidents/${encodeURIComponent(last.id)}/undo`, { method: 'POST' });
    } catch (err) {
      deps.toast(
        ctx.t('verdict.undoFailed', { reason: err instanceof Error ? err.message : String(err) }),
        'error',
      );
      return;
    }
    lastVerdict = undefined;
    deps.toast(ctx.t('verdict.undone'), 'info');
    await Promise.all([deps.queue.load(), deps.queue.loadCounts()]);
    await open(last.id);
  }

  /**
   * A live message about `id`: redraw it when it is on screen (keeping what was typed); `force` redraws even when
   * nothing the verdict depends on changed (a plate correction).
   * @param {string} id @param {boolean} [force]
   */
  async function refresh(id, force = false) {
    prefetched.delete(id);
    const cur = store.get().current;
    if (cur?.id !== id) return;
    let inc;
    try {
      inc = await api(`/api/incidents/${encodeURIComponent(id)}`);
    } catch (err) {
      console.warn('live incident not readable', err);
      return;
    }
    if (store.get().current?.id !== id) return;
    const changed =
      inc.version !== cur.version ||
      JSON.stringify(inc.evidenceStatus) !== JSON.stringify(cur.evidenceStatus) ||
      JSON.stringify(inc.lock) !== JSON.stringify(cur.lock) ||
      JSON.stringify(inc.plate) !== JSON.stringify(cur.plate);
    if (changed || force) redraw(inc);
  }

  return {
    open,
    nextWork,
    refresh,
    releaseLock,
    skip() {
      const id = store.get().selectedId;
      if (id) skipped.add(id);
      void nextWork();
    },
    verdict,
    undo,
    /** @param {number} n */
    pickReason: (n) => view?.panel.pickReason(n),
    focusNote: () => view?.panel.note.focus(),
    togglePlay: () => view?.togglePlay(),
    toggleZoom: () => view?.toggleZoom(),
    openSnapshot: () => view?.openSnapshot(),
    redrawCurrent() {
      const cur = store.get().current;
      if (cur) redraw(cur);
    },
  };
}
