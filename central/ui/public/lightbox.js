// A full-size image in a modal dialog with zoom (buttons, wheel, +/-) and drag to pan; Esc closes.
import { h } from './dom.js';

/** @typedef {import('./context.js').Ctx} Ctx */

const STEPS = [1, 1.5, 2, 3, 4, 6];

/** Opens `src` full size (the image's own pixels at zoom 1 = fit to the window). @param {string} src @param {string} title @param {Ctx} ctx */
export function openLightbox(src, title, ctx) {
  document.querySelector('dialog.lightbox')?.remove();
  let step = 0;
  let dx = 0;
  let dy = 0;
  const img = /** @type {HTMLImageElement} */ (
    h('img', { src, alt: title, class: 'lightbox-img', draggable: 'false' })
  );
  const level = h('span', { class: 'zoom-level', 'data-testid': 'zoom-level' }, '100%');
  const apply = () => {
    const z = STEPS[step] ?? 1;
    if (z === 1) {
      dx = 0;
      dy = 0;
    }
    img.style.transform = `translate(${dx}px, ${dy}px) scale(${z})`;
    level.textContent = `${Math.round(z * 100)}%`;
    img.classList.toggle('zoomed', z > 1);
  };
  const zoom = (/** @type {number} */ d) => {
    step = Math.max(0, Math.min(STEPS.length - 1, step + d));
    apply();
  };
  const dialog = /** @type {HTMLDialogElement} */ (
    h(
      'dialog',
      { class: 'lightbox', 'aria-label': title },
      h(
        'div',
        { class: 'lightbox-bar' },
        h('span', { class: 'lightbox-title' }, title),
        h(
          'button',
          {
            type: 'button',
            class: 'zoom-out',
            onclick: () => zoom(-1),
            'aria-label': ctx.t('evidence.zoomOut'),
          },
          '−',
        ),
        level,
        h(
          'button',
          {
            type: 'button',
            class: 'zoom-in',
            onclick: () => zoom(1),
            'aria-label': ctx.t('evidence.zoomIn'),
          },
          '+',
        ),
        h('a', { href: src, target: '_blank', rel: 'noopener', class: 'link' }, ctx.t('evidence.open')),
        h(
          'button',
          { type: 'button', class: 'lightbox-close', onclick: () => dialog.close() },
          ctx.t('evidence.close'),
        ),
      ),
      h('div', { class: 'lightbox-body' }, img),
    )
  );
  dialog.addEventListener('wheel', (e) => {
    e.preventDefault();
    zoom(e.deltaY < 0 ? 1 : -1);
  });
  dialog.addEventListener('keydown', (e) => {
    if (e.key === '+' || e.key === '=') zoom(1);
    else if (e.key === '-') zoom(-1);
  });
  let drag = /** @type {{x: number, y: number} | undefined} */ (undefined);
  img.addEventListener('pointerdown', (e) => {
    if (step === 0) return;
    drag = { x: e.clientX - dx, y: e.clientY - dy };
    img.setPointerCapture(e.pointerId);
  });
  img.addEventListener('pointermove', (e) => {
    if (!drag) return;
    dx = e.clientX - drag.x;
    dy = e.clientY - drag.y;
    apply();
  });
  img.addEventListener('pointerup', () => {
    drag = undefined;
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}
