// Camera health panel: online/offline, input and processed fps, dropped frames, last event, last report, and
// whether the camera's view has moved from where its zones and lines were drawn (the edge's view guard).
import { h } from './dom.js';
import { describeView } from './view-status.js';

export function renderHealth(root, cameras, ctx) {
  const { t, fmt } = ctx;
  if (cameras.length === 0) {
    root.replaceChildren(h('p', { class: 'muted pad' }, t('health.none')));
    return;
  }
  const fps = (/** @type {unknown} */ v) => (typeof v === 'number' ? fmt.num(v) : '–');
  root.replaceChildren(
    h(
      'table',
      { class: 'health' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, t('filter.camera')),
          h('th', {}, t('health.fps')),
          h('th', {}, t('health.drops')),
          h('th', {}, t('health.lastEvent')),
        ),
      ),
      h(
        'tbody',
        {},
        cameras.map((c) =>
          h(
            'tr',
            { class: `cam-${c.state}`, 'data-camera': c.camera },
            h(
              'td',
              {},
              h('span', { class: `dot dot-${c.state}`, title: t(`health.${c.state}`) }),
              h(
                'span',
                { class: 'cam-name' },
                c.camera === '_edge' ? t('health.edgeBox', { site: c.site }) : (c.name ?? c.camera),
              ),
              h(
                'div',
                { class: 'muted small' },
                `${t(`health.${c.state}`)} · ${t('health.seen')} ${c.ts > 0 ? fmt.ago(c.ts, ctx.nowMs) : t('time.never')}`,
              ),
              c.state === 'offline' && c.reason ? h('div', { class: 'reason small' }, c.reason) : null,
              c.state === 'online' && describeView(c.view, t, fmt)
                ? h('div', { class: 'reason small view-moved' }, describeView(c.view, t, fmt))
                : null,
            ),
            h('td', { class: 'num' }, `${fps(c.fpsIn)} / ${fps(c.fpsProcessed)}`),
            h('td', { class: 'num' }, typeof c.framesDropped === 'number' ? String(c.framesDropped) : '–'),
            h('td', {}, c.lastEventTs ? fmt.ago(c.lastEventTs, ctx.nowMs) : t('time.never')),
          ),
        ),
      ),
    ),
  );
}
