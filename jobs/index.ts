import { feedbackExpiryJob, feedbackRemindersJob } from './feedback-lifecycle.js';
import { handoffTimeoutsJob, keyResultsMidpointJob, slaBreachesJob } from './feedback-watch.js';
import type { KeyResultSource } from './key-results.js';
import { okrCheckinsJob } from './okr-checkins.js';
import type { Job } from './runner.js';

/** Every scheduled job of a Pulse instance. */
export function allJobs(keyResults: KeyResultSource): Job[] {
  return [
    feedbackRemindersJob,
    feedbackExpiryJob,
    slaBreachesJob,
    handoffTimeoutsJob,
    keyResultsMidpointJob(keyResults),
    okrCheckinsJob,
  ];
}
