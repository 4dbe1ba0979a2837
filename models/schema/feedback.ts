import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
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

/** An organisation's changes to the default settings of a feedback rule. */
export const feedbackRuleSettings = pgTable(
  'feedback_rule_settings',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    /** The rule kind, such as low_rating. */
    rule: text('rule').notNull(),
    enabled: boolean('enabled'),
    threshold: doublePrecision('threshold'),
    giver: text('giver'),
    receiver: text('receiver'),
    dueHours: doublePrecision('due_hours'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.orgId, table.rule] })],
);

/**
 * A request for one person to give structured feedback to another about one event. The unique
 * key makes a redelivered event, or a rule evaluated twice, produce one request.
 */
export const feedbackRequests = pgTable(
  'feedback_requests',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    rule: text('rule').notNull(),
    /** The triggering event, such as rating:<rating id>. */
    eventKey: text('event_key').notNull(),
    giverId: uuid('giver_id')
      .notNull()
      .references(() => people.id),
    receiverId: uuid('receiver_id')
      .notNull()
      .references(() => people.id),
    workOrderId: uuid('work_order_id').references(() => workOrders.id, { onDelete: 'set null' }),
    /** The team the measures count the request under. */
    teamId: uuid('team_id').references(() => regions.id),
    /** Facts of the event that the cards show: order code, score, comment and the like. */
    facts: jsonb('facts').$type<Record<string, string | number>>().notNull(),
    status: text('status', {
      enum: ['requested', 'sent', 'reminded', 'submitted', 'expired'],
    }).notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    reminded24At: timestamp('reminded_24_at', { withTimezone: true }),
    reminded4At: timestamp('reminded_4_at', { withTimezone: true }),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    /** Quick assessment the giver chose before writing the form, such as improve. */
    assessment: text('assessment'),
    assessedAt: timestamp('assessed_at', { withTimezone: true }),
    /** Channel the giver submitted through: sandbox, wecom, feishu or miniapp. */
    submittedVia: text('submitted_via'),
    expiredAt: timestamp('expired_at', { withTimezone: true }),
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
    escalatedToId: uuid('escalated_to_id').references(() => people.id),
    /**
     * Random token in the giver's mini-app link, which is the giver's credential for the form
     * until the mini-app has its own sessions. The cards that carry the link store it as well.
     */
    formToken: text('form_token').notNull(),
  },
  (table) => [
    uniqueIndex('feedback_requests_event_pair').on(
      table.orgId,
      table.eventKey,
      table.giverId,
      table.receiverId,
    ),
    index('feedback_requests_open_due')
      .on(table.dueAt)
      .where(sql`${table.status} in ('requested', 'sent', 'reminded')`),
    index('feedback_requests_org_occurred').on(table.orgId, table.occurredAt),
    index('feedback_requests_giver').on(table.giverId, table.status),
  ],
);

/**
 * A person's development record: every submitted feedback they received, kept for the
 * mini-app. `source_id` is the feedback request, so a record is written once.
 */
export const developmentRecords = pgTable(
  'development_records',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id),
    kind: text('kind').notNull(),
    sourceId: uuid('source_id').notNull(),
    giverId: uuid('giver_id').references(() => people.id),
    rule: text('rule'),
    workOrderId: uuid('work_order_id').references(() => workOrders.id, { onDelete: 'set null' }),
    fact: text('fact').notNull(),
    impact: text('impact').notNull(),
    suggestion: text('suggestion').notNull(),
    assessment: text('assessment'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    uniqueIndex('development_records_source').on(table.kind, table.sourceId),
    index('development_records_person').on(table.personId, table.recordedAt),
  ],
);

/** Service-level deadlines of a work order, and when the SLA job checked each one after it passed. */
export const workOrderSlas = pgTable(
  'work_order_slas',
  {
    workOrderId: uuid('work_order_id')
      .primaryKey()
      .references(() => workOrders.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    respondBy: timestamp('respond_by', { withTimezone: true }),
    resolveBy: timestamp('resolve_by', { withTimezone: true }),
    respondCheckedAt: timestamp('respond_checked_at', { withTimezone: true }),
    resolveCheckedAt: timestamp('resolve_checked_at', { withTimezone: true }),
  },
  (table) => [index('work_order_slas_org').on(table.orgId)],
);

/** A work order handed from one team (region) to another, and whether it was accepted in time. */
export const workOrderHandoffs = pgTable(
  'work_order_handoffs',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    /** The business system's id of the hand-off. */
    code: text('code').notNull(),
    workOrderId: uuid('work_order_id')
      .notNull()
      .references(() => workOrders.id, { onDelete: 'cascade' }),
    fromRegionId: uuid('from_region_id')
      .notNull()
      .references(() => regions.id),
    toRegionId: uuid('to_region_id')
      .notNull()
      .references(() => regions.id),
    requestedById: uuid('requested_by_id')
      .notNull()
      .references(() => people.id),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
    acceptBy: timestamp('accept_by', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    acceptedById: uuid('accepted_by_id').references(() => people.id),
    /** When the hand-off job checked it after its accept-by time. */
    checkedAt: timestamp('checked_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('work_order_handoffs_org_code').on(table.orgId, table.code),
    index('work_order_handoffs_pending').on(table.acceptBy).where(sql`${table.checkedAt} is null`),
  ],
);

/**
 * One row per fire of a scheduled job, inserted in the job's own transaction: the unique key
 * lets exactly one instance run each fire.
 */
export const jobRuns = pgTable(
  'job_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    job: text('job').notNull(),
    fireTime: timestamp('fire_time', { withTimezone: true }).notNull(),
    /** cron or manual. */
    trigger: text('trigger').notNull(),
    instance: text('instance').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    result: jsonb('result').$type<Record<string, unknown>>(),
    durationMs: integer('duration_ms'),
  },
  (table) => [uniqueIndex('job_runs_job_fire').on(table.job, table.fireTime)],
);
