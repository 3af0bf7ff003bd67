// The cameras page: an offline map of camera positions (Web Mercator SVG, optional tiles from the IOC's own tile
// server), each camera's newest frame with its zones and lines drawn, and the health table.
import { api } from './api.js';
import { h, s } from './dom.js';
import { renderHealth } from './health-view.js';
import { followMedia } from './overlay.js';

/** @typedef {import('./context.js').Ctx} Ctx */

const TILE = 256;

/** Web Mercator: lon/lat to world pixels at zoom z. @param {number} lat @param {number} lon @param {number} z */
export function project(lat, lon, z) {
  const scale = TILE * 2 ** z;
  const x = ((lon + 180) / 360) * scale;
  const sin = Math.sin((Math.max(-85, Math.min(85, lat)) * Math.PI) / 180);
  const y = (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * scale;
  return { x, y };
}

/**
 * The zoom and origin that fit every point in a w x h view with a margin.
 * @param {[number, number][]} latLons @param {number} w @param {number} hgt
 */
export function fitView(latLons, w, hgt) {
  let z = 18;
  for (; z > 1; z--) {
    const ps = latLons.map(([la, lo]) => project(la, lo, z));
    const xs = ps.map((p) => p.x);
    const ys = ps.map((p) => p.y);
    if (Math.max(...xs) - Math.min(...xs) <= w * 0.8 && Math.max(...ys) - Math.min(...ys) <= hgt * 0.8) break;
  }
  const ps = latLons.map(([la, lo]) => project(la, lo, z));
  const cx = (Math.max(...ps.map((p) => p.x)) + Math.min(...ps.map((p) => p.x))) / 2;
  const cy = (Math.max(...ps.map((p) => p.y)) + Math.min(...ps.map((p) => p.y))) / 2;
  return { z, ox: cx - w / 2, oy: cy - hgt / 2 };
}

/** @param {any[]} cameras @param {{tileUrl?: string, outline?: [number, number][]}} map @param {Ctx} ctx */
function mapView(cameras, map, ctx) {
  const W = 800;
  const H = 420;
  const placed = cameras.filter(
    (c) => c.location && Number.isFinite(c.location.lat) && Number.isFinite(c.location.lon),
  );
  const pts = /** @type {[number, number][]} */ ([
    ...placed.map((c) => [c.location.lat, c.location.lon]),
    ...(map.outline ?? []),
  ]);
  const wrap = h('div', { class: 'map', 'data-testid': 'camera-map' });
  if (pts.length === 0) {
    wrap.append(h('p', { class: 'muted pad' }, ctx.t('cameras.noLocation', { n: cameras.length })));
    return wrap;
  }
  const { z, ox, oy } = fitView(pts, W, H);
  const at = (/** @type {number} */ lat, /** @type {number} */ lon) => {
    const p = project(lat, lon, z);
    return { x: p.x - ox, y: p.y - oy };
  };
  if (map.tileUrl) {
    const tiles = h('div', { class: 'map-tiles' });
    for (let tx = Math.floor(ox / TILE); tx <= Math.floor((ox + W) / TILE); tx++)
      for (let ty = Math.floor(oy / TILE); ty <= Math.floor((oy + H) / TILE); ty++) {
        const img = /** @type {HTMLImageElement} */ (
          h('img', {
            alt: '',
            src: map.tileUrl.replace('{z}', String(z)).replace('{x}', String(tx)).replace('{y}', String(ty)),
          })
        );
        img.style.left = `${((tx * TILE - ox) / W) * 100}%`;
        img.style.top = `${((ty * TILE - oy) / H) * 100}%`;
        img.style.width = `${(TILE / W) * 100}%`;
        tiles.append(img);
      }
    wrap.append(tiles);
  }
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'map-svg',
    role: 'img',
    'aria-label': ctx.t('cameras.map'),
  });
  // A faint grid every 0.001° (~110 m) gives scale without a tile server.
  if (!map.tileUrl) svg.append(s('rect', { x: 0, y: 0, width: W, height: H, class: 'map-bg' }));
  if (map.outline?.length)
    svg.append(
      s('polygon', {
        class: 'map-outline',
        points: map.outline
          .map(([la, lo]) => {
            const p = at(la, lo);
            return `${p.x},${p.y}`;
          })
          .join(' '),
      }),
    );
  for (const c of placed) {
    const p = at(c.location.lat, c.location.lon);
    svg.append(
      s(
        'g',
        {
          class: `map-marker state-${c.state}`,
          'data-camera': c.camera,
          'data-lat': c.location.lat,
          'data-lon': c.location.lon,
          transform: `translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})`,
        },
        s('circle', { r: 7 }),
        s('text', { x: 10, y: 4 }, c.name ?? c.camera),
        s('title', {}, `${c.name ?? c.camera} (${c.location.lat.toFixed(5)}, ${c.location.lon.toFixed(5)})`),
      ),
    );
  }
  wrap.append(svg);
  const missing = cameras.length - placed.length;
  if (missing > 0) wrap.append(h('p', { class: 'muted small' }, ctx.t('cameras.noLocation', { n: missing })));
  return wrap;
}

