import { bigint, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organisations, people } from './organisation.js';
import { workOrders } from './work.js';

export const dispatchRecommendations = pgTable(
  'dispatch_recommendations',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    workOrderId: uuid('work_order_id')
      .notNull()
      .references(() => workOrders.id, { onDelete: 'cascade' }),
    /** Ranked candidates with each factor's value and contribution. */
    candidates: jsonb('candidates').$type<unknown[]>().notNull(),
    /** Why engineers were filtered out, counted by reason. */
    excluded: jsonb('excluded').$type<Record<string, number>>().notNull(),
    weights: jsonb('weights').$type<Record<string, number>>().notNull(),
    status: text('status', { enum: ['offered', 'accepted', 'unassigned', 'closed'] }).notNull(),
    offeredEngineerId: uuid('offered_engineer_id').references(() => people.id),
    /** Engineers who declined this order, in order. */
    declinedIds: jsonb('declined_ids').$type<string[]>().notNull().default([]),
    confirmedById: uuid('confirmed_by_id').references(() => people.id),
    version: integer('version').notNull().default(1),
    /** The inbox event the recommendation answers, for latency reports. */
    inboxId: bigint('inbox_id', { mode: 'number' }),
    eventReceivedAt: timestamp('event_received_at', { withTimezone: true }).notNull(),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('dispatch_recommendations_order').on(table.orgId, table.workOrderId)],
);

export const DISPATCH_DECISION_KINDS = [
  'offered',
  'accepted',
  'declined',
  'confirmed',
  'reassigned',
  'unassigned',
] as const;

export const dispatchDecisions = pgTable(
  'dispatch_decisions',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    recommendationId: uuid('recommendation_id')
      .notNull()
      .references(() => dispatchRecommendations.id, { onDelete: 'cascade' }),
    workOrderId: uuid('work_order_id')
      .notNull()
      .references(() => workOrders.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: DISPATCH_DECISION_KINDS }).notNull(),
    actorId: uuid('actor_id').references(() => people.id),
    engineerId: uuid('engineer_id').references(() => people.id),
    previousEngineerId: uuid('previous_engineer_id').references(() => people.id),
    reason: text('reason'),
    note: text('note'),
    /** For overrides: the factor values of the recommended and the chosen engineer. */
    features: jsonb('features').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    index('dispatch_decisions_order').on(table.orgId, table.workOrderId, table.createdAt),
    index('dispatch_decisions_kind').on(table.orgId, table.kind, table.createdAt),
  ],
);
