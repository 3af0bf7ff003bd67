// SVG drawn over the clip or snapshot, aligned with the letterboxed picture: the rule's zones, lines and arrows,
// the track path, and the detection box that the player moves frame by frame.
import { s } from './dom.js';
import { boxRect, containRect, pathPoints } from './geometry.js';

/** @typedef {ReturnType<typeof import('./geometry.js').ruleGeometry>} Geometry */

const ptsAttr = (/** @type {[number, number][]} */ pts) => pts.map((p) => `${p[0]},${p[1]}`).join(' ');

/**
 * Builds the overlay. The SVG uses a 0..1 viewBox stretched over the picture, so the contract's normalised
 * coordinates are drawn as they are. Returns the element and a setter for the moving box.
 * @param {{geometry: Geometry, path: unknown, names: (id: string) => string, labels: {allowed: string}}} shape
 */
export function buildOverlay(shape) {
  const svg = s('svg', {
    class: 'overlay',
    viewBox: '0 0 1 1',
    preserveAspectRatio: 'none',
    'aria-hidden': 'true',
  });
  const geo = s('g', { class: 'overlay-geometry' });
  for (const z of shape.geometry.zones)
    geo.append(
      s('polygon', {
        points: ptsAttr(z.polygon),
        class: 'overlay-zone',
        'data-zone': z.id,
        'vector-effect': 'non-scaling-stroke',
      }),
    );
  for (const l of shape.geometry.lines)
    geo.append(
      s('polyline', {
        points: ptsAttr(l.points),
        class: 'overlay-line',
        'data-line': l.id,
        'vector-effect': 'non-scaling-stroke',
      }),
    );
  for (const a of shape.geometry.arrows) {
    geo.append(
      s('line', {
        x1: a.from[0],
        y1: a.from[1],
        x2: a.to[0],
        y2: a.to[1],
        class: `overlay-arrow overlay-arrow-${a.kind}`,
        'marker-end': 'url(#arrowhead)',
        'vector-effect': 'non-scaling-stroke',
      }),
    );
  }
  svg.append(
    s(
      'defs',
      {},
      s(
        'marker',
        {
          id: 'arrowhead',
          viewBox: '0 0 10 10',
          refX: 8,
          refY: 5,
          markerWidth: 6,
          markerHeight: 6,
          orient: 'auto-start-reverse',
        },
        s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'overlay-arrowhead' }),
      ),
    ),
    geo,
  );
  const points = pathPoints(shape.path);
  if (points)
    svg.append(s('polyline', { points, class: 'overlay-path', 'vector-effect': 'non-scaling-stroke' }));
  const box = s('rect', {
    class: 'overlay-box',
    'vector-effect': 'non-scaling-stroke',
    x: 0,
    y: 0,
    width: 0,
    height: 0,
  });
  box.setAttribute('visibility', 'hidden');
  svg.append(box);
  return {
    svg,
    /** Moves the box (undefined hides it); `wallMs` is kept on the element for tests and debugging. @param {unknown} b @param {number} [wallMs] */
    setBox(b, wallMs) {
      const r = boxRect(b);
      if (wallMs !== undefined) box.setAttribute('data-wall-ms', String(Math.round(wallMs)));
      if (!r) {
        box.setAttribute('visibility', 'hidden');
        return;
      }
      box.setAttribute('visibility', 'visible');
      box.setAttribute('x', String(r.x));
      box.setAttribute('y', String(r.y));
      box.setAttribute('width', String(r.width));
      box.setAttribute('height', String(r.height));
    },
  };
}

/**
 * Keeps `el` exactly over the picture inside `media` (a <video> or <img> with object-fit: contain) as the
 * element resizes or the picture's dimensions become known. Returns a function that stops following.
 * @param {Element} el @param {HTMLVideoElement | HTMLImageElement} media
 */
export function followMedia(el, media) {
  const place = () => {
    const [fw, fh] =
      media instanceof HTMLVideoElement
        ? [media.videoWidth, media.videoHeight]
        : [media.naturalWidth, media.naturalHeight];
    const r = containRect(media.clientWidth, media.clientHeight, fw, fh);
    const st = /** @type {HTMLElement | SVGElement} */ (el).style;
    st.left = `${media.offsetLeft + r.x}px`;
    st.top = `${media.offsetTop + r.y}px`;
    st.width = `${r.w}px`;
    st.height = `${r.h}px`;
  };
  const ro = new ResizeObserver(place);
  ro.observe(media);
  media.addEventListener('loadedmetadata', place);
  media.addEventListener('load', place);
  place();
  return () => {
    ro.disconnect();
    media.removeEventListener('loadedmetadata', place);
    media.removeEventListener('load', place);
  };
}
