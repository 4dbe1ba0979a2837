import { localHour } from '../domain/feedback/calendar.js';
import { queueWeeklyCheckins } from '../handlers/okr/checkins.js';
import { listOrgs } from '../models/orgs.js';
import type { Job } from './runner.js';

/** Local weekday (1 = Monday) and hour at which the weekly check-in cards go out. */
export const CHECKIN_WEEKDAY = 1;
export const CHECKIN_HOUR = 9;

function localWeekday(instant: Date, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' }).format(instant);
  return ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(name);
}

/**
 * Sends the weekly OKR check-in cards on Monday at 09:00 in each organisation's time zone. It
 * fires hourly because organisations may sit in different zones. A manual run sends every
 * organisation's cards of the current week at once, and a repeated run sends nothing twice.
 */
export const okrCheckinsJob: Job = {
  name: 'okr-weekly-checkins',
  schedule: '0 * * * *',
  description: 'Asks key-result owners for their weekly confidence on a chat card.',
  async run(context) {
    let organisations = 0;
    let sent = 0;
    for (const org of await listOrgs(context.tx)) {
      if (
        context.trigger === 'cron' &&
        (localWeekday(context.fireTime, org.timezone) !== CHECKIN_WEEKDAY ||
          localHour(context.fireTime, org.timezone) !== CHECKIN_HOUR)
      ) {
        continue;
      }
      const result = await queueWeeklyCheckins(context.tx, org, context.now);
      organisations += 1;
      sent += result.sent;
    }
    return { organisations, sent };
  },
};
