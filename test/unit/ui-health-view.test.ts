import { describe, expect, it } from 'vitest';
import { type Lang, translate } from '../../central/ui/public/i18n.js';
import { describeView } from '../../central/ui/public/view-status.js';

/** As format.js formats numbers (one decimal, the page's locale). */
const formatter = (lang: Lang) => {
  const nf = new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 });
  return { num: (v: number) => nf.format(v) };
};

describe('describeView: the camera panel line for a paused view guard', () => {
  const en = {
    t: (key: string, params?: Record<string, string | number>) => translate('en', key, params),
    fmt: formatter('en'),
  };
  it.each([
    ['no view field (older edge, or guard off)', undefined, undefined],
    ['steady', { state: 'steady', paused: false, sinceTs: 1, shiftNorm: [0.01, 0], scale: 1 }, undefined],
    [
      'moved by a zoom',
      { state: 'moved', paused: true, sinceTs: 1, shiftNorm: [0.0012, -0.0031], scale: 1.1004 },
      "View moved: shift +0.1 % / -0.3 %, zoom ×1.1 — camera's rules paused",
    ],
    [
      'moved by a slide to the left',
      { state: 'moved', paused: true, sinceTs: 1, shiftNorm: [-0.052, 0], scale: 1 },
      "View moved: shift -5.2 % / 0 %, zoom ×1 — camera's rules paused",
    ],
    [
      'uncertain with a reason',
      { state: 'uncertain', paused: true, sinceTs: 1, reason: '3 background points agree (< 15)' },
      "View cannot be measured — camera's rules paused: 3 background points agree (< 15)",
    ],
    [
      'uncertain without one',
      { state: 'uncertain', paused: true, sinceTs: 1 },
      "View cannot be measured — camera's rules paused",
    ],
  ])('%s', (_n, view, want) => {
    expect(describeView(view, en.t, en.fmt)).toBe(want);
  });

  it('has a Vietnamese line too', () => {
    const line = describeView(
      { state: 'moved', shiftNorm: [0.05, 0], scale: 0.9 },
      (k: string, p?: Record<string, string | number>) => translate('vi', k, p),
      formatter('vi'),
    );
    expect(line).toContain('Góc nhìn đã dịch chuyển');
    expect(line).toContain('×0,9');
  });
});
