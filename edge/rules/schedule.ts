// Rule schedules: is a wall-clock instant inside any HH:MM window (local time of a zone), windows may wrap midnight.
import type { ScheduleConfig } from './rule-base.ts';

export interface LocalTime {
  /** 0 = Sunday. */
  dayOfWeek: number;
  minuteOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function localTime(tsMs: number, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(tsMs);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '0';
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return {
    dayOfWeek: days.indexOf(get('weekday')),
    minuteOfDay: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** No schedule means always active. A window whose end is before its start wraps past midnight (22:00-06:00). */
export function inSchedule(schedule: readonly ScheduleConfig[] | undefined, t: LocalTime): boolean {
  if (!schedule || schedule.length === 0) return true;
  return schedule.some((w) => {
    const start = minutes(w.start);
    const end = minutes(w.end);
    if (start <= end)
      return (!w.days || w.days.includes(t.dayOfWeek)) && t.minuteOfDay >= start && t.minuteOfDay < end;
    // Wrapping window: the part after midnight belongs to the previous day's window.
    if (t.minuteOfDay >= start) return !w.days || w.days.includes(t.dayOfWeek);
    if (t.minuteOfDay < end) return !w.days || w.days.includes((t.dayOfWeek + 6) % 7);
    return false;
  });
}
