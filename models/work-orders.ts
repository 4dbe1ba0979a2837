import { and, eq, sql } from 'drizzle-orm';
import { newId } from '../lib/ids.js';
import type { Executor } from './db.js';
import { customers, ratings, regions, workOrderHistory, workOrders } from './schema/index.js';

export type WorkOrder = typeof workOrders.$inferSelect;
export type Customer = typeof customers.$inferSelect;
export type Rating = typeof ratings.$inferSelect;

/** Returns the id of the region with this code, creating the region on first sight. */
export async function ensureRegion(db: Executor, orgId: string, code: string): Promise<string> {
  const [existing] = await db
    .select({ id: regions.id })
    .from(regions)
    .where(and(eq(regions.orgId, orgId), eq(regions.code, code)));
  if (existing) return existing.id;
  const [inserted] = await db
    .insert(regions)
    .values({ id: newId(), orgId, code, name: code })
    .onConflictDoUpdate({ target: [regions.orgId, regions.code], set: { code } })
    .returning({ id: regions.id });
  if (!inserted) throw new Error(`region ${code} could not be stored`);
  return inserted.id;
}

export interface CustomerInput {
  code: string;
  name: string;
  lat: number;
  lng: number;
  regionId: string;
  address?: string | undefined;
}

/** Stores a customer, or refreshes its name, site and region from newer data. */
export async function upsertCustomer(
  db: Executor,
  orgId: string,
  input: CustomerInput,
  now: Date,
): Promise<Customer> {
  const values = {
    name: input.name,
    lat: input.lat,
    lng: input.lng,
    regionId: input.regionId,
    address: input.address ?? null,
    updatedAt: now,
  };
  const [row] = await db
    .insert(customers)
    .values({ id: newId(), orgId, code: input.code, ...values })
    .onConflictDoUpdate({ target: [customers.orgId, customers.code], set: values })
    .returning();
  if (!row) throw new Error(`customer ${input.code} could not be stored`);
  return row;
}

export type NewWorkOrder = Omit<typeof workOrders.$inferInsert, 'id' | 'orgId'>;

/** Inserts a work order; returns undefined when one with the same code exists. */
export async function insertWorkOrder(
  db: Executor,
  orgId: string,
  input: NewWorkOrder,
): Promise<WorkOrder | undefined> {
  const [row] = await db
    .insert(workOrders)
    .values({ id: newId(), orgId, ...input })
    .onConflictDoNothing()
    .returning();
  return row;
}

/** Finds a work order by its business code; `lock` holds a row lock until the transaction ends. */
export async function findWorkOrderByCode(
  db: Executor,
  orgId: string,
  code: string,
  lock = false,
): Promise<WorkOrder | undefined> {
  const query = db
    .select()
    .from(workOrders)
    .where(and(eq(workOrders.orgId, orgId), eq(workOrders.code, code)));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

export async function findWorkOrder(
  db: Executor,
  orgId: string,
  id: string,
  lock = false,
): Promise<WorkOrder | undefined> {
  const query = db
    .select()
    .from(workOrders)
    .where(and(eq(workOrders.orgId, orgId), eq(workOrders.id, id)));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

export async function updateWorkOrder(
  db: Executor,
  id: string,
  changes: Partial<typeof workOrders.$inferInsert>,
): Promise<WorkOrder> {
  const [row] = await db.update(workOrders).set(changes).where(eq(workOrders.id, id)).returning();
  if (!row) throw new Error(`work order ${id} vanished during an update`);
  return row;
}

export interface HistoryEntry {
  orgId: string;
  workOrderId: string;
  status: string;
  at: Date;
  actorId?: string | null;
  inboxId?: number | null;
  note?: string | null;
}

export async function addHistory(db: Executor, entry: HistoryEntry): Promise<void> {
  await db.insert(workOrderHistory).values({
    orgId: entry.orgId,
    workOrderId: entry.workOrderId,
    status: entry.status,
    at: entry.at,
    actorId: entry.actorId ?? null,
    inboxId: entry.inboxId ?? null,
    note: entry.note ?? null,
  });
}

export async function findCustomer(db: Executor, id: string): Promise<Customer | undefined> {
  const [row] = await db.select().from(customers).where(eq(customers.id, id));
  return row;
}

export type NewRating = Omit<typeof ratings.$inferInsert, 'id' | 'orgId'>;

/** Stores a rating; returns undefined when one with the same code exists. */
export async function insertRating(
  db: Executor,
  orgId: string,
  input: NewRating,
): Promise<Rating | undefined> {
  const [row] = await db
    .insert(ratings)
    .values({ id: newId(), orgId, ...input })
    .onConflictDoNothing()
    .returning();
  return row;
}

/** Number of history rows of an order, for tests and diagnostics. */
export async function countHistory(db: Executor, workOrderId: string): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(workOrderHistory)
    .where(eq(workOrderHistory.workOrderId, workOrderId));
  return Number(row?.count ?? 0);
}
