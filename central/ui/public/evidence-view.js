// The evidence of one incident: the clip with its overlay following the vehicle frame by frame and the signal
// state of each moment, the snapshots (full size with zoom on click), and why any file is missing.
import { clipUrl } from './clip-cache.js';
import { h } from './dom.js';
import { ruleGeometry, zoomOrigin } from './geometry.js';
import { openLightbox } from './lightbox.js';
import { buildOverlay, followMedia } from './overlay.js';
import { boxAt, clipWallMs, signalAt } from './timeline.js';

/** @typedef {import('./context.js').Ctx} Ctx */
/** @typedef {{id: string, state: string, reason?: string, startMs?: number, sha256?: string, bytes?: number}} EvStatus */

/** The reviewer's words for a missing file. @param {EvStatus | undefined} st @param {Ctx} ctx */
export function missingText(st, ctx) {
  if (!st) return ctx.t('evidence.none');
  const reason = st.reason ?? '';
  switch (st.state) {
    case 'pending':
      return ctx.t('evidence.pending');
    case 'failed':
      return ctx.t('evidence.failed', { reason });
    case 'expired':
      return ctx.t('evidence.expired', { reason });
    case 'missing':
      return ctx.t('evidence.missingLong', { reason });
    default:
      return ctx.t('evidence.none');
  }
}

const url = (/** @type {string} */ id) => `/api/evidence/${encodeURIComponent(id)}`;

/**
 * @param {any} inc GET /api/incidents/:id
 * @param {Ctx} ctx
 */
