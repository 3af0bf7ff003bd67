// The keyboard help overlay (? key): every shortcut of the review page, in the page's language.
import { h } from './dom.js';

/** @typedef {import('./context.js').Ctx} Ctx */

const KEYS = /** @type {const} */ ([
  ['J / K', 'help.next'],
  ['C', 'help.confirm'],
  ['1–5, R', 'help.reject'],
  ['N', 'help.note'],
  ['U', 'help.undo'],
  ['Z', 'help.zoom'],
  ['S', 'help.snapshot'],
  ['Space', 'help.play'],
  ['↑ ↓ Home End Enter', 'help.list'],
  ['?', 'help.help'],
]);

/** Opens (or closes, when open) the help dialog. @param {Ctx} ctx */
export function toggleHelp(ctx) {
  const open = /** @type {HTMLDialogElement | null} */ (document.querySelector('dialog.help'));
  if (open) {
    open.close();
    return;
  }
  const close = /** @type {HTMLButtonElement} */ (
    h('button', { type: 'button', class: 'help-close' }, ctx.t('help.close'))
  );
  const dialog = /** @type {HTMLDialogElement} */ (
    h(
      'dialog',
      { class: 'help', 'aria-labelledby': 'help-title' },
      h('h2', { id: 'help-title' }, ctx.t('help.title')),
      h(
        'dl',
        { class: 'help-keys' },
        KEYS.flatMap(([k, key]) => [h('dt', {}, h('kbd', {}, k)), h('dd', {}, ctx.t(key))]),
      ),
      close,
    )
  );
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
}
