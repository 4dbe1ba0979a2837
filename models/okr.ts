import { and, asc, desc, eq, gte, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { MetricId, OrderAggregates, RatingAggregates } from '../domain/okr/metrics.js';
import { newId } from '../lib/ids.js';
import { type Executor, queryRows } from './db.js';
import {
  okrCheckinPrompts,
  okrCheckins,
  okrKeyResults,
  okrObjectives,
  okrProgressHistory,
  okrStrategies,
  okrWorkOrderLinks,
} from './schema/index.js';

export type Strategy = typeof okrStrategies.$inferSelect;
export type Objective = typeof okrObjectives.$inferSelect;
export type KeyResult = typeof okrKeyResults.$inferSelect;
export type Checkin = typeof okrCheckins.$inferSelect;

/** A key result with the fields of its objective that decide its scope and period. */
export interface ScopedKeyResult extends KeyResult {
  metric: MetricId;
  level: Objective['level'];
  objectiveTitle: string;
  objectiveOwnerId: string | null;
  regionId: string | null;
  strategyId: string;
  periodStart: string;
  periodEnd: string;
  /** The engineer whose work a person-level key result counts; null at other levels. */
  personId: string | null;
}

const scopedColumns = {
  keyResult: okrKeyResults,
  level: okrObjectives.level,
  objectiveTitle: okrObjectives.title,
  objectiveOwnerId: okrObjectives.ownerId,
  regionId: okrObjectives.regionId,
  strategyId: okrObjectives.strategyId,
  periodStart: okrObjectives.periodStart,
  periodEnd: okrObjectives.periodEnd,
};

type ScopedRow = {
  keyResult: KeyResult;
  level: Objective['level'];
  objectiveTitle: string;
  objectiveOwnerId: string | null;
  regionId: string | null;
  strategyId: string;
  periodStart: string;
  periodEnd: string;
};

function flatten(row: ScopedRow): ScopedKeyResult {
  const { keyResult, ...objective } = row;
  return {
    ...keyResult,
    ...objective,
    metric: keyResult.metric as MetricId,
    personId: objective.level === 'person' ? objective.objectiveOwnerId : null,
  };
}

/**
 * Lists the key results whose scope may contain work of `engineerId` in `regionId` and whose
 * period contains one of `days` (local dates): the engineer's own, the region's and the
 * company's. `lock` keeps their rows locked until the transaction ends, so two events that
 * move one key result recompute it one after the other.
 */
export async function findKeyResultsForWork(
  db: Executor,
  orgId: string,
  work: { engineerId: string | null; regionId: string | null; days: string[] },
  lock = false,
): Promise<ScopedKeyResult[]> {
  if (work.days.length === 0) return [];
  const scope = or(
    eq(okrObjectives.level, 'company'),
    work.regionId
      ? and(eq(okrObjectives.level, 'team'), eq(okrObjectives.regionId, work.regionId))
      : undefined,
    work.engineerId
      ? and(eq(okrObjectives.level, 'person'), eq(okrObjectives.ownerId, work.engineerId))
      : undefined,
  );
  const period = or(
    ...work.days.map((day) =>
      and(lte(okrObjectives.periodStart, day), gte(okrObjectives.periodEnd, day)),
    ),
  );
  const query = db
    .select(scopedColumns)
    .from(okrKeyResults)
    .innerJoin(okrObjectives, eq(okrObjectives.id, okrKeyResults.objectiveId))
    .where(and(eq(okrKeyResults.orgId, orgId), scope, period))
    .orderBy(asc(okrKeyResults.position), asc(okrKeyResults.id));
  const rows = lock ? await query.for('update', { of: okrKeyResults }) : await query;
  return rows.map(flatten);
}

/** Finds one key result with its objective's scope, optionally locking it. */
export async function findScopedKeyResult(
  db: Executor,
  orgId: string,
  id: string,
  lock = false,
): Promise<ScopedKeyResult | undefined> {
  const query = db
    .select(scopedColumns)
    .from(okrKeyResults)
    .innerJoin(okrObjectives, eq(okrObjectives.id, okrKeyResults.objectiveId))
    .where(and(eq(okrKeyResults.orgId, orgId), eq(okrKeyResults.id, id)));
  const [row] = lock ? await query.for('update', { of: okrKeyResults }) : await query;
  return row ? flatten(row) : undefined;
}

/** Lists the organisation's key results whose period contains `day`, with an owner. */
export async function findOwnedKeyResultsActiveOn(
  db: Executor,
  orgId: string,
  day: string,
): Promise<ScopedKeyResult[]> {
  const rows = await db
    .select(scopedColumns)
    .from(okrKeyResults)
    .innerJoin(okrObjectives, eq(okrObjectives.id, okrKeyResults.objectiveId))
    .where(
      and(
        eq(okrKeyResults.orgId, orgId),
        lte(okrObjectives.periodStart, day),
        gte(okrObjectives.periodEnd, day),
        sql`${okrKeyResults.ownerId} is not null`,
      ),
    )
    .orderBy(asc(okrKeyResults.ownerId), asc(okrKeyResults.position));
  return rows.map(flatten);
}

/** Every key result of an organisation with its scope, for roll-ups and the demo seed. */
export async function listScopedKeyResults(
  db: Executor,
  orgId: string,
): Promise<ScopedKeyResult[]> {
  const rows = await db
    .select(scopedColumns)
    .from(okrKeyResults)
    .innerJoin(okrObjectives, eq(okrObjectives.id, okrKeyResults.objectiveId))
    .where(eq(okrKeyResults.orgId, orgId))
    .orderBy(asc(okrKeyResults.position), asc(okrKeyResults.id));
  return rows.map(flatten);
}

/** The part of the work-order table a key result counts. */
export interface WorkScope {
  orgId: string;
  level: Objective['level'];
  engineerId: string | null;
  regionId: string | null;
  faultType?: string | undefined;
  from: Date;
  to: Date;
}

function orderScopeSql(scope: WorkScope, engineerColumn: ReturnType<typeof sql>) {
  const parts = [sql`o.org_id = ${scope.orgId}`];
  if (scope.level === 'person') parts.push(sql`${engineerColumn} = ${scope.engineerId}`);
  if (scope.level === 'team') parts.push(sql`o.region_id = ${scope.regionId}`);
  if (scope.faultType) parts.push(sql`o.fault_type = ${scope.faultType}`);
  return sql.join(parts, sql` and `);
}

/** Counts the orders resolved in the scope and period, with first-time fixes and hours. */
export async function orderAggregates(db: Executor, scope: WorkScope): Promise<OrderAggregates> {
  const [row] = await queryRows<{
    resolved: number | string;
    ftf: number | string;
    hours: number | string | null;
  }>(
    db,
    sql`select count(*) as resolved,
          count(*) filter (where o.first_time_fix) as ftf,
          sum(extract(epoch from (o.resolved_at - o.opened_at))) / 3600.0 as hours
        from work_orders o
        where ${orderScopeSql(scope, sql`o.assigned_engineer_id`)}
          and o.status = 'resolved'
          and o.resolved_at >= ${scope.from.toISOString()} and o.resolved_at < ${scope.to.toISOString()}`,
  );
  return {
    resolved: Number(row?.resolved ?? 0),
    firstTimeFixes: Number(row?.ftf ?? 0),
    resolutionHours: Number(row?.hours ?? 0),
  };
}

/** Sums the ratings submitted in the scope and period; a person's are those naming them. */
export async function ratingAggregates(db: Executor, scope: WorkScope): Promise<RatingAggregates> {
  const [row] = await queryRows<{
    n: number | string;
    score: number | string | null;
    intents: number | string;
    intent: number | string | null;
  }>(
    db,
    sql`select count(*) as n, sum(r.score) as score,
          count(r.repurchase_intent) as intents, sum(r.repurchase_intent) as intent
        from ratings r join work_orders o on o.id = r.work_order_id
        where ${orderScopeSql(scope, sql`r.engineer_id`)}
          and r.submitted_at >= ${scope.from.toISOString()} and r.submitted_at < ${scope.to.toISOString()}`,
  );
  return {
    count: Number(row?.n ?? 0),
    scoreSum: Number(row?.score ?? 0),
    intentCount: Number(row?.intents ?? 0),
    intentSum: Number(row?.intent ?? 0),
  };
}

/** Counts the structured feedback given and submitted in the scope and period. */
export async function feedbackCompleted(db: Executor, scope: WorkScope): Promise<number> {
  const parts = [
    sql`f.org_id = ${scope.orgId}`,
    sql`f.status = 'submitted'`,
    sql`f.submitted_at >= ${scope.from.toISOString()}`,
    sql`f.submitted_at < ${scope.to.toISOString()}`,
  ];
  if (scope.level === 'person') parts.push(sql`f.giver_id = ${scope.engineerId}`);
  if (scope.level === 'team') parts.push(sql`f.team_id = ${scope.regionId}`);
  const [row] = await queryRows<{ n: number | string }>(
    db,
    sql`select count(*) as n from feedback_requests f where ${sql.join(parts, sql` and `)}`,
  );
  return Number(row?.n ?? 0);
}

/** The last value entered by hand on a manual key result, from its history. */
export async function lastManualValue(db: Executor, keyResultId: string): Promise<number | null> {
  const [row] = await db
    .select({ value: okrProgressHistory.value })
    .from(okrProgressHistory)
    .where(
      and(eq(okrProgressHistory.keyResultId, keyResultId), eq(okrProgressHistory.cause, 'manual')),
    )
    .orderBy(desc(okrProgressHistory.id))
    .limit(1);
  return row?.value ?? null;
}

export interface ValueChange {
  keyResultId: string;
  orgId: string;
  value: number | null;
  progress: number;
  cause: string;
  at: Date;
  workOrderId?: string | null;
  inboxId?: number | null;
}

/** Stores a key result's new value and appends it to the history. */
export async function storeKeyResultValue(db: Executor, change: ValueChange): Promise<void> {
  await db
    .update(okrKeyResults)
    .set({ current: change.value, progress: change.progress, computedAt: change.at })
    .where(eq(okrKeyResults.id, change.keyResultId));
  await db.insert(okrProgressHistory).values({
    orgId: change.orgId,
    keyResultId: change.keyResultId,
    value: change.value,
    progress: change.progress,
    cause: change.cause,
    workOrderId: change.workOrderId ?? null,
    inboxId: change.inboxId ?? null,
    at: change.at,
  });
}

/** Records that a work order moved these key results; a repeated link is kept once. */
export async function linkWorkOrder(
  db: Executor,
  rows: (typeof okrWorkOrderLinks.$inferInsert)[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(okrWorkOrderLinks).values(rows).onConflictDoNothing();
}

export async function listStrategies(db: Executor, orgId: string): Promise<Strategy[]> {
  return db
    .select()
    .from(okrStrategies)
    .where(eq(okrStrategies.orgId, orgId))
    .orderBy(asc(okrStrategies.position));
}

/** Lists objectives of the given levels whose period contains `day`. */
export async function listObjectivesActiveOn(
  db: Executor,
  orgId: string,
  day: string,
): Promise<Objective[]> {
  return db
    .select()
    .from(okrObjectives)
    .where(
      and(
        eq(okrObjectives.orgId, orgId),
        lte(okrObjectives.periodStart, day),
        gte(okrObjectives.periodEnd, day),
      ),
    )
    .orderBy(asc(okrObjectives.level), asc(okrObjectives.createdAt), asc(okrObjectives.id));
}

export async function listKeyResultsOf(db: Executor, objectiveIds: string[]): Promise<KeyResult[]> {
  if (objectiveIds.length === 0) return [];
  return db
    .select()
    .from(okrKeyResults)
    .where(inArray(okrKeyResults.objectiveId, objectiveIds))
    .orderBy(asc(okrKeyResults.position), asc(okrKeyResults.id));
}

export async function listHistory(db: Executor, keyResultId: string, limit = 200) {
  const rows = await db
    .select()
    .from(okrProgressHistory)
    .where(eq(okrProgressHistory.keyResultId, keyResultId))
    .orderBy(desc(okrProgressHistory.at), desc(okrProgressHistory.id))
    .limit(limit);
  return rows.reverse();
}

export async function listCheckins(
  db: Executor,
  keyResultId: string,
  limit = 50,
): Promise<Checkin[]> {
  return db
    .select()
    .from(okrCheckins)
    .where(eq(okrCheckins.keyResultId, keyResultId))
    .orderBy(desc(okrCheckins.createdAt))
    .limit(limit);
}

export async function insertCheckin(
  db: Executor,
  input: Omit<typeof okrCheckins.$inferInsert, 'id'>,
): Promise<Checkin> {
  const [row] = await db
    .insert(okrCheckins)
    .values({ id: newId(), ...input })
    .returning();
  if (!row) throw new Error('check-in insert returned no row');
  return row;
}

/**
 * Records that the check-in card of a key result and week goes out. Returns false when it was
 * sent before, so a repeated weekly run sends nothing twice.
 */
export async function claimCheckinPrompt(
  db: Executor,
  input: typeof okrCheckinPrompts.$inferInsert,
): Promise<boolean> {
  const rows = await db
    .insert(okrCheckinPrompts)
    .values(input)
    .onConflictDoNothing()
    .returning({ keyResultId: okrCheckinPrompts.keyResultId });
  return rows.length > 0;
}

/** Marks a week's prompt answered; returns false when it was answered already or never sent. */
export async function answerCheckinPrompt(
  db: Executor,
  keyResultId: string,
  week: string,
  at: Date,
): Promise<boolean> {
  const rows = await db
    .update(okrCheckinPrompts)
    .set({ answeredAt: at })
    .where(
      and(
        eq(okrCheckinPrompts.keyResultId, keyResultId),
        eq(okrCheckinPrompts.week, week),
        isNull(okrCheckinPrompts.answeredAt),
      ),
    )
    .returning({ keyResultId: okrCheckinPrompts.keyResultId });
  return rows.length > 0;
}

/** Work orders an engineer's work linked to key results since `from`, with their strategy. */
export async function listLinkedWork(
  db: Executor,
  orgId: string,
  engineerId: string,
  from: Date,
  to: Date,
) {
  return queryRows<{
    work_order_id: string;
    code: string;
    fault_type: string;
    status: string;
    resolved_at: Date | string | null;
    key_result_id: string;
    key_result_title: string;
    strategy_id: string;
    linked_at: Date | string;
  }>(
    db,
    sql`select l.work_order_id, o.code, o.fault_type, o.status, o.resolved_at,
          l.key_result_id, k.title as key_result_title, l.strategy_id, l.linked_at
        from okr_work_order_links l
        join work_orders o on o.id = l.work_order_id
        join okr_key_results k on k.id = l.key_result_id
        where l.org_id = ${orgId} and l.engineer_id = ${engineerId}
          and l.linked_at >= ${from.toISOString()} and l.linked_at < ${to.toISOString()}
        order by l.linked_at desc, o.code`,
  );
}
