import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { customers, organisations, people, regions } from './organisation.js';

export const WORK_ORDER_STATUSES = [
  'new',
  'offered',
  'accepted',
  'in_progress',
  'unassigned',
  'resolved',
  'cancelled',
] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];

export const workOrders = pgTable(
  'work_orders',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    /** The business system's id of the order. */
    code: text('code').notNull(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    regionId: uuid('region_id').references(() => regions.id),
    faultType: text('fault_type').notNull(),
    priority: text('priority', { enum: ['low', 'normal', 'high', 'urgent'] })
      .notNull()
      .default('normal'),
    description: text('description'),
    deviceId: text('device_id'),
    status: text('status', { enum: WORK_ORDER_STATUSES }).notNull().default('new'),
    /** Fine-grained field status reported by the business system (en_route, on_site, ...). */
    fieldStatus: text('field_status'),
    offeredEngineerId: uuid('offered_engineer_id').references(() => people.id),
    assignedEngineerId: uuid('assigned_engineer_id').references(() => people.id),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    reopenCount: integer('reopen_count').notNull().default(0),
    /** False once the order is reopened or a second visit is reported. */
    firstTimeFix: boolean('first_time_fix'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    uniqueIndex('work_orders_org_code').on(table.orgId, table.code),
    index('work_orders_engineer_status').on(table.orgId, table.assignedEngineerId, table.status),
    index('work_orders_offered_status').on(table.orgId, table.offeredEngineerId, table.status),
    // Covers the success-rate query of dispatch, so it reads the index alone.
    index('work_orders_fault_resolved').on(
      table.orgId,
      table.faultType,
      table.resolvedAt,
      table.assignedEngineerId,
      table.firstTimeFix,
    ),
    // Open orders are a small part of the history; dispatch counts them per engineer.
    index('work_orders_open')
      .on(table.orgId, table.status, table.offeredEngineerId, table.assignedEngineerId)
      .where(sql`${table.status} in ('offered', 'accepted', 'in_progress')`),
  ],
);

/** Every status change of a work order, in order, with the event that caused it. */
export const workOrderHistory = pgTable(
  'work_order_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    workOrderId: uuid('work_order_id')
      .notNull()
      .references(() => workOrders.id, { onDelete: 'cascade' }),
    status: text('status').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    actorId: uuid('actor_id').references(() => people.id),
    inboxId: bigint('inbox_id', { mode: 'number' }),
    note: text('note'),
  },
  (table) => [index('work_order_history_order').on(table.workOrderId, table.at)],
);

export const ratings = pgTable(
  'ratings',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    workOrderId: uuid('work_order_id')
      .notNull()
      .references(() => workOrders.id, { onDelete: 'cascade' }),
    engineerId: uuid('engineer_id').references(() => people.id),
    score: integer('score').notNull(),
    repurchaseIntent: integer('repurchase_intent'),
    comment: text('comment'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull(),
    extra: jsonb('extra').$type<Record<string, unknown>>(),
  },
  (table) => [
    uniqueIndex('ratings_org_code').on(table.orgId, table.code),
    index('ratings_engineer').on(table.orgId, table.engineerId, table.submittedAt),
  ],
);
