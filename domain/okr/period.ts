/** Calendar helpers for OKR periods, which are whole local days in an organisation's time zone. */

import { localDayStart } from '../feedback/calendar.js';

export { localDayStart };

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Returns the local date (YYYY-MM-DD) of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

/** Adds whole days to a local date. */
export function addDays(day: string, days: number): string {
  const match = DATE_PATTERN.exec(day);
  if (!match) throw new Error(`invalid local date ${day}; expected YYYY-MM-DD`);
  const shifted = new Date(
    Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days),
  );
  return shifted.toISOString().slice(0, 10);
}

/** Returns the half-open interval [from, to) of a period from its first to its last local day. */
export function periodWindow(
  periodStart: string,
  periodEnd: string,
  timeZone: string,
): { from: Date; to: Date } {
  return {
    from: localDayStart(periodStart, timeZone),
    to: localDayStart(addDays(periodEnd, 1), timeZone),
  };
}

/** Tells whether `instant` falls in the period. */
export function inPeriod(
  instant: Date,
  period: { periodStart: string; periodEnd: string },
  timeZone: string,
): boolean {
  const { from, to } = periodWindow(period.periodStart, period.periodEnd, timeZone);
  return instant >= from && instant < to;
}

/** Monday (YYYY-MM-DD) of the ISO week that contains `instant` in `timeZone`. */
export function weekStart(instant: Date, timeZone: string): string {
  const day = localDate(instant, timeZone);
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, -((weekday + 6) % 7));
}

/** First and last day of the calendar quarter that contains `instant`. */
export function quarterOf(instant: Date, timeZone: string): { start: string; end: string } {
  const [year, month] = localDate(instant, timeZone).split('-').map(Number) as [number, number];
  const firstMonth = Math.floor((month - 1) / 3) * 3 + 1;
  const start = `${year}-${String(firstMonth).padStart(2, '0')}-01`;
  const nextQuarter = new Date(Date.UTC(year, firstMonth - 1 + 3, 1));
  const end = addDays(nextQuarter.toISOString().slice(0, 10), -1);
  return { start, end };
}
