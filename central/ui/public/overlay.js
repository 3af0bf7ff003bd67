// The detection box and track path drawn as SVG over the <video>, aligned with the letterboxed picture.
import { s } from './dom.js';
import { boxRect, containRect, pathPoints } from './geometry.js';

/**
 * Builds the overlay for one incident. The SVG uses a 0..1 viewBox stretched over the picture area, so the
 * normalised coordinates of the contract are drawn as they are.
 * @param {{box: unknown, path: unknown, label: string, earlierBoxes: unknown[]}} shape
 */
export function buildOverlay(shape) {
  const svg = s('svg', {
    class: 'overlay',
    viewBox: '0 0 1 1',
    preserveAspectRatio: 'none',
    'aria-hidden': 'true',
  });
  for (const b of shape.earlierBoxes) {
    const r = boxRect(b);
    if (r)
      svg.append(s('rect', { ...r, class: 'overlay-box-earlier', 'vector-effect': 'non-scaling-stroke' }));
  }
  const points = pathPoints(shape.path);
  if (points) {
    svg.append(s('polyline', { points, class: 'overlay-path', 'vector-effect': 'non-scaling-stroke' }));
    const last = points.split(' ').at(-1)?.split(',').map(Number);
    if (last) svg.append(s('circle', { cx: last[0], cy: last[1], r: 0.006, class: 'overlay-path-end' }));
  }
  const r = boxRect(shape.box);
  if (r) svg.append(s('rect', { ...r, class: 'overlay-box', 'vector-effect': 'non-scaling-stroke' }));
  return svg;
}

/**
 * Keeps `svg` exactly over the picture inside `media` (a <video> or <img> with object-fit: contain) as the
 * element resizes or the picture's dimensions become known. Returns a function that stops following.
 * @param {SVGSVGElement | Element} svg @param {HTMLVideoElement | HTMLImageElement} media
 */
export function followMedia(svg, media) {
  const video = media;
  const place = () => {
    const [fw, fh] =
      video instanceof HTMLVideoElement
        ? [video.videoWidth, video.videoHeight]
        : [video.naturalWidth, video.naturalHeight];
    const r = containRect(video.clientWidth, video.clientHeight, fw, fh);
    const el = /** @type {SVGElement} */ (svg);
    el.style.left = `${video.offsetLeft + r.x}px`;
    el.style.top = `${video.offsetTop + r.y}px`;
    el.style.width = `${r.w}px`;
    el.style.height = `${r.h}px`;
  };
  const ro = new ResizeObserver(place);
  ro.observe(video);
  video.addEventListener('loadedmetadata', place);
  video.addEventListener('load', place);
  place();
  return () => {
    ro.disconnect();
    video.removeEventListener('loadedmetadata', place);
    video.removeEventListener('load', place);
  };
}
