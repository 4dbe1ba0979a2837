import { and, desc, eq, sql } from 'drizzle-orm';
import type { Candidate, EngineerSnapshot } from '../domain/dispatch/rank.js';
import type { LatLng } from '../domain/geo.js';
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
  level: number | null;
  certified: boolean | null;
  on_duty: boolean;
  on_leave: boolean;
  capacity: number;
  home_lat: number | null;
  home_lng: number | null;
  open_orders: number | string | null;
  jobs: number | string | null;
  successes: number | string | null;
}

function toSnapshot(row: SnapshotRow): EngineerSnapshot {
  return {
    id: row.id,
    name: row.name,
    skillLevel: row.level ?? undefined,
    certified: row.certified ?? false,
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
  };
}

/**
 * Loads every engineer of a region, skilled in `faultType` or not, with their open orders and
 * recent results on it: the people a manager may still assign by hand.
 */
export async function loadRegionEngineers(
  db: Executor,
  orgId: string,
  regionId: string,
  faultType: string,
  window: { from: Date; to: Date },
): Promise<EngineerSnapshot[]> {
  const rows = await queryRows<SnapshotRow>(
    db,
    sql`select p.id, p.name, s.level, s.certified, p.on_duty, p.on_leave, p.capacity,
          p.home_lat, p.home_lng,
          (select count(*) from work_orders w
            where w.org_id = ${orgId} and (
              (w.assigned_engineer_id = p.id and w.status in ('accepted', 'in_progress'))
              or (w.offered_engineer_id = p.id and w.status = 'offered'))) as open_orders,
          (select count(*) from work_orders w
            where w.org_id = ${orgId} and w.assigned_engineer_id = p.id
              and w.fault_type = ${faultType}
              and w.resolved_at >= ${window.from.toISOString()}
              and w.resolved_at < ${window.to.toISOString()}) as jobs,
          (select count(*) from work_orders w
            where w.org_id = ${orgId} and w.assigned_engineer_id = p.id
              and w.fault_type = ${faultType} and w.first_time_fix is not false
              and w.resolved_at >= ${window.from.toISOString()}
              and w.resolved_at < ${window.to.toISOString()}) as successes
        from people p
          left join person_skills s on s.person_id = p.id and s.fault_type = ${faultType}
        where p.org_id = ${orgId} and p.region_id = ${regionId} and p.role = 'engineer'
        order by p.employee_no`,
  );
  return rows.map(toSnapshot);
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
 * Only resolved orders have a resolved_at (a reopened order loses it), so the window alone
 * selects them.
 */
export async function loadEngineerPool(
  db: Executor,
  orgId: string,
  faultType: string,
  window: { from: Date; to: Date },
  near?: { site: LatLng; radiusKm: number },
): Promise<EngineerPool> {
  const from = window.from.toISOString();
  const to = window.to.toISOString();
  // Open orders are counted only inside a box around the site that contains the whole radius;
  // engineers outside it are too far to be proposed, so their load does not matter.
  const box = near ? boundingBox(near.site, near.radiusKm) : undefined;
  const inBox = box
    ? sql`(k.home_lat is null or k.home_lng is null or (k.home_lat between ${box.minLat} and ${box.maxLat}
          and k.home_lng between ${box.minLng} and ${box.maxLng}))`
    : sql`true`;
  const rows = await queryRows<SnapshotRow>(
    db,
    sql`with skilled as (
          select p.id, p.name, s.level, s.certified, p.on_duty, p.on_leave, p.capacity,
                 p.home_lat, p.home_lng
          from person_skills s join people p on p.id = s.person_id
          where s.org_id = ${orgId} and s.fault_type = ${faultType} and p.role = 'engineer'),
        recent as (
          select assigned_engineer_id as engineer_id, count(*) as jobs,
                 count(*) filter (where first_time_fix is not false) as successes
          from work_orders
          where org_id = ${orgId} and fault_type = ${faultType}
            and resolved_at >= ${from} and resolved_at < ${to}
          group by 1)
        select k.*,
          case when ${inBox} then
            (select count(*) from work_orders w
              where w.org_id = ${orgId} and w.assigned_engineer_id = k.id
                and w.status in ('accepted', 'in_progress'))
            + (select count(*) from work_orders w
              where w.org_id = ${orgId} and w.offered_engineer_id = k.id and w.status = 'offered')
          end as open_orders,
          r.jobs, r.successes
        from skilled k
          left join recent r on r.engineer_id = k.id
        union all
        select null, null, null, null, null, null, null, null, null, null,
               sum(jobs), sum(successes)
        from recent`,
  );
  const totals = rows.find((row) => row.id === null);
  const engineers = rows.filter((row) => row.id !== null).map(toSnapshot);
  return {
    engineers,
    totalJobs: Number(totals?.jobs ?? 0),
    totalSuccesses: Number(totals?.successes ?? 0),
  };
}

/** Latitude and longitude bounds that contain every point within `radiusKm` of `center`. */
export function boundingBox(center: LatLng, radiusKm: number) {
  const dLat = radiusKm / 110.574;
  const cosLat = Math.max(
    0.01,
    Math.cos((Math.min(89, Math.abs(center.lat) + dLat) * Math.PI) / 180),
  );
  const dLng = radiusKm / (111.32 * cosLat);
  return {
    minLat: center.lat - dLat,
    maxLat: center.lat + dLat,
    minLng: center.lng - dLng,
    maxLng: center.lng + dLng,
  };
}

/** Number of engineers of the organisation, to explain a fault type that few are skilled in. */
export async function countEngineers(db: Executor, orgId: string): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(
    db,
    sql`select count(*) as n from people where org_id = ${orgId} and role = 'engineer'`,
  );
  return Number(row?.n ?? 0);
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
