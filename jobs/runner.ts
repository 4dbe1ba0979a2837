import { createTask, type ScheduledTask, validate } from 'node-cron';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Db, Tx } from '../models/db.js';
import { claimJobRun, finishJobRun } from '../models/job-runs.js';

export type JobTrigger = 'cron' | 'manual';

export interface JobContext {
  /** The job's transaction; the claim of this fire commits or rolls back with it. */
  tx: Tx;
  now: Date;
  /** The scheduled time of this fire (for a manual run, the time it was asked for). */
  fireTime: Date;
  trigger: JobTrigger;
  log: Logger;
}

/** A scheduled job. `run` must be idempotent: running a fire again changes nothing more. */
export interface Job {
  name: string;
  /**
   * node-cron expression (minute hour day month weekday, with an optional leading seconds
   * field), read in the runner's time zone.
   */
  schedule: string;
  description: string;
  /** Does the work; returns counts for the run record and the log. */
  run(context: JobContext): Promise<Record<string, unknown>>;
}

export type JobRunResult =
  | { status: 'ran'; runId: number; result: Record<string, unknown> }
  /** Another instance took this fire. */
  | { status: 'skipped' };

export interface JobRunnerOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  jobs: readonly Job[];
  /** Time zone that the cron expressions are read in. */
  timeZone: string;
  /** Name of this instance in the run records. */
  instance: string;
  /** Called after a run commits, so that the outbox sender sends the cards it queued. */
  onCommitted?: () => void;
}

/**
 * Schedules jobs with node-cron and runs each fire on exactly one instance. A run inserts
 * (job, fire time) into job_runs inside the job's own transaction, so when several instances
 * fire together, one inserts and the others find the row and skip. A failed run rolls back its
 * claim, and the job's next fire catches up.
 */
export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  private tasks: ScheduledTask[] = [];
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly options: JobRunnerOptions) {
    for (const job of options.jobs) {
      if (!validate(job.schedule)) {
        throw new Error(`job ${job.name} has an invalid cron schedule: ${job.schedule}`);
      }
      this.jobs.set(job.name, job);
    }
  }

  list(): Job[] {
    return [...this.jobs.values()];
  }

  get(name: string): Job | undefined {
    return this.jobs.get(name);
  }

  /** Runs one fire of a job unless another instance has taken it. Throws what the job throws. */
  async run(name: string, fireTime: Date, trigger: JobTrigger): Promise<JobRunResult> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job named ${name}`);
    const { db, clock } = this.options;
    const log = this.options.log.child({
      job: name,
      fireTime: fireTime.toISOString(),
      trigger,
      instance: this.options.instance,
    });
    const started = Date.now();
    const outcome = await db.transaction(async (tx): Promise<JobRunResult> => {
      const now = clock.now();
      const runId = await claimJobRun(tx, {
        job: name,
        fireTime,
        trigger,
        instance: this.options.instance,
        startedAt: now,
      });
      if (runId === undefined) return { status: 'skipped' };
      log.info({ runId }, 'job started');
      const result = await job.run({ tx, now, fireTime, trigger, log: log.child({ runId }) });
      await finishJobRun(tx, runId, result, clock.now(), Date.now() - started);
      return { status: 'ran', runId, result };
    });
    if (outcome.status === 'skipped') {
      log.debug('fire taken by another instance; skipped');
    } else {
      log.info(
        { runId: outcome.runId, ms: Date.now() - started, ...outcome.result },
        'job finished',
      );
      this.options.onCommitted?.();
    }
    return outcome;
  }

  /** Schedules every job with node-cron. */
  start(): void {
    if (this.tasks.length > 0) return;
    for (const job of this.jobs.values()) {
      const task = createTask(job.schedule, (context) => this.fire(job, context.date), {
        name: job.name,
        timezone: this.options.timeZone,
        noOverlap: true,
      });
      void task.start();
      this.tasks.push(task);
    }
    this.options.log.info(
      { jobs: [...this.jobs.keys()], timeZone: this.options.timeZone },
      'jobs scheduled',
    );
  }

  /** Unschedules the jobs and waits for runs in progress. */
  async stop(): Promise<void> {
    const tasks = this.tasks;
    this.tasks = [];
    await Promise.all(tasks.map((task) => task.destroy()));
    await Promise.allSettled([...this.running]);
    if (tasks.length > 0) this.options.log.info('jobs stopped');
  }

  private async fire(job: Job, scheduled: Date): Promise<void> {
    // Every instance computes the same scheduled second, which makes the fire's key.
    const fireTime = new Date(Math.floor(scheduled.getTime() / 1000) * 1000);
    const run = this.run(job.name, fireTime, 'cron').catch((error: unknown) => {
      this.options.log.error(
        { err: error, job: job.name, fireTime: fireTime.toISOString() },
        'job failed; its next fire will try again',
      );
    });
    this.running.add(run);
    try {
      await run;
    } finally {
      this.running.delete(run);
    }
  }
}