/** One camera's newest frame with every zone and line of its scene drawn and named. @param {any} scene @param {Ctx} ctx */
function sceneCard(scene, ctx) {
  const svg = s('svg', {
    class: 'overlay',
    viewBox: '0 0 1 1',
    preserveAspectRatio: 'none',
    'aria-hidden': 'true',
  });
  for (const z of scene.zones ?? [])
    svg.append(
      s('polygon', {
        class: 'overlay-zone',
        'data-zone': z.id,
        points: z.polygon.map((/** @type {number[]} */ p) => p.join(',')).join(' '),
        'vector-effect': 'non-scaling-stroke',
      }),
    );
  for (const l of scene.lines ?? [])
    svg.append(
      s('polyline', {
        class: 'overlay-line',
        'data-line': l.id,
        points: l.points.map((/** @type {number[]} */ p) => p.join(',')).join(' '),
        'vector-effect': 'non-scaling-stroke',
      }),
    );
  const names = [...(scene.zones ?? []), ...(scene.lines ?? [])].map((g) => g.name ?? g.id);
  // The camera's live view when the edge sent one (the digest in the URL refetches only a new picture), else the
  // frame of its newest incident.
  const view = scene.view;
  const snap = scene.snapshot;
  const src = view
    ? `/api/cameras/${encodeURIComponent(scene.site)}/${encodeURIComponent(scene.camera)}/view.jpg?v=${view.sha256.slice(0, 16)}`
    : snap
      ? `/api/evidence/${encodeURIComponent(snap.evidenceId)}`
      : undefined;
  const img = src
    ? /** @type {HTMLImageElement} */ (
        h('img', { src, alt: '', class: 'scene-img', 'data-source': view ? 'view' : 'incident' })
      )
    : undefined;
  const stage = h('div', { class: 'stage scene-stage' }, img ?? h('div', { class: 'scene-blank' }), svg);
  if (img) followMedia(svg, img);
  return h(
    'figure',
    { class: 'scene-card', 'data-camera': scene.camera },
    stage,
    h(
      'figcaption',
      {},
      h('b', {}, ctx.cameraName(scene.site, scene.camera)),
      h(
        'div',
        { class: 'small muted' },
        view
          ? ctx.t('cameras.viewAt', { time: ctx.fmt.dateTimeFull(view.ts) })
          : snap
            ? ctx.t('cameras.snapshotFrom', { time: ctx.fmt.dateTimeFull(snap.ts) })
            : ctx.t('cameras.noSnapshot'),
      ),
      h('div', { class: 'small' }, names.join(' · ')),
    ),
  );
}

/** @param {HTMLElement} root @param {any[]} cameras GET /api/cameras @param {Ctx} ctx */
export async function renderCameras(root, cameras, ctx) {
  const [map, scenes] = await Promise.all([api('/api/cameras/map'), api('/api/cameras/scenes')]);
  const health = h('div', { class: 'cameras-health' });
  renderHealth(health, cameras, { ...ctx, nowMs: Date.now() });
  root.replaceChildren(
    h(
      'div',
      { class: 'cameras-page' },
      h(
        'section',
        {},
        h('h1', {}, ctx.t('cameras.map')),
        mapView(
          cameras.filter((c) => c.camera !== '_edge'),
          map,
          ctx,
        ),
      ),
      h(
        'section',
        {},
        h('h2', {}, ctx.t('cameras.scenes')),
        scenes.length
          ? h(
              'div',
              { class: 'scene-grid' },
              scenes.map((/** @type {any} */ sc) => sceneCard(sc, ctx)),
            )
          : h('p', { class: 'muted' }, ctx.t('cameras.noScene')),
      ),
      h('section', {}, h('h2', {}, ctx.t('cameras.health')), health),
    ),
  );
  return scenes;
}
