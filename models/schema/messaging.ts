import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { organisations, people } from './organisation.js';

export type InboxStatus = 'pending' | 'done' | 'rejected' | 'failed';

/**
 * Inbound events, stored once per source id before they are acknowledged and processed
 * afterwards. Rows with the same ordering key are processed in id order.
 */
export const inbox = pgTable(
  'inbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    /** Where the event came from: events (business webhook), sandbox, wecom, feishu, system. */
    source: text('source').notNull(),
    sourceId: text('source_id').notNull(),
    type: text('type').notNull(),
    orderingKey: text('ordering_key').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    payloadHash: text('payload_hash').notNull(),
    status: text('status').$type<InboxStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    lastError: text('last_error'),
    outcome: jsonb('outcome').$type<Record<string, unknown>>(),
  },
  (table) => [
    uniqueIndex('inbox_source_id').on(table.orgId, table.source, table.sourceId),
    // The processor reads pending events in id order; done events never enter this index.
    index('inbox_pending').on(table.id).where(sql`${table.status} = 'pending'`),
    index('inbox_ordering_pending')
      .on(table.orgId, table.orderingKey, table.id)
      .where(sql`${table.status} = 'pending'`),
  ],
);

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'dead';

/**
 * Outbound chat messages, written in the same transaction as the change that causes them
 * and sent afterwards. Rows for one card (`card_key`) are sent in id order.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['send', 'update'] }).notNull(),
    recipientId: uuid('recipient_id')
      .notNull()
      .references(() => people.id),
    /** Stable name of the logical card, such as dispatch:<recommendation>:engineer:<person>. */
    cardKey: text('card_key').notNull(),
    card: jsonb('card').$type<Record<string, unknown>>().notNull(),
    /** Platform-specific context for an update, such as the click that caused it. */
    context: jsonb('context').$type<Record<string, unknown>>(),
    /** The channel the message went to, fixed at the first attempt. */
    channel: text('channel'),
    status: text('status').$type<OutboxStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull(),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    lastError: text('last_error'),
    inboxId: bigint('inbox_id', { mode: 'number' }),
  },
  (table) => [
    index('outbox_due').on(table.id).where(sql`${table.status} in ('pending', 'sending')`),
    index('outbox_card_unsent')
      .on(table.orgId, table.cardKey, table.id)
      .where(sql`${table.status} in ('pending', 'sending')`),
    index('outbox_recipient_sent').on(table.recipientId, table.channel, table.sentAt),
  ],
);

/** The latest state of each card sent, and where it lives on its platform. */
export const chatMessages = pgTable(
  'chat_messages',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    cardKey: text('card_key').notNull(),
    recipientId: uuid('recipient_id')
      .notNull()
      .references(() => people.id),
    channel: text('channel').notNull(),
    /** Platform message reference returned by Channel.send and refreshed by Channel.update. */
    messageRef: jsonb('message_ref').$type<Record<string, unknown>>().notNull(),
    card: jsonb('card').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [uniqueIndex('chat_messages_card_key').on(table.orgId, table.cardKey)],
);

/** Cards delivered to the built-in sandbox chat. */
export const sandboxMessages = pgTable(
  'sandbox_messages',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    recipientId: uuid('recipient_id')
      .notNull()
      .references(() => people.id),
    cardKey: text('card_key').notNull(),
    card: jsonb('card').$type<Record<string, unknown>>().notNull(),
    /** The key of the send that created the message; makes a repeated send a no-op. */
    idempotencyKey: text('idempotency_key').notNull().unique(),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('sandbox_messages_recipient').on(table.recipientId, table.createdAt)],
);
