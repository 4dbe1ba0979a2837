import { and, asc, eq, gt, isNull, lte, ne, or, sql } from 'drizzle-orm';
import { newId } from '../lib/ids.js';
import { type Executor, queryRows } from './db.js';
import type { Person } from './people.js';
import {
  dispatchDecisions,
  people,
  workOrderHandoffs,
  workOrderSlas,
  workOrders,
} from './schema/index.js';

/*
 * Queries that gather what the feedback rules look at: SLA deadlines, hand-offs, declines,
 * earlier orders on a device, the people around an engineer, and the rows of the measures.
 */

export type WorkOrderSla = typeof workOrderSlas.$inferSelect;
export type Handoff = typeof workOrderHandoffs.$inferSelect;

export async function insertSla(
  db: Executor,
  input: { orgId: string; workOrderId: string; respondBy: Date | null; resolveBy: Date | null },
): Promise<void> {
  await db.insert(workOrderSlas).values(input).onConflictDoNothing();
}

/**
 * Locks the SLA rows with a deadline passed by `now` that the job has not checked yet, with
 * their orders.
 */
export async function lockSlaCandidates(db: Executor, now: Date, limit: number) {
  return db
    .select({ sla: workOrderSlas, order: workOrders })
    .from(workOrderSlas)
    .innerJoin(workOrders, eq(workOrders.id, workOrderSlas.workOrderId))
    .where(
      or(
        and(isNull(workOrderSlas.respondCheckedAt), lte(workOrderSlas.respondBy, now)),
        and(isNull(workOrderSlas.resolveCheckedAt), lte(workOrderSlas.resolveBy, now)),
      ),
    )
    .orderBy(asc(workOrderSlas.workOrderId))
    .limit(limit)
    .for('update', { of: workOrderSlas });
}

/**
 * Marks SLA targets as checked after their deadline passed, breached or not, so that the job
 * looks at each once.
 */
export async function markSlaChecked(
  db: Executor,
  workOrderId: string,
  changes: { respondCheckedAt?: Date; resolveCheckedAt?: Date },
): Promise<void> {
  await db.update(workOrderSlas).set(changes).where(eq(workOrderSlas.workOrderId, workOrderId));
}

export type NewHandoff = Omit<typeof workOrderHandoffs.$inferInsert, 'id'>;

export async function insertHandoff(db: Executor, input: NewHandoff): Promise<Handoff | undefined> {
  const [row] = await db
    .insert(workOrderHandoffs)
    .values({ id: newId(), ...input })
    .onConflictDoNothing()
    .returning();
  return row;
}

export async function findHandoffByCode(
  db: Executor,
  orgId: string,
  code: string,
  lock = false,
): Promise<Handoff | undefined> {
  const query = db
    .select()
    .from(workOrderHandoffs)
    .where(and(eq(workOrderHandoffs.orgId, orgId), eq(workOrderHandoffs.code, code)));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

export async function updateHandoff(
  db: Executor,
  id: string,
  changes: Partial<typeof workOrderHandoffs.$inferInsert>,
): Promise<void> {
  await db.update(workOrderHandoffs).set(changes).where(eq(workOrderHandoffs.id, id));
}

/** Locks hand-offs whose accept-by time has passed and that were not yet handled. */
export async function lockDueHandoffs(db: Executor, now: Date, limit: number): Promise<Handoff[]> {
  return db
    .select()
    .from(workOrderHandoffs)
    .where(and(isNull(workOrderHandoffs.checkedAt), lte(workOrderHandoffs.acceptBy, now)))
    .orderBy(asc(workOrderHandoffs.acceptBy))
    .limit(limit)
    .for('update');
}

/** Lists the engineer's declined dispatches after `from`. */
export async function listDeclines(
  db: Executor,
  orgId: string,
  engineerId: string,
  from: Date,
): Promise<{ id: string; at: Date }[]> {
  return db
    .select({ id: dispatchDecisions.id, at: dispatchDecisions.createdAt })
    .from(dispatchDecisions)
    .where(
      and(
        eq(dispatchDecisions.orgId, orgId),
        eq(dispatchDecisions.engineerId, engineerId),
        eq(dispatchDecisions.kind, 'declined'),
        gt(dispatchDecisions.createdAt, from),
      ),
    );
}

/** Resolved orders on a device, other than `excludeId`, resolved after `from`. */
export async function listResolvedOnDevice(
  db: Executor,
  orgId: string,
  deviceId: string,
  excludeId: string,
  from: Date,
) {
  const rows = await db
    .select({
      id: workOrders.id,
      code: workOrders.code,
      engineerId: workOrders.assignedEngineerId,
      resolvedAt: workOrders.resolvedAt,
    })
    .from(workOrders)
    .where(
      and(
        eq(workOrders.orgId, orgId),
        eq(workOrders.deviceId, deviceId),
        ne(workOrders.id, excludeId),
        gt(workOrders.resolvedAt, from),
      ),
    );
  return rows.map((row) => ({ ...row, resolvedAt: row.resolvedAt as Date }));
}

/**
 * Finds the person's manager: their line manager, or else the first manager of their region
 * who is not themselves.
 */
export async function findManagerOf(
  db: Executor,
  person: Person | undefined,
): Promise<Person | undefined> {
  if (!person) return undefined;
  if (person.managerId) {
    const [manager] = await db
      .select()
      .from(people)
      .where(and(eq(people.orgId, person.orgId), eq(people.id, person.managerId)));
    if (manager) return manager;
  }
  if (!person.regionId) return undefined;
  const [areaManager] = await db
    .select()
    .from(people)
    .where(
      and(
        eq(people.orgId, person.orgId),
        eq(people.regionId, person.regionId),
        eq(people.role, 'manager'),
        ne(people.id, person.id),
      ),
    )
    .orderBy(asc(people.employeeNo))
    .limit(1);
  return areaManager;
}

/** Finds an organisation's first HR partner, who takes escalations of people with no manager. */
export async function findHrPartner(db: Executor, orgId: string): Promise<Person | undefined> {
  const [row] = await db
    .select()
    .from(people)
    .where(and(eq(people.orgId, orgId), eq(people.role, 'hr')))
    .orderBy(asc(people.employeeNo))
    .limit(1);
  return row;
}

export interface MeasureRow {
  team_id: string | null;
  event_key: string;
  occurred_at: Date | string;
  due_at: Date | string;
  status: string;
  submitted_at: Date | string | null;
  other_team_action_at: Date | string | null;
}

/**
 * Lists the requests of an organisation whose event happened in [from, to). Each row carries
 * the first action on its work order after the event by a person whose region differs from the
 * request's team.
 */
export async function listMeasureRows(
  db: Executor,
  orgId: string,
  window: { from: Date; to: Date },
): Promise<MeasureRow[]> {
  return queryRows<MeasureRow>(
    db,
    sql`select r.team_id, r.event_key, r.occurred_at, r.due_at, r.status, r.submitted_at,
          (select min(h.at) from work_order_history h join people a on a.id = h.actor_id
           where h.work_order_id = r.work_order_id and h.at >= r.occurred_at
             and a.region_id is distinct from r.team_id) as other_team_action_at
        from feedback_requests r
        where r.org_id = ${orgId}
          and r.occurred_at >= ${window.from.toISOString()}
          and r.occurred_at < ${window.to.toISOString()}`,
  );
}
