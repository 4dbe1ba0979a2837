/**
 * The life of a feedback request: requested → sent (the card reached the giver) → reminded
 * (24 and 4 hours before the due time) → submitted or expired; an expired request is escalated
 * to the giver's manager.
 */
export const REQUEST_STATUSES = ['requested', 'sent', 'reminded', 'submitted', 'expired'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Statuses in which the giver can still submit. */
export const OPEN_STATUSES: readonly RequestStatus[] = ['requested', 'sent', 'reminded'];

export function isOpen(status: string): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(status);
}

/** Hours before the due time at which the giver is reminded, earliest first. */
export const REMINDER_HOURS = [24, 4] as const;
export type ReminderHours = (typeof REMINDER_HOURS)[number];

const HOUR_MS = 3_600_000;

export interface ReminderState {
  requestedAt: Date;
  dueAt: Date;
  /** When each reminder was recorded; missing when it has not been. */
  remindedAt: Partial<Record<ReminderHours, Date | null>>;
}

/**
 * Which reminders to record at `now`, and the one to send. A reminder is due from its time
 * until the due time. When several are due at once, such as after the jobs were down, all are
 * recorded but only the latest is sent, so the giver gets one card. A reminder whose time lies
 * at or before the request (a due time under 24 hours away) is never due.
 */
export function remindersDue(
  state: ReminderState,
  now: Date,
): { record: ReminderHours[]; send: ReminderHours | undefined } {
  const record: ReminderHours[] = [];
  if (now.getTime() >= state.dueAt.getTime()) return { record, send: undefined };
  for (const hours of REMINDER_HOURS) {
    const at = state.dueAt.getTime() - hours * HOUR_MS;
    if (at <= state.requestedAt.getTime()) continue;
    if (now.getTime() < at) continue;
    if (state.remindedAt[hours]) continue;
    record.push(hours);
  }
  return { record, send: record[record.length - 1] };
}

/** Tells whether an open request has passed its due time at `now`. */
export function isExpired(status: string, dueAt: Date, now: Date): boolean {
  return isOpen(status) && now.getTime() >= dueAt.getTime();
}
