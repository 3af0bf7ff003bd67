// One incident: clip with the detection box and track path over it, snapshot, rule details, merged events,
// camera position, and the verdict panel.
import { h } from './dom.js';
import { zoomOrigin } from './geometry.js';
import { buildOverlay, followMedia } from './overlay.js';

/**
 * @typedef {import('./queue-view.js').ViewCtx & {
 *   camera: any | undefined,
 *   canReview: boolean,
 *   onVerdict: (verdict: 'confirmed' | 'rejected', note: string) => void,
 * }} IncidentCtx
 */

/** The stored event of a detail response as the contract's event object, whatever the storage shape. */
export function eventOf(/** @type {any} */ e) {
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

/** Who reviewed, when, with which note: from a nested `review` object or flat fields. */
export function reviewOf(/** @type {any} */ inc) {
  const r = inc.review ?? inc;
  const name = r.reviewer ?? r.reviewedBy ?? r.reviewerName;
  const at = r.reviewedAt ?? r.reviewTs ?? r.at;
  const note = r.note ?? r.reviewNote;
  return name || at
    ? { name: String(name ?? ''), at: typeof at === 'number' ? at : undefined, note }
    : undefined;
}

/** @param {string} label @param {Node | string} value */
const item = (label, value) => [h('dt', {}, label), h('dd', {}, value)];

/** @param {any} inc @param {any[]} events @param {IncidentCtx} ctx */
function details(inc, events, ctx) {
  const d = inc.details ?? {};
  const { t, fmt } = ctx;
  const first = events[0] ?? {};
  const rows = [
    item(
      t('detail.object'),
      ctx.t(`label.${inc.label}`) === `label.${inc.label}` ? inc.label : t(`label.${inc.label}`),
    ),
    item(t('detail.confidence'), fmt.pct(inc.confidence)),
    item(t('detail.time'), fmt.dateTime(inc.firstTs)),
    item(t('detail.duration'), fmt.duration(inc.lastTs - inc.firstTs)),
  ];
  if (typeof d.speedKmh === 'number')
    rows.push(item(t('detail.speed'), t('unit.kmh', { v: fmt.num(d.speedKmh) })));
  if (typeof d.dwellS === 'number') rows.push(item(t('detail.dwell'), t('unit.s', { v: fmt.num(d.dwellS) })));
  if (d.signal)
    rows.push(
      item(t('detail.signal'), h('span', { class: `signal signal-${d.signal}` }, t(`signal.${d.signal}`))),
    );
  if (typeof d.count === 'number') rows.push(item(t('detail.count'), String(d.count)));
  if (typeof d.headingDeg === 'number') rows.push(item(t('detail.heading'), `${fmt.num(d.headingDeg)}°`));
  if (d.attribute) {
    const key = `attr.${d.attribute}`;
    rows.push(item(t('detail.attribute'), t(key) === key ? String(d.attribute) : t(key)));
  }
  if (first.zone) rows.push(item(t('detail.zone'), String(first.zone)));
  if (first.line) rows.push(item(t('detail.line'), String(first.line)));
  if (Array.isArray(d.pathNorm) && d.pathNorm.length > 0)
    rows.push(
      item(
        t('detail.path'),
        h(
          'span',
          { class: 'path-key' },
          h('i', { class: 'swatch swatch-path' }),
          t('detail.pathPoints', { n: d.pathNorm.length }),
        ),
      ),
    );
  if (first.trackId !== undefined) rows.push(item(t('detail.track'), String(first.trackId)));
  rows.push(item(t('detail.ruleId'), inc.rule));
  return h('dl', { class: 'details' }, rows.flat());
}

/** @param {any[]} events @param {any[]} merges @param {IncidentCtx} ctx */
function eventsTable(events, merges, ctx) {
  const { t, fmt } = ctx;
  // Overlapping cameras (one group) merge into one incident: then each row says which camera saw it.
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
  const reasons = merges.map((m) => (typeof m === 'string' ? m : (m?.reason ?? JSON.stringify(m))));
  return h(
    'section',
    { class: 'events' },
    h('h2', {}, t('events.title', { n: events.length })),
    reasons.length ? h('p', { class: 'merges' }, `${t('events.merges')}: `, reasons.join('; ')) : null,
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

/** @param {any} camera @param {IncidentCtx} ctx */
function location(camera, ctx) {
  const loc = camera?.location;
  const body =
    loc && Number.isFinite(loc.lat) && Number.isFinite(loc.lon)
      ? [
          h('span', { class: 'mono coords' }, `${loc.lat.toFixed(5)}, ${loc.lon.toFixed(5)}`),
          ' ',
          h(
            'a',
            {
              href: `https://www.openstreetmap.org/?mlat=${loc.lat}&mlon=${loc.lon}#map=18/${loc.lat}/${loc.lon}`,
              target: '_blank',
              rel: 'noopener noreferrer',
              class: 'map-link',
            },
            ctx.t('map.open'),
          ),
        ]
      : [h('span', { class: 'muted' }, ctx.t('map.none'))];
  return h('section', { class: 'location' }, h('h2', {}, ctx.t('map.title')), h('p', {}, body));
}

/** @param {any} inc @param {IncidentCtx} ctx */
function verdictPanel(inc, ctx) {
  const { t, fmt } = ctx;
  const note = /** @type {HTMLTextAreaElement} */ (
    h('textarea', {
      id: 'verdict-note',
      rows: 2,
      maxlength: 1000,
      placeholder: t('verdict.note'),
      disabled: !ctx.canReview,
    })
  );
  const review = reviewOf(inc);
  /** Every verdict given, oldest first (GET /api/incidents/:id `reviews`), shown when it was changed. */
  const history = Array.isArray(inc.reviews) ? inc.reviews : [];
  if (review?.note) note.value = String(review.note);
  const button = (/** @type {'confirmed' | 'rejected'} */ verdict, key, label) =>
    h(
      'button',
      {
        type: 'button',
        class: `verdict-btn verdict-${verdict}`,
        'data-verdict': verdict,
        disabled: !ctx.canReview,
        onclick: () => ctx.onVerdict(verdict, note.value.trim()),
      },
      h('kbd', {}, key),
      label,
    );
  return {
    note,
    el: h(
      'section',
      { class: 'verdict' },
      h(
        'div',
        { class: 'verdict-buttons' },
        button('confirmed', 'C', t('verdict.confirm')),
        button('rejected', 'R', t('verdict.reject')),
      ),
      note,
      inc.status !== 'open'
        ? h(
            'p',
            { class: `reviewed badge-${inc.status}` },
            t('verdict.by', {
              status: t(`status.${inc.status}`),
              name: review?.name ?? '?',
              time: review?.at ? fmt.dateTime(review.at) : '?',
            }),
          )
        : null,
      history.length > 1
        ? h(
            'ol',
            { class: 'history small muted' },
            history.map((r) =>
              h(
                'li',
                {},
                `${fmt.dateTime(r.createdAt)} · ${t(`status.${r.verdict}`)} · ${r.reviewer}${r.note ? ` · “${r.note}”` : ''}`,
              ),
            ),
          )
        : null,
      ctx.canReview
        ? h('p', { class: 'keys muted' }, t('keys.help'))
        : h('p', { class: 'muted' }, t('verdict.readonly')),
    ),
  };
}

/**
 * Renders `inc` (a GET /api/incidents/:id body) into `root`. Returns the handles the keyboard needs and a
 * dispose function that stops the overlay following the player.
 * @param {HTMLElement} root @param {any} inc @param {IncidentCtx} ctx
 */
export function renderIncident(root, inc, ctx) {
  const { t, fmt } = ctx;
  const events = (Array.isArray(inc.events) ? inc.events : []).map(eventOf);
  const merges = Array.isArray(inc.merges) ? inc.merges : [];
  const startBox = events[0]?.boxXyxyNorm;
  const overlay = buildOverlay({
    box: inc.boxXyxyNorm,
    path: inc.details?.pathNorm,
    label: inc.label,
    earlierBoxes: startBox && JSON.stringify(startBox) !== JSON.stringify(inc.boxXyxyNorm) ? [startBox] : [],
  });
  const clipId = inc.evidence?.clip;
  const snapId = inc.evidence?.snapshot ?? inc.evidence?.snapshotClean;
  const cleanId = inc.evidence?.snapshotClean ?? inc.evidence?.snapshot;
  const missing = h('div', { class: 'player-missing', hidden: true }, t('evidence.missing'));
  /** @type {HTMLVideoElement | HTMLImageElement} */
  let media;
  if (clipId) {
    media = /** @type {HTMLVideoElement} */ (
      h('video', {
        src: `/api/evidence/${encodeURIComponent(clipId)}`,
        controls: true,
        muted: true,
        autoplay: true,
        loop: true,
        playsinline: true,
        preload: 'auto',
        id: 'clip',
      })
    );
    media.muted = true; // the attribute alone does not satisfy every autoplay policy
  } else {
    media = /** @type {HTMLImageElement} */ (
      h('img', {
        src: cleanId ? `/api/evidence/${encodeURIComponent(cleanId)}` : '',
        alt: '',
        id: 'clip-still',
      })
    );
  }
  if (!clipId && !cleanId) missing.hidden = false;
  const stage = h('div', { class: 'stage' }, media, overlay);
  const player = h('div', { class: 'player' }, stage, missing);
  /** @type {() => void} */
  let stop = () => undefined;
  media.addEventListener('error', () => {
    missing.hidden = false;
    // Clips upload after the event; until then the clean snapshot (with the box drawn over it) is evidence too.
    if (media instanceof HTMLVideoElement && cleanId) {
      missing.textContent = t('evidence.clipMissing');
      const still = /** @type {HTMLImageElement} */ (
        h('img', { src: `/api/evidence/${encodeURIComponent(cleanId)}`, alt: '', id: 'clip-still' })
      );
      media.replaceWith(still);
      media = still;
      stop();
      stop = followMedia(overlay, media);
    }
  });
  let zoomed = false;
  /** Magnifies the picture around the detection box (plates, helmets), or back. */
  const toggleZoom = () => {
    zoomed = !zoomed;
    const [fw, fh] =
      media instanceof HTMLVideoElement
        ? [media.videoWidth, media.videoHeight]
        : [media.naturalWidth, media.naturalHeight];
    const o = zoomOrigin(inc.boxXyxyNorm, player.clientWidth, player.clientHeight, fw, fh);
    stage.style.transformOrigin = `${o.xPct}% ${o.yPct}%`;
    stage.classList.toggle('zoomed', zoomed);
    // Native controls would be magnified off screen; Space still plays and pauses.
    if (media instanceof HTMLVideoElement) media.controls = !zoomed;
    return zoomed;
  };
  const overlayToggle = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', checked: true }));
  overlayToggle.addEventListener('change', () => overlay.classList.toggle('hidden', !overlayToggle.checked));

  const snapshot = snapId
    ? h('img', {
        src: `/api/evidence/${encodeURIComponent(snapId)}`,
        alt: t('evidence.snapshot'),
        class: 'snapshot-img',
      })
    : h('p', { class: 'muted' }, t('evidence.missing'));
  if (snapshot instanceof HTMLImageElement)
    snapshot.addEventListener('error', () =>
      snapshot.replaceWith(h('p', { class: 'muted' }, t('evidence.missing'))),
    );

  // The best frame (most confident sighting), when the event ended on its own and it was not the start frame.
  const bestId = inc.evidence?.best;
  const best = bestId
    ? h('img', {
        src: `/api/evidence/${encodeURIComponent(bestId)}`,
        alt: t('evidence.best'),
        class: 'snapshot-img',
        loading: 'lazy',
      })
    : null;
  if (best instanceof HTMLImageElement) best.addEventListener('error', () => best.remove());

  const verdict = verdictPanel(inc, ctx);
  root.replaceChildren(
    h(
      'article',
      { class: 'incident', 'data-id': inc.id, 'data-status': inc.status },
      h(
        'header',
        { class: 'incident-head' },
        h('h1', {}, t(`rule.${inc.ruleType}`)),
        h('span', { class: `badge badge-${inc.status}` }, t(`status.${inc.status}`)),
        h(
          'span',
          { class: 'incident-meta' },
          `${ctx.cameraName(inc.site, inc.camera)} · ${fmt.dateTime(inc.firstTs)}`,
        ),
        h('span', { class: 'mono muted incident-id' }, inc.id),
      ),
      h(
        'div',
        { class: 'incident-body' },
        h(
          'div',
          { class: 'col-media' },
          player,
          h(
            'div',
            { class: 'player-bar' },
            h('label', {}, overlayToggle, ' ', t('overlay.show')),
            h(
              'button',
              { type: 'button', class: 'zoom-btn', onclick: () => toggleZoom() },
              h('kbd', {}, 'Z'),
              t('overlay.zoom'),
            ),
            h(
              'span',
              { class: 'legend' },
              h('i', { class: 'swatch swatch-box' }),
              t('detail.object'),
              h('i', { class: 'swatch swatch-path' }),
              t('detail.path'),
            ),
          ),
          eventsTable(events, merges, ctx),
        ),
        h(
          'div',
          { class: 'col-side' },
          verdict.el,
          h('section', { class: 'snapshot' }, h('h2', {}, t('evidence.snapshot')), snapshot),
          best ? h('section', { class: 'snapshot best' }, h('h2', {}, t('evidence.best')), best) : null,
          h('section', {}, details(inc, events, ctx)),
          location(ctx.camera, ctx),
        ),
      ),
    ),
  );
  stop = followMedia(overlay, media);
  return {
    note: verdict.note,
    toggleZoom,
    togglePlay() {
      if (media instanceof HTMLVideoElement) media.paused ? void media.play() : media.pause();
    },
    dispose() {
      stop();
      if (media instanceof HTMLVideoElement) {
        media.pause();
        media.removeAttribute('src');
        media.load(); // releases the HTTP range connection at once
      }
    },
  };
}