export function renderEvidence(inc, ctx) {
  /** @type {Record<string, EvStatus>} */
  const status = inc.evidenceStatus && typeof inc.evidenceStatus === 'object' ? inc.evidenceStatus : {};
  const have = (/** @type {string} */ k) => status[k]?.state === 'available';
  const events = Array.isArray(inc.events) ? inc.events : [];
  const first = events[0] ?? {};
  const geometry = ruleGeometry(inc.scene, inc.rule, { zone: first.zone, line: first.line });
  const overlay = buildOverlay({
    geometry,
    path: inc.details?.pathNorm,
    names: (id) => ctx.geoName(id, inc.scene),
    labels: { allowed: ctx.t('geom.allowed') },
  });
  const boxes = inc.timeline?.boxes ?? [];
  const signals = inc.timeline?.signal ?? [];
  const signalBadge = h('div', { class: 'signal-badge', hidden: true, 'data-testid': 'signal-badge' });
  const untracked = h('div', { class: 'untracked-badge', hidden: true }, ctx.t('overlay.untracked'));
  const missingNotes = h('div', { class: 'player-notes' });

  /** @type {HTMLVideoElement | HTMLImageElement | undefined} */
  let media;
  const stillKind = have('snapshotClean') ? 'snapshotClean' : have('snapshot') ? 'snapshot' : undefined;
  if (have('clip')) {
    const v = /** @type {HTMLVideoElement} */ (
      h('video', {
        // The event frame stands in (from the browser cache) until the clip is downloaded.
        ...(stillKind ? { poster: url(status[stillKind].id) } : {}),
        controls: true,
        muted: true,
        autoplay: true,
        loop: true,
        playsinline: true,
        preload: 'auto',
        id: 'clip',
      })
    );
    v.muted = true; // the attribute alone does not satisfy every autoplay policy
    clipUrl(status.clip.id, url(status.clip.id)).then(
      (src) => {
        v.src = src;
      },
      () => v.dispatchEvent(new Event('error')),
    );
    media = v;
  } else if (stillKind) {
    media = /** @type {HTMLImageElement} */ (
      h('img', { src: url(status[stillKind].id), alt: '', id: 'clip-still' })
    );
  }
  if (!have('clip'))
    missingNotes.append(
      h(
        'p',
        { class: 'missing-note', 'data-kind': 'clip' },
        `${ctx.t('evidence.kind.clip')}: ${missingText(status.clip, ctx)}`,
      ),
    );
  if (!have('snapshot') && !have('snapshotClean'))
    missingNotes.append(
      h(
        'p',
        { class: 'missing-note', 'data-kind': 'snapshot' },
        `${ctx.t('evidence.kind.snapshot')}: ${missingText(status.snapshot, ctx)}`,
      ),
    );

  const stage = h(
    'div',
    { class: 'stage' },
    media ?? h('div', { class: 'player-empty' }, missingText(status.clip, ctx)),
    overlay.svg,
  );
  const player = h('div', { class: 'player' }, stage, signalBadge, untracked);

  const clipStart = status.clip?.startMs;
  /** Draws the box and signal of the moment the player shows. */
  const drawAt = (/** @type {number} */ wallMs) => {
    const b = boxAt(boxes, wallMs);
    overlay.setBox(b, wallMs);
    untracked.hidden = !(media instanceof HTMLVideoElement) || b !== undefined || boxes.length === 0;
    const sig = signalAt(signals, wallMs);
    signalBadge.hidden = !sig;
    if (sig) {
      signalBadge.textContent = ctx.t('overlay.signal', { state: ctx.t(`signal.${sig}`) });
      signalBadge.className = `signal-badge signal-${sig}`;
      signalBadge.setAttribute('data-state', sig);
    }
  };
  /** @type {() => void} */
  let stopFrames = () => undefined;
  if (media instanceof HTMLVideoElement) {
    const v = media;
    let stopped = false;
    const tick = () => drawAt(clipWallMs(v.currentTime, clipStart, inc.firstTs));
    // One callback per presented frame where the browser offers it (Chromium), else per animation frame.
    if ('requestVideoFrameCallback' in v) {
      const onFrame = () => {
        if (stopped) return;
        tick();
        v.requestVideoFrameCallback(onFrame);
      };
      v.requestVideoFrameCallback(onFrame);
    } else {
      const loop = () => {
        if (stopped) return;
        tick();
        requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
    }
    for (const ev of ['seeked', 'loadeddata', 'pause']) v.addEventListener(ev, tick);
    stopFrames = () => {
      stopped = true;
      for (const ev of ['seeked', 'loadeddata', 'pause']) v.removeEventListener(ev, tick);
    };
    tick();
  } else {
    // A still is the event frame: the box where the event started (else the incident's newest box).
    drawAt(inc.firstTs);
    if (boxAt(boxes, inc.firstTs) === undefined) overlay.setBox(inc.boxXyxyNorm, inc.firstTs);
  }
  if (media) {
    media.addEventListener('error', () => {
      // The file existed when the detail was read; a failure now is shown once, never retried in a loop.
      missingNotes.append(h('p', { class: 'missing-note' }, ctx.t('evidence.missing')));
    });
  }
  const stopFollow = media ? followMedia(overlay.svg, media) : () => undefined;

  let zoomed = false;
  const toggleZoom = () => {
    if (!media) return false;
    zoomed = !zoomed;
    const [fw, fh] =
      media instanceof HTMLVideoElement
        ? [media.videoWidth, media.videoHeight]
        : [media.naturalWidth, media.naturalHeight];
    const o = zoomOrigin(inc.boxXyxyNorm, player.clientWidth, player.clientHeight, fw, fh);
    stage.style.transformOrigin = `${o.xPct}% ${o.yPct}%`;
    stage.classList.toggle('zoomed', zoomed);
    if (media instanceof HTMLVideoElement) media.controls = !zoomed; // native controls would be magnified away
    return zoomed;
  };

  const geometryToggle = /** @type {HTMLInputElement} */ (
    h('input', { type: 'checkbox', checked: true, id: 'toggle-geometry' })
  );
  geometryToggle.addEventListener('change', () =>
    overlay.svg.classList.toggle('no-geometry', !geometryToggle.checked),
  );
  const overlayToggle = /** @type {HTMLInputElement} */ (
    h('input', { type: 'checkbox', checked: true, id: 'toggle-overlay' })
  );
  overlayToggle.addEventListener('change', () =>
    overlay.svg.classList.toggle('hidden', !overlayToggle.checked),
  );

  // Snapshots: thumbnails of what central holds; a click (or S) opens the full-size view with zoom.
  const snapKinds = ['snapshot', 'best', 'snapshotClean'].filter(have);
  const openSnapshot = (/** @type {string} */ kind = snapKinds[0] ?? '') => {
    const st = status[kind];
    if (st)
      openLightbox(
        url(st.id),
        `${ctx.t(`evidence.kind.${kind}`)} — ${ctx.cameraName(inc.site, inc.camera)}`,
        ctx,
      );
  };
  const snapshots = h(
    'section',
    { class: 'snapshots' },
    h('h2', {}, ctx.t('evidence.snapshot')),
    snapKinds.length
      ? h(
          'div',
          { class: 'snapshot-row' },
          snapKinds.map((k) =>
            h(
              'button',
              {
                type: 'button',
                class: 'snapshot-btn',
                'data-kind': k,
                title: ctx.t('evidence.open'),
                onclick: () => openSnapshot(k),
              },
              h('img', {
                src: url(status[k].id),
                alt: ctx.t(`evidence.kind.${k}`),
                class: 'snapshot-img',
                loading: 'lazy',
              }),
              h('span', { class: 'small muted' }, ctx.t(`evidence.kind.${k}`)),
            ),
          ),
        )
      : h('p', { class: 'muted missing-note', 'data-kind': 'snapshot' }, missingText(status.snapshot, ctx)),
  );

  // Every reference with its state and digest: what a fine rests on.
  const list = h(
    'ul',
    { class: 'evidence-list small' },
    Object.entries(status).map(([kind, st]) =>
      h(
        'li',
        { 'data-kind': kind, 'data-state': st.state },
        h(
          'b',
          {},
          ctx.t(`evidence.kind.${kind}`).startsWith('evidence.kind.') ? kind : ctx.t(`evidence.kind.${kind}`),
        ),
        ' ',
        st.state === 'available'
          ? h('span', { class: 'mono sha', title: 'SHA-256' }, `${st.sha256?.slice(0, 16) ?? ''}…`)
          : h('span', { class: `ev-state ev-${st.state}` }, missingText(st, ctx)),
      ),
    ),
  );

  const el = h(
    'div',
    { class: 'evidence' },
    player,
    h(
      'div',
      { class: 'player-bar' },
      h('label', {}, overlayToggle, ' ', ctx.t('overlay.show')),
      h('label', {}, geometryToggle, ' ', ctx.t('overlay.geometry')),
      h(
        'button',
        { type: 'button', class: 'zoom-btn', onclick: () => toggleZoom() },
        h('kbd', {}, 'Z'),
        ctx.t('overlay.zoom'),
      ),
      h(
        'span',
        { class: 'legend' },
        h('i', { class: 'swatch swatch-box' }),
        ctx.t('detail.object'),
        h('i', { class: 'swatch swatch-path' }),
        ctx.t('detail.path'),
        geometry.lines.length || geometry.zones.length
          ? [
              h('i', { class: 'swatch swatch-geo' }),
              geometry.lines
                .map((l) => ctx.geoName(l.id, inc.scene))
                .concat(geometry.zones.map((z) => ctx.geoName(z.id, inc.scene)))
                .join(', '),
            ]
          : null,
      ),
    ),
    missingNotes,
  );
  return {
    el,
    snapshots,
    list,
    toggleZoom,
    openSnapshot,
    togglePlay() {
      if (media instanceof HTMLVideoElement) media.paused ? void media.play() : media.pause();
    },
    dispose() {
      stopFrames();
      stopFollow();
      if (media instanceof HTMLVideoElement) {
        media.pause();
        media.removeAttribute('src');
        media.load(); // releases the HTTP range connection at once
      }
    },
  };
}
