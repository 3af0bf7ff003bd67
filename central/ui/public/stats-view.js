// The statistics page: incidents per violation type, camera, hour of day and day, confirmation rate and median
// review times, from GET /api/stats, drawn with Chart.js (served from node_modules) and shown as tables too.
import { api } from './api.js';
import { h } from './dom.js';

/** @typedef {import('./context.js').Ctx} Ctx */

const PERIODS = /** @type {const} */ ({
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  all: 0,
});

/**
 * Hour-of-day (local) and day (local dd/mm) counts from the API's UTC hour buckets.
 * @param {{hour: number, count: number}[]} byHour @param {Ctx} ctx
 */
export function localBuckets(byHour, ctx) {
  const hours = Array.from({ length: 24 }, () => 0);
  /** @type {Map<string, number>} */
  const days = new Map();
  for (const b of byHour) {
    const d = new Date(b.hour);
    hours[d.getHours()] = (hours[d.getHours()] ?? 0) + b.count;
    const key = ctx.fmt.dateTimeFull(b.hour).slice(0, 10);
    days.set(key, (days.get(key) ?? 0) + b.count);
  }
  return { hours, days: [...days] };
}

/** @type {any[]} */
let charts = [];

/** @param {HTMLCanvasElement} canvas @param {string[]} labels @param {number[]} data @param {string} label */
function bar(canvas, labels, data, label) {
  const Chart = /** @type {any} */ (globalThis).Chart;
  if (!Chart) return; // the charting library failed to load: the tables still show every number
  charts.push(
    new Chart(canvas, {
      type: 'bar',
      data: { labels, datasets: [{ label, data, backgroundColor: '#4da3ff' }] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0, color: '#8b9bb0' } },
          x: { ticks: { color: '#8b9bb0' } },
        },
      },
    }),
  );
}

/** @param {string} key @param {string} title @param {[string, number][]} rows @param {Ctx} ctx */
function chartBlock(key, title, rows, ctx) {
  const canvas = /** @type {HTMLCanvasElement} */ (
    h('canvas', { 'data-chart': key, 'aria-label': title, role: 'img' })
  );
  const table = h(
    'table',
    { class: 'stats-table', 'data-table': key },
    h('thead', {}, h('tr', {}, h('th', {}, title), h('th', {}, ctx.t('stats.count')))),
    h(
      'tbody',
      {},
      rows.map(([k, v]) =>
        h('tr', {}, h('td', {}, k), h('td', { class: 'num', 'data-value': v }, String(v))),
      ),
    ),
  );
  const block = h(
    'section',
    { class: 'chart-block' },
    h('h2', {}, title),
    h('div', { class: 'chart-box' }, canvas),
    rows.length ? table : h('p', { class: 'muted' }, ctx.t('stats.none')),
  );
  return {
    block,
    draw: () =>
      bar(
        canvas,
        rows.map((r) => r[0]),
        rows.map((r) => r[1]),
        title,
      ),
  };
}

/** @param {HTMLElement} root @param {Ctx} ctx @param {keyof typeof PERIODS} period */
export async function renderStats(root, ctx, period = 'week') {
  for (const c of charts) c.destroy();
  charts = [];
  const since = PERIODS[period];
  const stats = await api(`/api/stats${since ? `?from=${Date.now() - since}` : ''}`);
  const r = stats.review;
  const select = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'stats-period', 'aria-label': ctx.t('stats.range') },
      Object.keys(PERIODS).map((p) => h('option', { value: p }, ctx.t(`stats.range.${p}`))),
    )
  );
  select.value = period;
  select.addEventListener(
    'change',
    () => void renderStats(root, ctx, /** @type {keyof typeof PERIODS} */ (select.value)),
  );
  const card = (
    /** @type {string} */ key,
    /** @type {string} */ label,
    /** @type {string} */ value,
    /** @type {string} */ sub = '',
  ) =>
    h(
      'div',
      { class: 'stat-card', 'data-stat': key },
      h('div', { class: 'stat-label' }, label),
      h('div', { class: 'stat-value' }, value),
      sub ? h('div', { class: 'muted small' }, sub) : null,
    );
  const { hours, days } = localBuckets(stats.byHour, ctx);
  const blocks = [
    chartBlock(
      'byRule',
      ctx.t('stats.byRule'),
      stats.byRule.map((/** @type {any} */ x) => [ctx.t(`rule.${x.ruleType}`), x.count]),
      ctx,
    ),
    chartBlock(
      'byCamera',
      ctx.t('stats.byCamera'),
      stats.byCamera.map((/** @type {any} */ x) => [ctx.cameraName(x.site, x.camera), x.count]),
      ctx,
    ),
    chartBlock(
      'byHour',
      ctx.t('stats.byHour'),
      hours.map((n, i) => [`${String(i).padStart(2, '0')}h`, n]),
      ctx,
    ),
    chartBlock('byDay', ctx.t('stats.byDay'), days, ctx),
  ];
  root.replaceChildren(
    h(
      'div',
      { class: 'stats' },
      h(
        'header',
        { class: 'stats-head' },
        h('h1', {}, ctx.t('stats.title')),
        h('label', {}, ctx.t('stats.range'), ' ', select),
      ),
      h(
        'div',
        { class: 'stat-cards' },
        card('total', ctx.t('stats.total'), String(stats.total)),
        card(
          'confirmationRate',
          ctx.t('stats.confirmationRate'),
          r.confirmationRate === null ? '—' : ctx.fmt.pct(r.confirmationRate),
          ctx.t('stats.decided', { confirmed: r.confirmed, rejected: r.rejected }),
        ),
        card(
          'medianTimeToVerdict',
          ctx.t('stats.medianReview'),
          r.medianTimeToVerdictMs === null ? '—' : ctx.fmt.duration(r.medianTimeToVerdictMs),
        ),
        card(
          'medianHandling',
          ctx.t('stats.medianHandling'),
          r.medianHandlingMs === null ? '—' : ctx.fmt.duration(r.medianHandlingMs),
        ),
      ),
      h(
        'div',
        { class: 'chart-grid' },
        blocks.map((b) => b.block),
      ),
    ),
  );
  for (const b of blocks) b.draw();
  return stats;
}
