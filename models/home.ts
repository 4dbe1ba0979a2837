import { and, desc, eq, gt, inArray, like, notInArray, or, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { outbox, workOrders } from './schema/index.js';

export interface OpenOrder {
  code: string;
  faultType: string;
  status: string;
}

const ENGINEER_OPEN = ['offered', 'accepted', 'in_progress'] as const;

/**
 * Finds the open work orders a person should see first, with the total count: an engineer's
 * offered and assigned orders, or every unfinished order of a manager's region. Orders that
 * wait for a decision (unassigned, then offered) come first, then the newest.
 */
export async function findOpenOrders(
  db: Executor,
  orgId: string,
  person: { id: string; role: string; regionId: string | null },
  limit: number,
): Promise<{ total: number; orders: OpenOrder[] }> {
  let scope: ReturnType<typeof and>;
  if (person.role === 'manager' && person.regionId) {
    scope = and(
      eq(workOrders.regionId, person.regionId),
      notInArray(workOrders.status, ['resolved', 'cancelled']),
    );
  } else if (person.role === 'engineer') {
    scope = and(
      or(eq(workOrders.assignedEngineerId, person.id), eq(workOrders.offeredEngineerId, person.id)),
      inArray(workOrders.status, [...ENGINEER_OPEN]),
    );
  } else {
    return { total: 0, orders: [] };
  }
  const where = and(eq(workOrders.orgId, orgId), scope);
  const [counted] = await db
    .select({ total: sql<number>`count(*)::int` })
    .from(workOrders)
    .where(where);
  const orders = await db
    .select({ code: workOrders.code, faultType: workOrders.faultType, status: workOrders.status })
    .from(workOrders)
    .where(where)
    .orderBy(
      sql`case ${workOrders.status} when 'unassigned' then 0 when 'offered' then 1 else 2 end`,
      desc(workOrders.openedAt),
    )
    .limit(limit);
  return { total: Number(counted?.total ?? 0), orders };
}

/** Whether a card whose key starts with `prefix` was queued for the person after `since`. */
export async function cardQueuedSince(
  db: Executor,
  recipientId: string,
  prefix: string,
  since: Date,
): Promise<boolean> {
  const [row] = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.recipientId, recipientId),
        like(outbox.cardKey, `${prefix}%`),
        gt(outbox.createdAt, since),
      ),
    )
    .limit(1);
  return row !== undefined;
}
