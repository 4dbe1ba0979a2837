import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { newId } from '../lib/ids.js';
import type { Executor } from './db.js';
import { developmentRecords, feedbackRequests, feedbackRuleSettings } from './schema/index.js';

export type FeedbackRequest = typeof feedbackRequests.$inferSelect;
export type DevelopmentRecord = typeof developmentRecords.$inferSelect;
export type RuleSettingsRow = typeof feedbackRuleSettings.$inferSelect;

const OPEN = ['requested', 'sent', 'reminded'] as const;

export async function listRuleSettings(db: Executor, orgId: string): Promise<RuleSettingsRow[]> {
  return db.select().from(feedbackRuleSettings).where(eq(feedbackRuleSettings.orgId, orgId));
}

export async function findRuleSettings(
  db: Executor,
  orgId: string,
  rule: string,
): Promise<RuleSettingsRow | undefined> {
  const [row] = await db
    .select()
    .from(feedbackRuleSettings)
    .where(and(eq(feedbackRuleSettings.orgId, orgId), eq(feedbackRuleSettings.rule, rule)));
  return row;
}

export interface RuleSettingsValues {
  enabled: boolean;
  threshold: number | null;
  giver: string;
  receiver: string;
  dueHours: number;
}

export async function saveRuleSettings(
  db: Executor,
  orgId: string,
  rule: string,
  values: RuleSettingsValues,
  now: Date,
): Promise<void> {
  const set = { ...values, updatedAt: now };
  await db
    .insert(feedbackRuleSettings)
    .values({ orgId, rule, ...set })
    .onConflictDoUpdate({ target: [feedbackRuleSettings.orgId, feedbackRuleSettings.rule], set });
}

export type NewFeedbackRequest = Omit<typeof feedbackRequests.$inferInsert, 'id' | 'status'>;

/** Inserts a request; returns undefined when the event already made one for this pair. */
export async function insertFeedbackRequest(
  db: Executor,
  input: NewFeedbackRequest,
): Promise<FeedbackRequest | undefined> {
  const [row] = await db
    .insert(feedbackRequests)
    .values({ id: newId(), status: 'requested', ...input })
    .onConflictDoNothing()
    .returning();
  return row;
}

/** Loads a request; `lock` holds a row lock until the transaction ends. */
export async function findFeedbackRequest(
  db: Executor,
  id: string,
  lock = false,
): Promise<FeedbackRequest | undefined> {
  const query = db.select().from(feedbackRequests).where(eq(feedbackRequests.id, id));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

export async function updateFeedbackRequest(
  db: Executor,
  id: string,
  changes: Partial<typeof feedbackRequests.$inferInsert>,
): Promise<FeedbackRequest> {
  const [row] = await db
    .update(feedbackRequests)
    .set(changes)
    .where(eq(feedbackRequests.id, id))
    .returning();
  if (!row) throw new Error(`feedback request ${id} vanished during an update`);
  return row;
}

/** Records that the giver's card was delivered, if the request is still only requested. */
export async function markFeedbackCardSent(db: Executor, id: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(feedbackRequests)
    .set({ status: 'sent', sentAt: now })
    .where(and(eq(feedbackRequests.id, id), eq(feedbackRequests.status, 'requested')))
    .returning({ id: feedbackRequests.id });
  return rows.length > 0;
}

/**
 * Locks the open requests whose earliest reminder time has come by `now` and that are not yet
 * due. A row that another transaction locks is waited for and checked again once it is free,
 * so a reminder recorded meanwhile is not sent twice and a submission meanwhile is respected.
 */
export async function lockRemindable(
  db: Executor,
  now: Date,
  earliestReminderMs: number,
  limit: number,
): Promise<FeedbackRequest[]> {
  return db
    .select()
    .from(feedbackRequests)
    .where(
      and(
        inArray(feedbackRequests.status, OPEN),
        sql`${feedbackRequests.dueAt} > ${now.toISOString()}`,
        lte(feedbackRequests.dueAt, new Date(now.getTime() + earliestReminderMs)),
        or(isNull(feedbackRequests.reminded24At), isNull(feedbackRequests.reminded4At)),
      ),
    )
    .orderBy(asc(feedbackRequests.dueAt))
    .limit(limit)
    .for('update');
}

/** Locks open requests whose due time has passed; rows held elsewhere are waited for and rechecked. */
export async function lockExpirable(
  db: Executor,
  now: Date,
  limit: number,
): Promise<FeedbackRequest[]> {
  return db
    .select()
    .from(feedbackRequests)
    .where(and(inArray(feedbackRequests.status, OPEN), lte(feedbackRequests.dueAt, now)))
    .orderBy(asc(feedbackRequests.dueAt))
    .limit(limit)
    .for('update');
}

export type NewDevelopmentRecord = Omit<typeof developmentRecords.$inferInsert, 'id'>;

/** Archives submitted feedback in the receiver's development record, once per source. */
export async function insertDevelopmentRecord(
  db: Executor,
  input: NewDevelopmentRecord,
): Promise<DevelopmentRecord | undefined> {
  const [row] = await db
    .insert(developmentRecords)
    .values({ id: newId(), ...input })
    .onConflictDoNothing()
    .returning();
  return row;
}

export async function listDevelopmentRecords(
  db: Executor,
  orgId: string,
  personId: string,
): Promise<DevelopmentRecord[]> {
  return db
    .select()
    .from(developmentRecords)
    .where(and(eq(developmentRecords.orgId, orgId), eq(developmentRecords.personId, personId)))
    .orderBy(asc(developmentRecords.recordedAt));
}

export async function findDevelopmentRecordBySource(
  db: Executor,
  sourceId: string,
): Promise<DevelopmentRecord | undefined> {
  const [row] = await db
    .select()
    .from(developmentRecords)
    .where(and(eq(developmentRecords.kind, 'feedback'), eq(developmentRecords.sourceId, sourceId)));
  return row;
}
