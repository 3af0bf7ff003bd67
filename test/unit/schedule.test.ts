import { describe, expect, it } from 'vitest';
import { inSchedule, localTime } from '../../edge/rules/schedule.ts';

// 2026-11-23 is a Monday. Asia/Ho_Chi_Minh is UTC+7 with no DST.
const hcm = (iso: string) => localTime(Date.parse(iso), 'Asia/Ho_Chi_Minh');

describe('localTime', () => {
  it.each([
    ['2026-11-23T00:00:00Z', 1, 7 * 60],
    ['2026-11-23T16:59:00Z', 1, 23 * 60 + 59],
    ['2026-11-23T17:00:00Z', 2, 0],
  ])('%s', (iso, dow, minute) => {
    expect(hcm(iso)).toEqual({ dayOfWeek: dow, minuteOfDay: minute });
  });
});

describe('inSchedule', () => {
  const morning = [{ start: '06:00', end: '09:00' }];
  const night = [{ start: '22:00', end: '06:00', days: [5] }]; // Friday night into Saturday
  it.each([
    ['no schedule', undefined, { dayOfWeek: 1, minuteOfDay: 0 }, true],
    ['start is inclusive', morning, { dayOfWeek: 1, minuteOfDay: 360 }, true],
    ['one minute before start', morning, { dayOfWeek: 1, minuteOfDay: 359 }, false],
    ['end is exclusive', morning, { dayOfWeek: 1, minuteOfDay: 540 }, false],
    ['last minute inside', morning, { dayOfWeek: 1, minuteOfDay: 539 }, true],
    ['wrap: Friday 23:00', night, { dayOfWeek: 5, minuteOfDay: 23 * 60 }, true],
    ['wrap: Saturday 05:59 belongs to Friday', night, { dayOfWeek: 6, minuteOfDay: 359 }, true],
    ['wrap: Saturday 06:00 ends', night, { dayOfWeek: 6, minuteOfDay: 360 }, false],
    ['wrap: Thursday 23:00 wrong day', night, { dayOfWeek: 4, minuteOfDay: 23 * 60 }, false],
    ['wrap: Friday 05:00 belongs to Thursday', night, { dayOfWeek: 5, minuteOfDay: 300 }, false],
    [
      'days filter',
      [{ start: '00:00', end: '24:00', days: [0, 6] }],
      { dayOfWeek: 3, minuteOfDay: 600 },
      false,
    ],
  ])('%s', (_n, schedule, t, expected) => {
    expect(inSchedule(schedule, t)).toBe(expected);
  });
});
