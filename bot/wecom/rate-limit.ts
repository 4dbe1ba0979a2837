import type { Db } from '../../models/db.js';
import { countWecomDeliveries } from '../../models/wecom.js';
import { ChannelError } from '../channel.js';

export interface QuotaWindow {
  /** Messages allowed to one member in the window. */
  limit: number;
  windowMs: number;
}

/**
 * WeCom's limits on messages from one app to one member: 30 a minute and 1,000 an hour.
 * WeCom drops what exceeds them without an error, so Pulse holds such messages back instead.
 */
export const WECOM_MEMBER_QUOTA: readonly QuotaWindow[] = [
  { limit: 30, windowMs: 60_000 },
  { limit: 1000, windowMs: 3_600_000 },
];

/**
 * Throws ChannelError `rate_limited`, with the time until the oldest counted message leaves
 * its window, when a person already got as many WeCom messages as a window allows. The
 * counts come from the outbox, so they hold across instances. Card updates count as well,
 * because the outbox does not record which updates went out as new messages, so the check
 * errs on holding back.
 */
export async function checkMemberQuota(
  db: Db,
  recipientId: string,
  now: Date,
  windows: readonly QuotaWindow[] = WECOM_MEMBER_QUOTA,
): Promise<void> {
  // NOTE: two instances that check at the same moment can both send the last message of a
  // window, so a burst across instances may exceed a limit by one message per instance.
  for (const window of windows) {
    const since = new Date(now.getTime() - window.windowMs);
    const { count, oldest } = await countWecomDeliveries(db, recipientId, since);
    if (count < window.limit) continue;
    const freeAt = (oldest ?? now).getTime() + window.windowMs;
    const retryAfterMs = Math.max(1000, freeAt - now.getTime());
    throw new ChannelError(
      'rate_limited',
      `WeCom allows ${window.limit} messages per ${window.windowMs / 60_000} minutes to one member; ${count} were sent.`,
      { retryable: true, retryAfterMs },
    );
  }
}
