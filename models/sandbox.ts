import { and, asc, eq, gte, sql } from 'drizzle-orm';
import { newId } from '../lib/ids.js';
import type { Executor } from './db.js';
import { sandboxMessages } from './schema/index.js';

export type SandboxMessage = typeof sandboxMessages.$inferSelect;

export interface NewSandboxMessage {
  orgId: string;
  recipientId: string;
  cardKey: string;
  card: Record<string, unknown>;
  idempotencyKey: string;
  now: Date;
}

/** Stores a sandbox message once per idempotency key and returns it. */
export async function insertSandboxMessage(
  db: Executor,
  input: NewSandboxMessage,
): Promise<SandboxMessage> {
  const [inserted] = await db
    .insert(sandboxMessages)
    .values({
      id: newId(),
      orgId: input.orgId,
      recipientId: input.recipientId,
      cardKey: input.cardKey,
      card: input.card,
      idempotencyKey: input.idempotencyKey,
      createdAt: input.now,
      updatedAt: input.now,
    })
    .onConflictDoNothing({ target: sandboxMessages.idempotencyKey })
    .returning();
  if (inserted) return inserted;
  const [existing] = await db
    .select()
    .from(sandboxMessages)
    .where(eq(sandboxMessages.idempotencyKey, input.idempotencyKey));
  if (!existing)
    throw new Error(`sandbox message ${input.idempotencyKey} vanished after a conflict`);
  return existing;
}

export async function updateSandboxMessage(
  db: Executor,
  id: string,
  card: Record<string, unknown>,
  now: Date,
): Promise<SandboxMessage | undefined> {
  const [row] = await db
    .update(sandboxMessages)
    .set({ card, updatedAt: now, version: sql`${sandboxMessages.version} + 1` })
    .where(eq(sandboxMessages.id, id))
    .returning();
  return row;
}

export async function findSandboxMessage(
  db: Executor,
  id: string,
): Promise<SandboxMessage | undefined> {
  const [row] = await db.select().from(sandboxMessages).where(eq(sandboxMessages.id, id));
  return row;
}

/** Messages to one person, oldest first; `since` returns only those changed at or after it. */
export async function listSandboxMessages(
  db: Executor,
  recipientId: string,
  since?: Date,
): Promise<SandboxMessage[]> {
  return db
    .select()
    .from(sandboxMessages)
    .where(
      and(
        eq(sandboxMessages.recipientId, recipientId),
        since ? gte(sandboxMessages.updatedAt, since) : undefined,
      ),
    )
    .orderBy(asc(sandboxMessages.createdAt), asc(sandboxMessages.id));
}
