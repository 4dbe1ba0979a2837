import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/*
 * Calendar arithmetic in an organisation's time zone. Every function takes the zone
 * explicitly, so results never depend on the time zone of the process.
 */

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Tells whether `zone` is an IANA time zone name that this runtime supports. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns the instant at which local date `date` (YYYY-MM-DD) plus `addDays` days begins in
 * `zone`.
 * Throws RangeError on a malformed date.
 */
export function localDayStart(date: string, zone: string, addDays = 0): Date {
  if (!DATE_PATTERN.test(date)) throw new RangeError(`${date} is not a YYYY-MM-DD date`);
  const midnightUtc = dayjs.utc(date).add(addDays, 'day').valueOf();
  // The zone's offset at the guess, then again at the result, in case a DST change lies between.
  let instant = midnightUtc - offsetMs(midnightUtc, zone);
  instant = midnightUtc - offsetMs(instant, zone);
  return new Date(instant);
}

/** Returns how far local time in `zone` is ahead of UTC at `instant`, in milliseconds. */
function offsetMs(instant: number, zone: string): number {
  const local = dayjs(instant).tz(zone);
  const asUtc = Date.UTC(
    local.year(),
    local.month(),
    local.date(),
    local.hour(),
    local.minute(),
    local.second(),
  );
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** Tells whether `month` is a calendar month written YYYY-MM. */
export function isMonth(month: string): boolean {
  return MONTH_PATTERN.test(month);
}

/** Returns the half-open interval [from, to) of calendar month `month` (YYYY-MM) in `zone`. */
export function monthWindow(month: string, zone: string): { from: Date; to: Date } {
  if (!isMonth(month)) throw new RangeError(`${month} is not a YYYY-MM month`);
  const from = localDayStart(`${month}-01`, zone);
  const next = dayjs.utc(`${month}-01`).add(1, 'month').format('YYYY-MM-DD');
  return { from, to: localDayStart(next, zone) };
}

/** Returns the calendar month (YYYY-MM) that `instant` falls in, in `zone`. */
export function monthOf(instant: Date, zone: string): string {
  return dayjs(instant).tz(zone).format('YYYY-MM');
}

/** Returns the local hour (0-23) of `instant` in `zone`. */
export function localHour(instant: Date, zone: string): number {
  return dayjs(instant).tz(zone).hour();
}

/** `instant` written as local time in `zone`, such as 2026-12-04 09:30 (for cards). */
export function formatLocal(instant: Date, zone: string): string {
  return dayjs(instant).tz(zone).format('YYYY-MM-DD HH:mm');
}
