import { sql } from 'drizzle-orm';
import {
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

export const organisations = pgTable('organisations', {
  id: uuid('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  timezone: text('timezone').notNull().default('Asia/Shanghai'),
  locale: text('locale').notNull().default('zh-CN'),
  /** Dispatch factor weights; see domain/dispatch for the keys. */
  dispatchWeights: jsonb('dispatch_weights').$type<Record<string, number>>(),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const regions = pgTable(
  'regions',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    name: text('name').notNull(),
  },
  (table) => [uniqueIndex('regions_org_code').on(table.orgId, table.code)],
);

export const people = pgTable(
  'people',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    employeeNo: text('employee_no').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ['engineer', 'manager', 'hr'] }).notNull(),
    regionId: uuid('region_id').references(() => regions.id),
    team: text('team'),
    managerId: uuid('manager_id'),
    mentorId: uuid('mentor_id'),
    isMentor: boolean('is_mentor').notNull().default(false),
    homeLat: doublePrecision('home_lat'),
    homeLng: doublePrecision('home_lng'),
    /** Maximum number of open work orders the engineer takes at once. */
    capacity: integer('capacity').notNull().default(5),
    onDuty: boolean('on_duty').notNull().default(true),
    onLeave: boolean('on_leave').notNull().default(false),
    wecomUserId: text('wecom_user_id'),
    feishuOpenId: text('feishu_open_id'),
    feishuUserId: text('feishu_user_id'),
    locale: text('locale'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('people_org_employee_no').on(table.orgId, table.employeeNo),
    uniqueIndex('people_org_wecom').on(table.orgId, table.wecomUserId),
    uniqueIndex('people_org_feishu_open').on(table.orgId, table.feishuOpenId),
    uniqueIndex('people_org_feishu_user').on(table.orgId, table.feishuUserId),
    index('people_org_region_role').on(table.orgId, table.regionId, table.role),
  ],
);

export const personSkills = pgTable(
  'person_skills',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    faultType: text('fault_type').notNull(),
    /** 1 (trained) to 5 (expert). */
    level: integer('level').notNull().default(3),
    certified: boolean('certified').notNull().default(false),
  },
  (table) => [
    primaryKey({ columns: [table.personId, table.faultType] }),
    index('person_skills_org_fault').on(table.orgId, table.faultType),
  ],
);

export const customers = pgTable(
  'customers',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    name: text('name').notNull(),
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    regionId: uuid('region_id').references(() => regions.id),
    address: text('address'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().default(sql`now()`),
  },
  (table) => [uniqueIndex('customers_org_code').on(table.orgId, table.code)],
);
