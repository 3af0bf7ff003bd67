// Dates, durations and numbers in the page's language (Intl), in the workstation's time zone.

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
  return {
    /** @param {number} ms */
    dateTime(ms) {
      const p = Object.fromEntries(dateTimeParts.formatToParts(ms).map((x) => [x.type, x.value]));
      return `${p.day}/${p.month} ${p.hour}:${p.minute}:${p.second}`;
    },
    /** @param {number} ms */
    time: (ms) => time.format(ms),
    /** @param {number} v */
    num: (v) => num1.format(v),
    /** @param {number} v */
    pct: (v) => pct.format(v),
    /** "3 minutes ago" relative to nowMs. @param {number} ms @param {number} nowMs */
    ago(ms, nowMs) {
      const s = Math.round((ms - nowMs) / 1000);
      if (Math.abs(s) < 60) return rel.format(s, 'second');
      const m = Math.round(s / 60);
      if (Math.abs(m) < 60) return rel.format(m, 'minute');
      const hr = Math.round(m / 60);
      if (Math.abs(hr) < 48) return rel.format(hr, 'hour');
      return rel.format(Math.round(hr / 24), 'day');
    },
    /** A duration as "12,3 s" or "2:05". @param {number} ms */
    duration(ms) {
      const s = Math.max(0, ms) / 1000;
      if (s < 60) return `${num1.format(s)} s`;
      const whole = Math.round(s);
      return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
    },
  };
}
