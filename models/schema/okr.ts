import { sql } from 'drizzle-orm';
import {
  bigserial,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { organisations, people, regions } from './organisation.js';
import { workOrders } from './work.js';

/** A company strategy; an organisation has at most three, in `position` order 1-3. */
export const okrStrategies = pgTable(
  'okr_strategies',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (table) => [uniqueIndex('okr_strategies_org_position').on(table.orgId, table.position)],
);

export const OBJECTIVE_LEVELS = ['company', 'team', 'person'] as const;

/**
 * An objective at company, team (region) or person level. Every objective but a company one
 * aligns to a parent; `strategy_id` is the strategy at the top of its chain, copied down so a
 * work order traces to its strategy in one join.
 */
export const okrObjectives = pgTable(
  'okr_objectives',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    level: text('level', { enum: OBJECTIVE_LEVELS }).notNull(),
    title: text('title').notNull(),
    parentId: uuid('parent_id'),
    strategyId: uuid('strategy_id')
      .notNull()
      .references(() => okrStrategies.id),
    /** The region of a team objective. */
    regionId: uuid('region_id').references(() => regions.id),
    /** The person responsible; required for person objectives. */
    ownerId: uuid('owner_id').references(() => people.id),
    /** First day of the period, in the organisation's time zone. */
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    /** Last day of the period, inclusive. */
    periodEnd: date('period_end', { mode: 'string' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    index('okr_objectives_org_level').on(table.orgId, table.level),
    index('okr_objectives_owner').on(table.orgId, table.ownerId),
    index('okr_objectives_parent').on(table.parentId),
  ],
);

/**
 * A key result: a target for one metric over the objective's scope and period. `current` and
 * `progress` are recomputed in the transaction of every event that changes the metric.
 */
export const okrKeyResults = pgTable(
  'okr_key_results',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    objectiveId: uuid('objective_id')
      .notNull()
      .references(() => okrObjectives.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    /** One of the metric ids of domain/okr/metrics.ts, such as first_time_fix_rate. */
    metric: text('metric').notNull(),
    /** Metric parameters, such as { faultType: 'ct_tube' } for orders_resolved. */
    params: jsonb('params').$type<Record<string, string>>().notNull().default({}),
    baseline: doublePrecision('baseline').notNull().default(0),
    target: doublePrecision('target').notNull(),
    /** The metric's latest value; null while the scope has no data (no rated order, say). */
    current: doublePrecision('current'),
    /** Share of the way from baseline to target, 0-1. */
    progress: doublePrecision('progress').notNull().default(0),
    /** Weight in the objective's progress. */
    weight: doublePrecision('weight').notNull().default(1),
    /** Owner of the key result; gets the weekly check-in card. */
    ownerId: uuid('owner_id').references(() => people.id),
    position: integer('position').notNull().default(0),
    computedAt: timestamp('computed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    index('okr_key_results_objective').on(table.objectiveId, table.position),
    index('okr_key_results_org_metric').on(table.orgId, table.metric),
  ],
);

/** Every change of a key result's value, for the history chart. */
export const okrProgressHistory = pgTable(
  'okr_progress_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    keyResultId: uuid('key_result_id')
      .notNull()
      .references(() => okrKeyResults.id, { onDelete: 'cascade' }),
    value: doublePrecision('value'),
    progress: doublePrecision('progress').notNull(),
    /** What caused the change: an event type, seed, manual or checkin. */
    cause: text('cause').notNull(),
    workOrderId: uuid('work_order_id').references(() => workOrders.id, { onDelete: 'set null' }),
    inboxId: integer('inbox_id'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (table) => [index('okr_progress_history_kr').on(table.keyResultId, table.at)],
);

/** Which key results a work order moved, so each order traces to its strategy. */
export const okrWorkOrderLinks = pgTable(
  'okr_work_order_links',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    workOrderId: uuid('work_order_id')
      .notNull()
      .references(() => workOrders.id, { onDelete: 'cascade' }),
    keyResultId: uuid('key_result_id')
      .notNull()
      .references(() => okrKeyResults.id, { onDelete: 'cascade' }),
    strategyId: uuid('strategy_id')
      .notNull()
      .references(() => okrStrategies.id),
    /** The engineer whose work it was, when known. */
    engineerId: uuid('engineer_id').references(() => people.id),
    linkedAt: timestamp('linked_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.workOrderId, table.keyResultId] }),
    index('okr_work_order_links_engineer').on(table.orgId, table.engineerId, table.linkedAt),
  ],
);

/** A check-in on a key result: the owner's confidence (1-5) and a comment. */
export const okrCheckins = pgTable(
  'okr_checkins',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    keyResultId: uuid('key_result_id')
      .notNull()
      .references(() => okrKeyResults.id, { onDelete: 'cascade' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id),
    /** Monday of the ISO week, in the organisation's time zone. */
    week: date('week', { mode: 'string' }).notNull(),
    confidence: integer('confidence').notNull(),
    comment: text('comment'),
    /** The key result's value when the check-in was made. */
    value: doublePrecision('value'),
    /** Where it was made: chat or miniapp. */
    via: text('via').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('okr_checkins_kr').on(table.keyResultId, table.createdAt)],
);

/**
 * The weekly check-in cards sent, one per key result and week, so that a repeated run of the
 * weekly job sends nothing twice.
 */
export const okrCheckinPrompts = pgTable(
  'okr_checkin_prompts',
  {
    keyResultId: uuid('key_result_id')
      .notNull()
      .references(() => okrKeyResults.id, { onDelete: 'cascade' }),
    week: date('week', { mode: 'string' }).notNull(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
  },
  (table) => [
    primaryKey({ columns: [table.keyResultId, table.week] }),
    index('okr_checkin_prompts_open')
      .on(table.orgId, table.week)
      .where(sql`${table.answeredAt} is null`),
  ],
);
