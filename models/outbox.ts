import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Executor, queryRows } from './db.js';
import { chatMessages, outbox } from './schema/index.js';

export type OutboxRow = typeof outbox.$inferSelect;
export type ChatMessageRow = typeof chatMessages.$inferSelect;

export interface EnqueueInput {
  orgId: string;
  kind: 'send' | 'update';
  recipientId: string;
  cardKey: string;
  card: Record<string, unknown>;
  context?: Record<string, unknown>;
  inboxId?: number;
  now: Date;
}

/** Writes outbound messages in one statement, in order; call it in the causing transaction. */
export async function enqueueOutboxRows(db: Executor, inputs: EnqueueInput[]): Promise<void> {
  if (inputs.length === 0) return;
  await db.insert(outbox).values(
    inputs.map((input) => ({
      orgId: input.orgId,
      kind: input.kind,
      recipientId: input.recipientId,
      cardKey: input.cardKey,
      card: input.card,
      context: input.context ?? null,
      inboxId: input.inboxId ?? null,
      nextAttemptAt: input.now,
      createdAt: input.now,
    })),
  );
}

/** Writes an outbound message; call it in the transaction of the change that causes it. */
export async function enqueueOutbox(db: Executor, input: EnqueueInput): Promise<number> {
  const [row] = await db
    .insert(outbox)
    .values({
      orgId: input.orgId,
      kind: input.kind,
      recipientId: input.recipientId,
      cardKey: input.cardKey,
      card: input.card,
      context: input.context ?? null,
      inboxId: input.inboxId ?? null,
      nextAttemptAt: input.now,
      createdAt: input.now,
    })
    .returning({ id: outbox.id });
  if (!row) throw new Error('outbox insert returned no row');
  return row.id;
}

/**
 * Leases up to `limit` due messages for sending. A message is due when it is pending and its
 * time has come, or when an earlier lease ran out (its sender crashed). Messages of one card
 * wait for that card's earlier messages.
 */
export async function claimDueOutbox(
  db: Executor,
  now: Date,
  limit: number,
  leaseMs: number,
): Promise<OutboxRow[]> {
  const nowIso = now.toISOString();
  const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
  const claimed = await queryRows<{ id: number | string }>(
    db,
    sql`update outbox set status = 'sending', lease_until = ${leaseUntil}, attempts = attempts + 1
        where id in (
          select o.id from outbox o
          where o.status in ('pending', 'sending')
            and ((o.status = 'pending' and o.next_attempt_at <= ${nowIso})
              or (o.status = 'sending' and o.lease_until < ${nowIso}))
            and o.id = (select min(oldest.id) from outbox oldest
                        where oldest.org_id = o.org_id and oldest.card_key = o.card_key
                          and oldest.status in ('pending', 'sending'))
          order by o.id
          limit ${limit}
          for update of o skip locked)
        returning id`,
  );
  if (claimed.length === 0) return [];
  const ids = claimed.map((row) => Number(row.id));
  const rows = await db.select().from(outbox).where(inArray(outbox.id, ids));
  return rows.sort((a, b) => a.id - b.id);
}

/** Marks a leased message sent, unless its lease was taken over by another sender meanwhile. */
export async function markOutboxSent(
  db: Executor,
  row: OutboxRow,
  channel: string,
  now: Date,
): Promise<boolean> {
  const updated = await db
    .update(outbox)
    .set({ status: 'sent', sentAt: now, leaseUntil: null, channel, lastError: null })
    .where(
      and(eq(outbox.id, row.id), eq(outbox.status, 'sending'), eq(outbox.attempts, row.attempts)),
    )
    .returning({ id: outbox.id });
  return updated.length > 0;
}

/** Returns a leased message to the queue for another attempt, or to the dead letters. */
export async function markOutboxFailed(
  db: Executor,
  row: OutboxRow,
  error: string,
  retryAt: Date | undefined,
  channel?: string,
): Promise<void> {
  await db
    .update(outbox)
    .set({
      status: retryAt ? 'pending' : 'dead',
      nextAttemptAt: retryAt ?? row.nextAttemptAt,
      leaseUntil: null,
      lastError: error.slice(0, 2000),
      ...(channel ? { channel } : {}),
    })
    .where(
      and(eq(outbox.id, row.id), eq(outbox.status, 'sending'), eq(outbox.attempts, row.attempts)),
    );
}

/** Puts a leased message back without counting the attempt, such as when a rate limit is full. */
export async function deferOutbox(db: Executor, row: OutboxRow, until: Date): Promise<void> {
  await db
    .update(outbox)
    .set({ status: 'pending', nextAttemptAt: until, leaseUntil: null, attempts: row.attempts - 1 })
    .where(
      and(eq(outbox.id, row.id), eq(outbox.status, 'sending'), eq(outbox.attempts, row.attempts)),
    );
}

/** Sends a dead message again from the start; returns false when it is not dead. */
export async function resendDeadOutbox(db: Executor, id: number, now: Date): Promise<boolean> {
  const updated = await db
    .update(outbox)
    .set({ status: 'pending', attempts: 0, nextAttemptAt: now, lastError: null })
    .where(and(eq(outbox.id, id), eq(outbox.status, 'dead')))
    .returning({ id: outbox.id });
  return updated.length > 0;
}

export async function findChatMessage(
  db: Executor,
  orgId: string,
  cardKey: string,
): Promise<ChatMessageRow | undefined> {
  const [row] = await db
    .select()
    .from(chatMessages)
    .where(and(eq(chatMessages.orgId, orgId), eq(chatMessages.cardKey, cardKey)));
  return row;
}

export interface SaveChatMessageInput {
  id: string;
  orgId: string;
  cardKey: string;
  recipientId: string;
  channel: string;
  messageRef: Record<string, unknown>;
  card: Record<string, unknown>;
  now: Date;
}

/** Records where a card lives now; a card sent again replaces the old reference. */
export async function saveChatMessage(db: Executor, input: SaveChatMessageInput): Promise<void> {
  await db
    .insert(chatMessages)
    .values({
      id: input.id,
      orgId: input.orgId,
      cardKey: input.cardKey,
      recipientId: input.recipientId,
      channel: input.channel,
      messageRef: input.messageRef,
      card: input.card,
      createdAt: input.now,
      updatedAt: input.now,
    })
    .onConflictDoUpdate({
      target: [chatMessages.orgId, chatMessages.cardKey],
      set: {
        channel: input.channel,
        messageRef: input.messageRef,
        card: input.card,
        recipientId: input.recipientId,
        updatedAt: input.now,
      },
    });
}

export async function countOutboxByStatus(
  db: Executor,
  orgId?: string,
): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: outbox.status, count: sql<number>`count(*)::int` })
    .from(outbox)
    .where(orgId ? eq(outbox.orgId, orgId) : undefined)
    .groupBy(outbox.status);
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}
