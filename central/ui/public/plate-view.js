// The incident's licence plate: as it stands (correction or machine read), its crop, the machine read, a
// correction form for reviewers, and the history (machine read, then every correction with who and when).
import { h } from './dom.js';
import { missingText } from './evidence-view.js';

/** Letters and digits only, Đ as D, upper case (the server's search form). @param {string} s */
export function compactPlate(s) {
  return String(s ?? '')
    .toUpperCase()
    .replace(/Đ/g, 'D')
    .replace(/[^A-Z0-9]/g, '');
}

/** Whether an incident's plate (corrected or machine read) contains a partial plate query. @param {any} inc @param {string} q */
export function plateMatches(inc, q) {
  const term = compactPlate(q);
  if (!term) return true;
  const p = inc.plate;
  return [p?.text, p?.machine?.text].some((t) => t && compactPlate(t).includes(term));
}

const COLOURS = ['white', 'yellow', 'blue', 'red', 'unknown'];

/**
 * @param {any} inc
 * @param {import('./queue-view.js').ViewCtx & {canReview: boolean,
 *   onPlate: (text: string, colour: string, note: string) => void}} ctx
 */
export function plateSection(inc, ctx) {
  const { t, fmt } = ctx;
  const p = inc.plate;
  const corrections = Array.isArray(inc.plateCorrections) ? inc.plateCorrections : [];
  const shown = p?.text
    ? h('span', { class: `plate plate-${p.colour}`, id: 'plate-text' }, p.text)
    : h('span', { class: 'plate plate-unreadable', id: 'plate-text' }, t('plate.unreadable'));
  // The crop is requested only once central has it (as the snapshots are): a crop still uploading or lost says so.
  const status = inc.evidenceStatus && typeof inc.evidenceStatus === 'object' ? inc.evidenceStatus : {};
  const cropStatus = p?.crop ? Object.values(status).find((st) => st?.id === p.crop) : undefined;
  const cropReady = p?.crop && (!cropStatus || cropStatus.state === 'available');
  /** @type {HTMLElement | null} */
  let crop = null;
  if (cropReady) {
    const img = h('img', {
      src: `/api/evidence/${encodeURIComponent(p.crop)}`,
      alt: t('plate.crop'),
      class: 'plate-crop',
    });
    img.addEventListener('error', () => img.replaceWith(h('p', { class: 'muted' }, t('evidence.missing'))));
    crop = img;
  } else if (p?.crop)
    crop = h('p', { class: 'muted plate-crop-state' }, missingText(cropStatus, /** @type {any} */ (ctx)));
  const machine = p
    ? `${p.machine.text ?? t('plate.unreadable')} · ${t('plate.machineFigures', {
        conf: fmt.pct(p.machine.confidence),
        n: p.machine.reads,
      })}`
    : t('plate.none');
  const history = [
    p
      ? h(
          'li',
          { class: 'plate-read' },
          `${t('plate.machineRead')}: ${p.machine.text ?? t('plate.unreadable')}`,
        )
      : null,
    ...corrections.map((/** @type {any} */ c) =>
      h(
        'li',
        { class: 'plate-correction' },
        `${t('plate.correctedTo')} ${c.text} — ${c.by}, ${fmt.dateTime(c.at)}`,
        c.note ? ` (${c.note})` : '',
      ),
    ),
  ].filter(Boolean);
  /** @type {HTMLElement | null} */
  let form = null;
  if (ctx.canReview) {
    const input = h('input', {
      id: 'plate-input',
      name: 'plate',
      value: p?.text ?? '',
      placeholder: '30E-586.70',
      autocomplete: 'off',
      'aria-label': t('plate.correct'),
    });
    const colour = h(
      'select',
      { id: 'plate-colour', 'aria-label': t('plate.colour') },
      COLOURS.map((c) =>
        h('option', { value: c, selected: (p?.colour ?? 'unknown') === c }, t(`plate.colour.${c}`)),
      ),
    );
    const note = h('input', { id: 'plate-note', placeholder: t('plate.note'), autocomplete: 'off' });
    const f = h(
      'form',
      { class: 'plate-form', id: 'plate-form' },
      input,
      colour,
      note,
      h('button', { type: 'submit', id: 'plate-save' }, t('plate.save')),
    );
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      const el = /** @type {HTMLInputElement} */ (input);
      if (el.value.trim())
        ctx.onPlate(
          el.value.trim(),
          /** @type {HTMLSelectElement} */ (colour).value,
          /** @type {HTMLInputElement} */ (note).value,
        );
    });
    // Keys typed here are the plate's, not the page shortcuts (C confirms, R rejects, J/K move).
    f.addEventListener('keydown', (e) => e.stopPropagation());
    form = f;
  }
  return h(
    'section',
    { class: 'plate-section', id: 'plate' },
    h('h2', {}, t('plate.title')),
    h('div', { class: 'plate-row' }, shown, crop),
    h('p', { class: 'muted', id: 'plate-machine' }, `${t('plate.machineRead')}: ${machine}`),
    form,
    history.length ? h('ol', { class: 'plate-history', id: 'plate-history' }, history) : null,
  );
}
