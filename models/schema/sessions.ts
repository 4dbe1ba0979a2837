import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organisations, people } from './organisation.js';

/**
 * Mini-app sessions. `id` is the SHA-256 of the token in the cookie, so the table alone does
 * not let anyone sign in; `csrf_token` must come back in a header with every change.
 */
export const appSessions = pgTable(
  'app_sessions',
  {
    id: text('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    /** How the person signed in: wecom, feishu or sandbox. */
    via: text('via').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    index('app_sessions_person').on(table.personId),
    index('app_sessions_expires').on(table.expiresAt),
  ],
);
