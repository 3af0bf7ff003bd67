// Dates, durations and numbers in the page's language (Intl), in the workstation's time zone, 24-hour, day/month
// first. Every formatter answers '—' for a value it cannot show (a ts of 1e300 must not throw and blank a list).

const NONE = '—';
/** Epoch ms that Date can represent (±8.64e15). @param {unknown} v @returns {v is number} */
export const validMs = (v) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= 8.64e15;

/** @param {'vi' | 'en'} lang */
export function formatter(lang) {
  const locale = lang === 'vi' ? 'vi-VN' : 'en-GB';
  // Day/month first in both languages (Vietnamese and British order); the year is noise in a review queue.
  const dateTimeParts = new Intl.DateTimeFormat(locale, {
    day: '2-digit',
    month: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const time = new Intl.DateTimeFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const rel = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const num1 = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const fullParts = new Intl.DateTimeFormat(locale, {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const parts = (/** @type {Intl.DateTimeFormat} */ f, /** @type {number} */ ms) =>
    Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  return {
    /** "23/11 14:05:09". @param {unknown} ms */
    dateTime(ms) {
      if (!validMs(ms)) return NONE;
      const p = parts(dateTimeParts, ms);
      return `${p.day}/${p.month} ${p.hour}:${p.minute}:${p.second}`;
    },
    /** "23/11/2026 14:05". @param {unknown} ms */
    dateTimeFull(ms) {
      if (!validMs(ms)) return NONE;
      const p = parts(fullParts, ms);
      return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
    },
    /** @param {unknown} ms */
    time: (ms) => (validMs(ms) ? time.format(ms) : NONE),
    /** @param {unknown} v */
    num: (v) => (typeof v === 'number' && Number.isFinite(v) ? num1.format(v) : NONE),
    /** @param {unknown} v */
    pct: (v) => (typeof v === 'number' && Number.isFinite(v) ? pct.format(v) : NONE),
    /** "3 minutes ago" relative to nowMs. @param {unknown} ms @param {number} nowMs */
    ago(ms, nowMs) {
      if (!validMs(ms)) return NONE;
      const s = Math.round((ms - nowMs) / 1000);
      if (Math.abs(s) < 60) return rel.format(s, 'second');
      const m = Math.round(s / 60);
      if (Math.abs(m) < 60) return rel.format(m, 'minute');
      const hr = Math.round(m / 60);
      if (Math.abs(hr) < 48) return rel.format(hr, 'hour');
      return rel.format(Math.round(hr / 24), 'day');
    },
    /** A duration as "12,3 s", "2:05" or "1:02:05". @param {unknown} ms */
    duration(ms) {
      if (typeof ms !== 'number' || !Number.isFinite(ms)) return NONE;
      const s = Math.max(0, ms) / 1000;
      if (s < 60) return `${num1.format(s)} s`;
      const whole = Math.round(s);
      const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
      if (whole >= 3600)
        return `${Math.floor(whole / 3600)}:${pad(Math.floor(whole / 60) % 60)}:${pad(whole % 60)}`;
      return `${Math.floor(whole / 60)}:${pad(whole % 60)}`;
    },
  };
}
