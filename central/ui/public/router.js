// Pure hash routes of the page: #/incident/<id>, #/stats, #/cameras, #/audit (and the older #<id>), both ways.

/** @typedef {{view: 'review', id?: string} | {view: 'stats'} | {view: 'cameras'} | {view: 'audit'}} Route */

const ID_RE = /^[A-Za-z0-9_-]{8,64}$/;

/** The route a location hash names; anything unknown is the review view without an incident. @param {string} hash @returns {Route} */
export function parseRoute(hash) {
  const h = decodeURIComponent((hash ?? '').replace(/^#/, ''));
  if (h === '/stats') return { view: 'stats' };
  if (h === '/cameras') return { view: 'cameras' };
  if (h === '/audit') return { view: 'audit' };
  const m = /^\/incident\/(.+)$/.exec(h);
  const id = m ? m[1] : h;
  if (id && ID_RE.test(id)) return { view: 'review', id };
  return { view: 'review' };
}

/** The hash of a route. @param {Route} r @returns {string} */
export function routeHash(r) {
  if (r.view === 'stats') return '#/stats';
  if (r.view === 'cameras') return '#/cameras';
  if (r.view === 'audit') return '#/audit';
  return r.id ? `#/incident/${encodeURIComponent(r.id)}` : '#/';
}
