// The camera panel's line for a camera whose view guard paused its rules (the status message's `view`).

/**
 * One line on a camera whose view guard paused its rules; undefined while the view is steady (or unguarded).
 * @param {any} view the status message's `view` (contract/status.ts ViewStatus)
 * @param {(key: string, params?: Record<string, string | number>) => string} t
 * @param {{num: (v: number) => string}} fmt
 * @returns {string | undefined}
 */
export function describeView(view, t, fmt) {
  if (!view || view.state === 'steady') return undefined;
  const signed = (/** @type {number} */ v) => `${v > 0 ? '+' : ''}${fmt.num(v)}`;
  if (view.state === 'moved') {
    const [dx, dy] = Array.isArray(view.shiftNorm) ? view.shiftNorm : [0, 0];
    return t('health.viewMoved', {
      dx: signed(Math.round(dx * 1000) / 10),
      dy: signed(Math.round(dy * 1000) / 10),
      scale: fmt.num(Math.round((view.scale ?? 1) * 100) / 100),
    });
  }
  return view.reason ? `${t('health.viewUncertain')}: ${view.reason}` : t('health.viewUncertain');
}

/**
 * @param {HTMLElement} root @param {any[]} cameras GET /api/cameras
 * @param {import('./queue-view.js').ViewCtx & {nowMs: number}} ctx
 */
