import { eq, inArray, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../jobs/runner.js';
import { ManualClock } from '../../lib/clock.js';
import type { FeedbackRequest } from '../../models/feedback.js';
import { feedbackRequests, jobRuns, outbox, sandboxMessages } from '../../models/schema/index.js';
import {
  createTestDatabase,
  type TestDatabase,
  testLog,
  usingServer,
} from '../helpers/database.js';
import {
  created,
  post,
  rated,
  resolved,
  runJob,
  settle,
  startFeedbackPulse,
} from '../helpers/feedback.js';
import { type TestPulse, waitFor } from '../helpers/pulse.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

describe(`jobs on two instances sharing ${usingServer ? 'a PostgreSQL server' : 'one PGlite database'}`, () => {
  const clock = new ManualClock('2026-12-01T09:00:00+08:00');
  let database: TestDatabase;
  let first: TestPulse;
  let second: TestPulse;

  beforeAll(async () => {
    database = await createTestDatabase();
    first = (await startFeedbackPulse(clock, { database, instanceName: 'first' })).pulse;
    second = (await startFeedbackPulse(clock, { database, instanceName: 'second' })).pulse;
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await database?.destroy();
  });

  /** Runs a job on both instances at once with the same fire time; returns the statuses. */
  async function runOnBoth(name: string): Promise<string[]> {
    const outcomes = await Promise.all([runJob(first, name), runJob(second, name)]);
    return outcomes.map((outcome) => outcome.status).sort();
  }

  it('sends each reminder and escalation exactly once', async () => {
    const now = clock.now();
    const instances = [first, second];
    for (let n = 0; n < 4; n++) {
      const pulse = instances[n % 2] as TestPulse;
      const code = `WO-TWO-${n}`;
      await post(pulse, created({ orderId: code, at: now }));
      await post(pulse, resolved(code, now, `EE0${3 + n}`));
      await post(pulse, rated(code, now, 1));
    }
    await settle(first);
    const requests: FeedbackRequest[] = await waitFor(async () => {
      const rows = await database.db.select().from(feedbackRequests);
      return rows.length === 4 ? rows : undefined;
    });
    const dueAt = (requests[0] as FeedbackRequest).dueAt.getTime();
    expect(requests.every((r) => r.dueAt.getTime() === dueAt)).toBe(true);

    const checkpoints = [
      dueAt - 24 * HOUR + MINUTE,
      dueAt - 24 * HOUR + 2 * MINUTE,
      dueAt - 4 * HOUR + MINUTE,
      dueAt - 4 * HOUR + 2 * MINUTE,
      dueAt + MINUTE,
      dueAt + 2 * MINUTE,
      dueAt + 2 * HOUR,
    ];
    for (const time of checkpoints) {
      clock.set(new Date(time));
      expect(await runOnBoth('feedback-reminders')).toEqual(['ran', 'skipped']);
      expect(await runOnBoth('feedback-expiry')).toEqual(['ran', 'skipped']);
    }
    await settle(first);

    const ids = requests.map((r) => r.id);
    const expected = ids.flatMap((id) => [
      `feedback:${id}:reminder:24h`,
      `feedback:${id}:reminder:4h`,
      `feedback:${id}:escalation`,
    ]);
    const queued = await database.db
      .select({ cardKey: outbox.cardKey })
      .from(outbox)
      .where(inArray(outbox.cardKey, expected));
    expect(queued.map((row) => row.cardKey).sort()).toEqual([...expected].sort());
    const delivered = await waitFor(async () => {
      const rows = await database.db
        .select({ cardKey: sandboxMessages.cardKey })
        .from(sandboxMessages)
        .where(inArray(sandboxMessages.cardKey, expected));
      return rows.length >= expected.length ? rows : undefined;
    });
    expect(delivered.map((row) => row.cardKey).sort()).toEqual([...expected].sort());

    const statuses = await database.db
      .select({ status: feedbackRequests.status, escalatedAt: feedbackRequests.escalatedAt })
      .from(feedbackRequests);
    expect(statuses.every((row) => row.status === 'expired' && row.escalatedAt !== null)).toBe(
      true,
    );
    const runs = await database.db
      .select()
      .from(jobRuns)
      .where(eq(jobRuns.job, 'feedback-reminders'));
    expect(runs).toHaveLength(checkpoints.length);
    expect(new Set(runs.map((run) => run.instance)).size).toBeGreaterThanOrEqual(1);
  });

  it('runs each cron fire on one instance', async () => {
    const calls = new Map<string, string[]>();
    const job = {
      name: 'test-every-second',
      schedule: '* * * * * *',
      description: 'Counts the instances that run each fire.',
      async run(context: { fireTime: Date }, instance = '') {
        const key = context.fireTime.toISOString();
        calls.set(key, [...(calls.get(key) ?? []), instance]);
        return {};
      },
    };
    const runners = ['a', 'b'].map(
      (instance) =>
        new JobRunner({
          db: database.db,
          clock,
          log: testLog,
          timeZone: 'Asia/Shanghai',
          instance,
          jobs: [{ ...job, run: (context) => job.run(context, instance) }],
        }),
    );
    for (const runner of runners) runner.start();
    try {
      await waitFor(async () => (calls.size >= 3 ? true : undefined), 10_000, 'three fires');
    } finally {
      await Promise.all(runners.map((runner) => runner.stop()));
    }
    for (const [fire, instances] of calls) {
      expect(instances, `fire ${fire}`).toHaveLength(1);
    }
    const rows = await database.db
      .select()
      .from(jobRuns)
      .where(like(jobRuns.job, 'test-every-second'));
    expect(rows).toHaveLength(calls.size);
  });
});
