// Audit log panel for admins: the hash chain's state and the newest entries (who, what, on which incident or file).
import { h } from './dom.js';

/** One line of details for an entry, from the fields a reader looks for first. @param {any} e */
export function auditSummary(e) {
  const d = e.details ?? {};
  const parts = [];
  if (d.verdict) parts.push(String(d.verdict));
  if (typeof d.incidentVersion === 'number') parts.push(`v${d.incidentVersion}`);
  if (d.evidence && typeof d.evidence === 'object')
    for (const [kind, f] of Object.entries(d.evidence))
      parts.push(
        `${kind} ${/** @type {any} */ (f)?.sha256 ? String(/** @type {any} */ (f).sha256).slice(0, 12) : '–'}`,
      );
  if (d.sha256) parts.push(`sha256 ${String(d.sha256).slice(0, 12)}`);
  if (typeof d.status === 'number') parts.push(`HTTP ${d.status}`);
  if (d.note) parts.push(`“${d.note}”`);
  return parts.join(' · ');
}

/**
 * @param {HTMLElement} root
 * @param {{entries: any[], head: {seq: number, hash: string}}} data GET /api/audit
 * @param {{ok: boolean, rows: number, problems: {seq: number, problem: string}[], triggers: boolean} | undefined} check
 * @param {import('./queue-view.js').ViewCtx & {onVerify: () => void, onMore: () => void, more: boolean}} ctx
 */
export function renderAudit(root, data, check, ctx) {
  const { t, fmt } = ctx;
  const status = !check
    ? h('span', { class: 'muted' }, t('audit.unchecked'))
    : check.ok && check.triggers
      ? h('span', { class: 'audit-ok' }, t('audit.intact', { rows: check.rows }))
      : h(
          'span',
          { class: 'audit-bad', role: 'alert' },
          t('audit.broken', { n: check.problems.length + (check.triggers ? 0 : 1) }),
        );
  root.replaceChildren(
    h(
      'div',
      { class: 'audit-head pad' },
      status,
      ' ',
      h('button', { type: 'button', id: 'audit-verify', onclick: () => ctx.onVerify() }, t('audit.verify')),
      h(
        'div',
        { class: 'muted small' },
        `${t('audit.head')} ${data.head.seq}:${data.head.hash.slice(0, 16)}…`,
      ),
      check && !check.ok
        ? h(
            'ul',
            { class: 'audit-problems small' },
            check.problems.slice(0, 10).map((p) => h('li', {}, `#${p.seq}: ${p.problem}`)),
          )
        : null,
    ),
    data.entries.length === 0
      ? h('p', { class: 'muted pad' }, t('audit.none'))
      : h(
          'table',
          { class: 'health audit' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, '#'),
              h('th', {}, t('audit.when')),
              h('th', {}, t('audit.who')),
              h('th', {}, t('audit.what')),
            ),
          ),
          h(
            'tbody',
            {},
            data.entries.map((e) =>
              h(
                'tr',
                { 'data-seq': e.seq, 'data-action': e.action },
                h('td', { class: 'num' }, String(e.seq)),
                h('td', {}, fmt.dateTime(e.ts)),
                h('td', {}, e.actor, e.role ? h('div', { class: 'muted small' }, e.role) : null),
                h(
                  'td',
                  {},
                  t(`audit.action.${e.action}`),
                  e.target ? h('div', { class: 'small' }, e.target) : null,
                  h('div', { class: 'muted small' }, [auditSummary(e), e.ip].filter(Boolean).join(' · ')),
                ),
              ),
            ),
          ),
        ),
    ...(ctx.more
      ? [h('button', { type: 'button', id: 'audit-more', onclick: () => ctx.onMore() }, t('queue.more'))]
      : []),
  );
}
