import { and, desc, eq } from 'drizzle-orm';
import type { Executor } from './db.js';
import { jobRuns } from './schema/index.js';

export type JobRun = typeof jobRuns.$inferSelect;

/**
 * Claims one fire of a job by inserting its row. Call it inside the job's transaction: a second
 * instance claiming the same fire waits for that transaction and gets undefined if it commits,
 * or the claim if it rolls back.
 */
export async function claimJobRun(
  db: Executor,
  input: { job: string; fireTime: Date; trigger: string; instance: string; startedAt: Date },
): Promise<number | undefined> {
  const [row] = await db
    .insert(jobRuns)
    .values(input)
    .onConflictDoNothing({ target: [jobRuns.job, jobRuns.fireTime] })
    .returning({ id: jobRuns.id });
  return row?.id;
}

export async function finishJobRun(
  db: Executor,
  id: number,
  result: Record<string, unknown>,
  finishedAt: Date,
  durationMs: number,
): Promise<void> {
  await db.update(jobRuns).set({ result, finishedAt, durationMs }).where(eq(jobRuns.id, id));
}

export async function listJobRuns(db: Executor, job: string, limit = 50): Promise<JobRun[]> {
  return db
    .select()
    .from(jobRuns)
    .where(and(eq(jobRuns.job, job)))
    .orderBy(desc(jobRuns.fireTime))
    .limit(limit);
}
