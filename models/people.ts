import { and, eq, inArray, or } from 'drizzle-orm';
import type { Executor } from './db.js';
import { people, regions } from './schema/index.js';

export type Person = typeof people.$inferSelect;
export type Region = typeof regions.$inferSelect;

export async function findPerson(
  db: Executor,
  orgId: string,
  id: string,
): Promise<Person | undefined> {
  const [row] = await db
    .select()
    .from(people)
    .where(and(eq(people.orgId, orgId), eq(people.id, id)));
  return row;
}

export async function findPersonByEmployeeNo(
  db: Executor,
  orgId: string,
  employeeNo: string,
): Promise<Person | undefined> {
  const [row] = await db
    .select()
    .from(people)
    .where(and(eq(people.orgId, orgId), eq(people.employeeNo, employeeNo)));
  return row;
}

export interface PlatformIdentity {
  personId?: string;
  wecomUserId?: string;
  feishuOpenId?: string;
  feishuUserId?: string;
}

/** Finds the person a platform identified as the actor; undefined when the id is not registered. */
export async function findPersonByIdentity(
  db: Executor,
  orgId: string,
  identity: PlatformIdentity,
): Promise<Person | undefined> {
  const condition = identity.personId
    ? eq(people.id, identity.personId)
    : identity.wecomUserId
      ? eq(people.wecomUserId, identity.wecomUserId)
      : identity.feishuOpenId
        ? eq(people.feishuOpenId, identity.feishuOpenId)
        : identity.feishuUserId
          ? eq(people.feishuUserId, identity.feishuUserId)
          : undefined;
  if (!condition) return undefined;
  const [row] = await db
    .select()
    .from(people)
    .where(and(eq(people.orgId, orgId), condition));
  // Feishu sends both ids; a person imported with only the user id is found by that.
  if (!row && identity.feishuOpenId && identity.feishuUserId && !identity.personId) {
    const [byUserId] = await db
      .select()
      .from(people)
      .where(and(eq(people.orgId, orgId), eq(people.feishuUserId, identity.feishuUserId)));
    return byUserId;
  }
  return row;
}

export async function findPeople(db: Executor, orgId: string, ids: string[]): Promise<Person[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(people)
    .where(and(eq(people.orgId, orgId), inArray(people.id, ids)));
}

/** Lists the managers responsible for a region. */
export async function findRegionManagers(
  db: Executor,
  orgId: string,
  regionId: string | null,
): Promise<Person[]> {
  if (!regionId) return [];
  return db
    .select()
    .from(people)
    .where(and(eq(people.orgId, orgId), eq(people.regionId, regionId), eq(people.role, 'manager')))
    .orderBy(people.employeeNo);
}

/**
 * Loads a region's managers and the people with `ids` in one query: the managers in employee
 * number order, and everyone found by id.
 */
export async function findManagersAndPeople(
  db: Executor,
  orgId: string,
  regionId: string | null,
  ids: string[],
): Promise<{ managers: Person[]; byId: Map<string, Person> }> {
  const managerCondition = regionId
    ? and(eq(people.regionId, regionId), eq(people.role, 'manager'))
    : undefined;
  const idCondition = ids.length > 0 ? inArray(people.id, ids) : undefined;
  if (!managerCondition && !idCondition) return { managers: [], byId: new Map() };
  const rows = await db
    .select()
    .from(people)
    .where(and(eq(people.orgId, orgId), or(managerCondition, idCondition)))
    .orderBy(people.employeeNo);
  return {
    managers: rows.filter((row) => row.role === 'manager' && row.regionId === regionId),
    byId: new Map(rows.map((row) => [row.id, row])),
  };
}

export async function findRegion(db: Executor, id: string | null): Promise<Region | undefined> {
  if (!id) return undefined;
  const [row] = await db.select().from(regions).where(eq(regions.id, id));
  return row;
}
