import { and, asc, desc, eq, inArray, lt, ne, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { findChatMessage, saveChatMessage } from './outbox.js';
import { inbox, outbox } from './schema/index.js';

export type ClickedCardUpdate =
  /** The updates are marked sent; the caller must put `card` in its response. */
  | { status: 'taken'; card: Record<string, unknown>; outboxIds: number[] }
  /** The outbox sender has one of the updates leased right now; try again shortly. */
  | { status: 'busy' }
  /** Nothing to take: no update of this card, or an earlier update of it is still unsent. */
  | { status: 'none' };

export interface TakeClickedCardUpdateInput {
  orgId: string;
  /** The inbox row of the click whose handler queued the updates. */
  inboxId: number;
  /** The clicked card. */
  cardKey: string;
  /** The channel that must hold the card; a card that lives elsewhere is left to the sender. */
  channel: string;
  now: Date;
}

/**
 * Takes the outbox updates that one click queued for the clicked card, so that the callback
 * response can carry the new card instead of the sender updating it a second time. The rows are
 * marked sent and the card is recorded in chat_messages, in one transaction. Updates queued
 * earlier for the same card are never skipped: while one is unsent, nothing is taken.
 */
export async function takeClickedCardUpdate(
  db: Db,
  input: TakeClickedCardUpdateInput,
): Promise<ClickedCardUpdate> {
  return db.transaction(async (tx) => {
    // Plain FOR UPDATE, not SKIP LOCKED: a row the sender is claiming is waited for and then
    // seen as 'sending', instead of being missed.
    const rows = await tx
      .select()
      .from(outbox)
      .where(
        and(
          eq(outbox.orgId, input.orgId),
          eq(outbox.inboxId, input.inboxId),
          eq(outbox.cardKey, input.cardKey),
          eq(outbox.kind, 'update'),
          inArray(outbox.status, ['pending', 'sending']),
        ),
      )
      .orderBy(asc(outbox.id))
      .for('update');
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (!first || !last) return { status: 'none' };
    if (rows.some((row) => row.status === 'sending')) return { status: 'busy' };

    const [earlier] = await tx
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        and(
          eq(outbox.orgId, input.orgId),
          eq(outbox.cardKey, input.cardKey),
          inArray(outbox.status, ['pending', 'sending']),
          lt(outbox.id, first.id),
        ),
      )
      .limit(1);
    if (earlier) return { status: 'none' };
    const message = await findChatMessage(tx, input.orgId, input.cardKey);
    if (!message || message.channel !== input.channel) return { status: 'none' };

    const ids = rows.map((row) => row.id);
    await tx
      .update(outbox)
      .set({
        status: 'sent',
        sentAt: input.now,
        leaseUntil: null,
        channel: input.channel,
        lastError: null,
        attempts: sql`${outbox.attempts} + 1`,
      })
      .where(inArray(outbox.id, ids));
    await saveChatMessage(tx, {
      id: message.id,
      orgId: input.orgId,
      cardKey: input.cardKey,
      recipientId: message.recipientId,
      channel: message.channel,
      messageRef: message.messageRef,
      card: last.card,
      now: input.now,
    });
    return { status: 'taken', card: last.card, outboxIds: ids };
  });
}

/** Returns the inbox id of a click stored before under its platform event id, if any. */
export async function findStoredClick(
  db: Db,
  orgId: string,
  source: string,
  sourceId: string,
): Promise<number | undefined> {
  const [row] = await db
    .select({ id: inbox.id })
    .from(inbox)
    .where(and(eq(inbox.orgId, orgId), eq(inbox.source, source), eq(inbox.sourceId, sourceId)));
  return row?.id;
}

/**
 * Returns the latest card delivered under a card key: the one in chat_messages, or while its
 * first send is still being recorded, the card of that send's outbox row. Undefined when Pulse
 * never sent the card.
 */
export async function findCurrentCard(
  db: Db,
  orgId: string,
  cardKey: string,
): Promise<Record<string, unknown> | undefined> {
  const message = await findChatMessage(db, orgId, cardKey);
  if (message) return message.card;
  const [sending] = await db
    .select({ card: outbox.card })
    .from(outbox)
    .where(
      and(
        eq(outbox.orgId, orgId),
        eq(outbox.cardKey, cardKey),
        eq(outbox.kind, 'send'),
        ne(outbox.status, 'dead'),
      ),
    )
    .orderBy(desc(outbox.id))
    .limit(1);
  return sending?.card;
}
