import { eq } from 'drizzle-orm';
import type { Executor } from './db.js';
import { organisations } from './schema/index.js';

export type Organisation = typeof organisations.$inferSelect;

export async function findOrgBySlug(db: Executor, slug: string): Promise<Organisation | undefined> {
  const [row] = await db.select().from(organisations).where(eq(organisations.slug, slug));
  return row;
}

export async function findOrgById(db: Executor, id: string): Promise<Organisation | undefined> {
  const [row] = await db.select().from(organisations).where(eq(organisations.id, id));
  return row;
}

export async function listOrgs(db: Executor): Promise<Organisation[]> {
  return db.select().from(organisations).orderBy(organisations.createdAt);
}
