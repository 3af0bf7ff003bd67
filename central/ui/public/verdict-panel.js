// The verdict panel of one incident: confirm / reject with a reason code, a note that starts empty for every
// incident, the evidence override, the soft-lock state and the review history.
import { h } from './dom.js';

/** @typedef {import('./context.js').Ctx} Ctx */

export const REJECT_REASONS = ['not_violation', 'wrong_vehicle', 'evidence_unclear', 'duplicate', 'other'];

/**
 * @typedef {{
 *   canReview: boolean,
 *   me: string | undefined,
 *   evidenceComplete: boolean,
 *   onVerdict: (verdict: 'confirmed' | 'rejected') => void,
 *   onUndo: () => void,
 * }} PanelOpts
 */

/** @param {any} r @param {Ctx} ctx */
function historyLine(r, ctx) {
  const parts = [ctx.fmt.dateTime(r.createdAt)];
  if (r.kind === 'undo') parts.push(`${ctx.t('history.undo')} → ${ctx.t(`status.${r.verdict}`)}`);
  else parts.push(ctx.t(`status.${r.verdict}`));
  if (r.reason) parts.push(ctx.t(`reason.${r.reason}`));
  if (r.override) parts.push(ctx.t('history.override'));
  if (r.bulk) parts.push(ctx.t('history.bulk'));
  parts.push(String(r.reviewer ?? '?'));
  return h(
    'li',
    { 'data-kind': r.kind, 'data-verdict': r.verdict },
    parts.join(' · '),
    r.note ? h('q', {}, r.note) : null,
  );
}

/** @param {any} inc @param {Ctx} ctx @param {PanelOpts} o */
export function verdictPanel(inc, ctx, o) {
  const { t } = ctx;
  const lockedBy = inc.lock && inc.lock.reviewer !== o.me ? inc.lock.reviewer : undefined;
  const enabled = o.canReview && !lockedBy;
  // Always empty: a note belongs to the verdict being written now, never to the previous incident.
  const note = /** @type {HTMLTextAreaElement} */ (
    h('textarea', {
      id: 'verdict-note',
      rows: 2,
      maxlength: 2000,
      placeholder: t('verdict.note'),
      disabled: !enabled,
      'aria-label': t('verdict.note'),
    })
  );
  note.value = '';
  const reasons = /** @type {HTMLFieldSetElement} */ (
    h(
      'fieldset',
      { class: 'reasons', disabled: !enabled },
      h('legend', {}, t('verdict.reason')),
      REJECT_REASONS.map((r, i) =>
        h(
          'label',
          { class: 'reason' },
          h('input', { type: 'radio', name: 'reject-reason', value: r, 'data-reason': r }),
          h('kbd', {}, String(i + 1)),
          t(`reason.${r}`),
        ),
      ),
    )
  );
  const override = /** @type {HTMLInputElement} */ (
    h('input', { type: 'checkbox', id: 'verdict-override', disabled: !enabled })
  );
  const hint = h('p', { class: 'verdict-hint', role: 'status', 'aria-live': 'polite' });
  const reason = () => /** @type {HTMLInputElement | null} */ (reasons.querySelector('input:checked'))?.value;
  const button = (
    /** @type {'confirmed' | 'rejected'} */ verdict,
    /** @type {string} */ key,
    /** @type {string} */ label,
  ) =>
    /** @type {HTMLButtonElement} */ (
      h(
        'button',
        {
          type: 'button',
          class: `verdict-btn verdict-${verdict}`,
          'data-verdict': verdict,
          disabled: !enabled,
          onclick: () => o.onVerdict(verdict),
        },
        h('kbd', {}, key),
        label,
      )
    );
  const confirmBtn = button('confirmed', 'C', t('verdict.confirm'));
  const rejectBtn = button('rejected', 'R', t('verdict.reject'));
  reasons.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      o.onVerdict('rejected');
    }
  });
  const history = Array.isArray(inc.reviews) ? inc.reviews : [];
  const last = [...history].reverse().find((r) => r.kind === 'verdict');
  const el = h(
    'section',
    { class: 'verdict', 'aria-label': t('verdict.title') },
    lockedBy
      ? h('p', { class: 'lock-banner', role: 'alert' }, t('verdict.locked', { name: lockedBy }))
      : null,
    h('div', { class: 'verdict-buttons' }, confirmBtn, rejectBtn),
    o.canReview ? reasons : null,
    o.canReview && !o.evidenceComplete
      ? h(
          'div',
          { class: 'override' },
          h('p', { class: 'warn small' }, t('verdict.evidenceMissing')),
          h('label', {}, override, ' ', t('verdict.override')),
        )
      : null,
    note,
    hint,
    inc.status !== 'open' && last
      ? h(
          'p',
          { class: `reviewed badge-${inc.status}` },
          t('verdict.by', {
            status: t(`status.${inc.status}`),
            name: last.reviewer ?? '?',
            time: ctx.fmt.dateTime(last.createdAt),
          }),
        )
      : null,
    history.length
      ? h(
          'details',
          { class: 'history', open: history.length > 1 },
          h('summary', {}, t('history.title')),
          h(
            'ol',
            { class: 'small muted' },
            history.map((r) => historyLine(r, ctx)),
          ),
        )
      : null,
    o.canReview
      ? h('p', { class: 'keys muted small' }, t('keys.help'))
      : h('p', { class: 'muted' }, t('verdict.readonly')),
  );
  return {
    el,
    note,
    reason,
    override: () => override.checked,
    /** Selects reason n (1-based), as keys 1..5 do. @param {number} n */
    pickReason(n) {
      const input = /** @type {HTMLInputElement | null} */ (reasons.querySelectorAll('input')[n - 1] ?? null);
      if (input && !input.disabled) {
        input.checked = true;
        input.focus();
      }
    },
    focusReasons() {
      /** @type {HTMLInputElement | null} */ (reasons.querySelector('input'))?.focus();
    },
    /** @param {string} text */
    say(text) {
      hint.textContent = text;
    },
    /** Buttons off while a verdict is in flight. @param {boolean} busy */
    setBusy(busy) {
      for (const b of [confirmBtn, rejectBtn]) b.disabled = busy || !enabled;
    },
    enabled,
  };
}
