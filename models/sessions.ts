import { and, eq, lt } from 'drizzle-orm';
import type { Executor } from './db.js';
import type { Person } from './people.js';
import { appSessions, people } from './schema/index.js';

export type AppSession = typeof appSessions.$inferSelect;

export async function insertSession(
  db: Executor,
  session: typeof appSessions.$inferInsert,
): Promise<void> {
  await db.insert(appSessions).values(session);
}

/** Finds a session by the hash of its token, with its person; expired ones are returned too. */
export async function findSession(
  db: Executor,
  id: string,
): Promise<{ session: AppSession; person: Person } | undefined> {
  const [row] = await db
    .select({ session: appSessions, person: people })
    .from(appSessions)
    .innerJoin(people, eq(people.id, appSessions.personId))
    .where(eq(appSessions.id, id));
  return row;
}

export async function deleteSession(db: Executor, id: string): Promise<void> {
  await db.delete(appSessions).where(eq(appSessions.id, id));
}

/** Deletes a person's sessions that expired before `now`; returns how many. */
export async function deleteExpiredSessions(
  db: Executor,
  personId: string,
  now: Date,
): Promise<number> {
  const rows = await db
    .delete(appSessions)
    .where(and(eq(appSessions.personId, personId), lt(appSessions.expiresAt, now)))
    .returning({ id: appSessions.id });
  return rows.length;
}
