import { and, desc, eq, sql } from 'drizzle-orm';
import type { Candidate, EngineerSnapshot } from '../domain/dispatch/rank.js';
import { newId } from '../lib/ids.js';
import { type Executor, queryRows } from './db.js';
import { dispatchDecisions, dispatchRecommendations } from './schema/index.js';

export type Recommendation = typeof dispatchRecommendations.$inferSelect;
export type Decision = typeof dispatchDecisions.$inferSelect;

/** Work-order statuses that count against an engineer's capacity. */
export const OPEN_STATUSES = ['offered', 'accepted', 'in_progress'] as const;

interface SnapshotRow {
  id: string;
  name: string;
  level: number;
  certified: boolean;
  on_duty: boolean;
  on_leave: boolean;
  capacity: number;
  home_lat: number | null;
  home_lng: number | null;
  open_orders: number | string | null;
  jobs: number | string | null;
  successes: number | string | null;
}

export interface EngineerPool {
  engineers: EngineerSnapshot[];
  /** Jobs and first-time fixes of the fault type in the window, across all engineers. */
  totalJobs: number;
  totalSuccesses: number;
}

/**
 * Loads every engineer skilled in `faultType` with what dispatch scores them on: open orders,
 * and jobs of that fault type resolved in [from, to) with how many were fixed first time.
 * Engineers without the skill are counted in `unskilled` so a caller can explain an empty pool.
 */
export async function loadEngineerPool(
  db: Executor,
  orgId: string,
  faultType: string,
  window: { from: Date; to: Date },
): Promise<EngineerPool & { unskilled: number }> {
  const from = window.from.toISOString();
  const to = window.to.toISOString();
  const rows = await queryRows<SnapshotRow>(
    db,
    sql`with skilled as (
          select p.id, p.name, s.level, s.certified, p.on_duty, p.on_leave, p.capacity,
                 p.home_lat, p.home_lng
          from person_skills s join people p on p.id = s.person_id
          where s.org_id = ${orgId} and s.fault_type = ${faultType} and p.role = 'engineer'),
        open_orders as (
          select case when status = 'offered' then offered_engineer_id else assigned_engineer_id end
                   as engineer_id, count(*) as n
          from work_orders
          where org_id = ${orgId} and status in ('offered', 'accepted', 'in_progress')
          group by 1),
        recent as (
          select assigned_engineer_id as engineer_id, count(*) as jobs,
                 count(*) filter (where first_time_fix is not false) as successes
          from work_orders
          where org_id = ${orgId} and fault_type = ${faultType}
            and resolved_at >= ${from} and resolved_at < ${to} and status = 'resolved'
          group by 1)
        select k.*, o.n as open_orders, r.jobs, r.successes
        from skilled k
          left join open_orders o on o.engineer_id = k.id
          left join recent r on r.engineer_id = k.id
        union all
        select null, null, null, null, null, null, null, null, null, null,
               sum(jobs), sum(successes)
        from recent`,
  );
  const totals = rows.find((row) => row.id === null);
  const engineers: EngineerSnapshot[] = rows
    .filter((row) => row.id !== null)
    .map((row) => ({
      id: row.id,
      name: row.name,
      skillLevel: row.level,
      certified: row.certified,
      onDuty: row.on_duty,
      onLeave: row.on_leave,
      openOrders: Number(row.open_orders ?? 0),
      capacity: row.capacity,
      location:
        row.home_lat !== null && row.home_lng !== null
          ? { lat: row.home_lat, lng: row.home_lng }
          : undefined,
      recentJobs: Number(row.jobs ?? 0),
      recentSuccesses: Number(row.successes ?? 0),
    }));
  const [engineerCount] = await queryRows<{ n: number | string }>(
    db,
    sql`select count(*) as n from people where org_id = ${orgId} and role = 'engineer'`,
  );
  return {
    engineers,
    totalJobs: Number(totals?.jobs ?? 0),
    totalSuccesses: Number(totals?.successes ?? 0),
    unskilled: Number(engineerCount?.n ?? 0) - engineers.length,
  };
}

export type NewRecommendation = Omit<typeof dispatchRecommendations.$inferInsert, 'id'>;

export async function insertRecommendation(
  db: Executor,
  input: NewRecommendation,
): Promise<Recommendation> {
  const [row] = await db
    .insert(dispatchRecommendations)
    .values({ id: newId(), ...input })
    .returning();
  if (!row) throw new Error('recommendation insert returned no row');
  return row;
}

/** Loads a recommendation and locks it until the transaction ends, so decisions serialise. */
export async function lockRecommendation(
  db: Executor,
  orgId: string,
  id: string,
): Promise<Recommendation | undefined> {
  const [row] = await db
    .select()
    .from(dispatchRecommendations)
    .where(and(eq(dispatchRecommendations.orgId, orgId), eq(dispatchRecommendations.id, id)))
    .for('update');
  return row;
}

export async function latestRecommendationForOrder(
  db: Executor,
  orgId: string,
  workOrderId: string,
  lock = false,
): Promise<Recommendation | undefined> {
  const query = db
    .select()
    .from(dispatchRecommendations)
    .where(
      and(
        eq(dispatchRecommendations.orgId, orgId),
        eq(dispatchRecommendations.workOrderId, workOrderId),
      ),
    )
    .orderBy(desc(dispatchRecommendations.computedAt))
    .limit(1);
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

export async function updateRecommendation(
  db: Executor,
  id: string,
  changes: Partial<typeof dispatchRecommendations.$inferInsert>,
): Promise<Recommendation> {
  const [row] = await db
    .update(dispatchRecommendations)
    .set({ ...changes, version: sql`${dispatchRecommendations.version} + 1` })
    .where(eq(dispatchRecommendations.id, id))
    .returning();
  if (!row) throw new Error(`recommendation ${id} vanished during an update`);
  return row;
}

/**
 * Sets computed_at to the database's wall clock, as late in the transaction as possible, so
 * that computed_at minus event_received_at measures the dispatch latency.
 */
export async function stampRecommendationComputed(db: Executor, id: string): Promise<void> {
  await db
    .update(dispatchRecommendations)
    .set({ computedAt: sql`clock_timestamp()` })
    .where(eq(dispatchRecommendations.id, id));
}

export type NewDecision = Omit<typeof dispatchDecisions.$inferInsert, 'id'>;

export async function insertDecision(db: Executor, input: NewDecision): Promise<Decision> {
  const [row] = await db
    .insert(dispatchDecisions)
    .values({ id: newId(), ...input })
    .returning();
  if (!row) throw new Error('decision insert returned no row');
  return row;
}

export async function listDecisions(
  db: Executor,
  orgId: string,
  workOrderId: string,
): Promise<Decision[]> {
  return db
    .select()
    .from(dispatchDecisions)
    .where(and(eq(dispatchDecisions.orgId, orgId), eq(dispatchDecisions.workOrderId, workOrderId)))
    .orderBy(dispatchDecisions.createdAt, dispatchDecisions.id);
}

/** Candidates as stored in a recommendation row. */
export function candidatesOf(recommendation: Recommendation): Candidate[] {
  return recommendation.candidates as Candidate[];
}
