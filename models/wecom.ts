import { eq, sql } from 'drizzle-orm';
import { type Executor, queryRows } from './db.js';
import { wecomTasks } from './schema/index.js';

export type WecomTask = typeof wecomTasks.$inferSelect;

/** Records a task id before its card is sent; a repeated send of the same task changes nothing. */
export async function saveWecomTask(
  db: Executor,
  task: { taskId: string; orgId: string; cardKey: string; recipientId: string; now: Date },
): Promise<void> {
  await db
    .insert(wecomTasks)
    .values({
      taskId: task.taskId,
      orgId: task.orgId,
      cardKey: task.cardKey,
      recipientId: task.recipientId,
      createdAt: task.now,
    })
    .onConflictDoNothing();
}

export async function findWecomTask(db: Executor, taskId: string): Promise<WecomTask | undefined> {
  const [row] = await db.select().from(wecomTasks).where(eq(wecomTasks.taskId, taskId));
  return row;
}

/** The latest card shown under a card key, as the outbox sender last stored it. */
export async function findLatestCard(
  db: Executor,
  orgId: string,
  cardKey: string,
): Promise<Record<string, unknown> | undefined> {
  const rows = await queryRows<{ card: Record<string, unknown> }>(
    db,
    sql`select card from chat_messages where org_id = ${orgId} and card_key = ${cardKey}`,
  );
  return rows[0]?.card;
}

export interface DeliveryWindow {
  /** Messages delivered to the person in the window. */
  count: number;
  /** When the oldest of them was delivered, or undefined when there were none. */
  oldest: Date | undefined;
}

/**
 * Counts the outbox messages delivered on WeCom to one person since `since`, across every
 * instance, using the outbox_recipient_sent index.
 */
export async function countWecomDeliveries(
  db: Executor,
  recipientId: string,
  since: Date,
): Promise<DeliveryWindow> {
  const [row] = await queryRows<{ count: number | string; oldest: string | Date | null }>(
    db,
    sql`select count(*) as count, min(sent_at) as oldest from outbox
        where recipient_id = ${recipientId} and channel = 'wecom' and status = 'sent'
          and sent_at > ${since.toISOString()}`,
  );
  return {
    count: Number(row?.count ?? 0),
    oldest: row?.oldest ? new Date(row.oldest) : undefined,
  };
}
