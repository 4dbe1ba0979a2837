import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organisations, people } from './organisation.js';

/**
 * WeCom template-card tasks that Pulse sent, so that a click callback, which carries only the
 * task id, can be traced back to its card key. A card replaced by a new message gets a second
 * row with the same card key.
 */
export const wecomTasks = pgTable(
  'wecom_tasks',
  {
    taskId: text('task_id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    cardKey: text('card_key').notNull(),
    recipientId: uuid('recipient_id')
      .notNull()
      .references(() => people.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('wecom_tasks_card_key').on(table.orgId, table.cardKey)],
);
