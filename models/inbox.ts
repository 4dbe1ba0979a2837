import { createHash } from 'node:crypto';
import { and, eq, lte, ne, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { inbox } from './schema/index.js';

export type InboxRow = typeof inbox.$inferSelect;

export interface StoreInboxInput {
  orgId: string;
  source: string;
  sourceId: string;
  type: string;
  orderingKey: string;
  payload: Record<string, unknown>;
  receivedAt: Date;
}

export type StoreInboxResult =
  | { status: 'stored'; id: number }
  | { status: 'duplicate'; id: number }
  /** The source id was stored before with a different payload. */
  | { status: 'conflict'; id: number };

/** SHA-256 of a payload's canonical JSON, used to tell a redelivery from a reused id. */
export function payloadHash(payload: unknown): string {
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => compareText(a, b));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Stores an inbound event once per (organisation, source, source id). */
export async function storeInboxEvent(
  db: Executor,
  input: StoreInboxInput,
): Promise<StoreInboxResult> {
  const hash = payloadHash(input.payload);
  const inserted = await db
    .insert(inbox)
    .values({
      orgId: input.orgId,
      source: input.source,
      sourceId: input.sourceId,
      type: input.type,
      orderingKey: input.orderingKey,
      payload: input.payload,
      payloadHash: hash,
      receivedAt: input.receivedAt,
      nextAttemptAt: input.receivedAt,
    })
    .onConflictDoNothing()
    .returning({ id: inbox.id });
  const row = inserted[0];
  if (row) return { status: 'stored', id: row.id };

  const [existing] = await db
    .select({ id: inbox.id, payloadHash: inbox.payloadHash })
    .from(inbox)
    .where(
      and(
        eq(inbox.orgId, input.orgId),
        eq(inbox.source, input.source),
        eq(inbox.sourceId, input.sourceId),
      ),
    );
  if (!existing)
    throw new Error(`inbox row ${input.source}/${input.sourceId} vanished after a conflict`);
  return existing.payloadHash === hash
    ? { status: 'duplicate', id: existing.id }
    : { status: 'conflict', id: existing.id };
}

/**
 * Pending and due, and the oldest pending event of its ordering key. The comparison with the
 * key's smallest pending id runs as a subquery per candidate row, which reads the partial
 * index inbox_ordering_pending whatever the table's statistics say.
 */
/** The event that every other event of a work order depends on. */
const CREATED_TYPE = 'work_order.created';

/**
 * Pending, due, and first of its ordering key. A work_order.created event waits only for an
 * earlier created event of its key: the later events of an order that arrived before it wait
 * for it to be processed, so they must not hold it back.
 */
function claimable(now: Date) {
  return and(
    eq(inbox.status, 'pending'),
    lte(inbox.nextAttemptAt, now),
    sql`${inbox.id} = (select min(oldest.id) from inbox oldest
        where oldest.org_id = ${inbox.orgId} and oldest.ordering_key = ${inbox.orderingKey}
          and oldest.status = 'pending'
          and (${inbox.type} <> ${CREATED_TYPE} or oldest.type = ${CREATED_TYPE}))`,
  );
}

/**
 * Locks the next pending event that is due and has no earlier pending event with the same
 * ordering key. Rows locked by another transaction are skipped. Must run inside a transaction;
 * the lock lasts until it ends.
 */
export async function claimNextInboxEvent(
  tx: Executor,
  now: Date,
  onlyId?: number,
): Promise<InboxRow | undefined> {
  const [row] = await tx
    .select()
    .from(inbox)
    .where(and(claimable(now), onlyId === undefined ? undefined : eq(inbox.id, onlyId)))
    .orderBy(inbox.id)
    .limit(1)
    .for('update', { of: inbox, skipLocked: true });
  return row;
}

/**
 * Locks up to `limit` more claimable events of one organisation and type, oldest first, such
 * as the work orders that arrived together with the one being processed.
 */
export async function claimMoreInboxEvents(
  tx: Executor,
  now: Date,
  filter: { orgId: string; type: string; excludeId: number; limit: number },
): Promise<InboxRow[]> {
  if (filter.limit <= 0) return [];
  return tx
    .select()
    .from(inbox)
    .where(
      and(
        claimable(now),
        eq(inbox.orgId, filter.orgId),
        eq(inbox.type, filter.type),
        ne(inbox.id, filter.excludeId),
      ),
    )
    .orderBy(inbox.id)
    .limit(filter.limit)
    .for('update', { of: inbox, skipLocked: true });
}

export async function completeInboxEvent(
  tx: Executor,
  id: number,
  status: 'done' | 'rejected',
  outcome: Record<string, unknown>,
  now: Date,
): Promise<void> {
  await tx
    .update(inbox)
    .set({
      status,
      outcome,
      processedAt: now,
      attempts: sql`${inbox.attempts} + 1`,
      lastError: status === 'rejected' ? String(outcome.message ?? '') : null,
    })
    .where(eq(inbox.id, id));
}

/** Records a failed attempt; the event is tried again at `retryAt`, or given up when it is undefined. */
export async function failInboxEvent(
  db: Executor,
  id: number,
  error: string,
  retryAt: Date | undefined,
): Promise<void> {
  await db
    .update(inbox)
    .set({
      attempts: sql`${inbox.attempts} + 1`,
      lastError: error.slice(0, 2000),
      ...(retryAt ? { nextAttemptAt: retryAt } : { status: 'failed' as const }),
    })
    .where(and(eq(inbox.id, id), eq(inbox.status, 'pending')));
}

export async function getInboxEvent(db: Executor, id: number): Promise<InboxRow | undefined> {
  const [row] = await db.select().from(inbox).where(eq(inbox.id, id));
  return row;
}

export interface InboxCounts {
  pending: number;
  done: number;
  rejected: number;
  failed: number;
}

export async function countInboxByStatus(db: Executor, orgId: string): Promise<InboxCounts> {
  const rows = await db
    .select({ status: inbox.status, count: sql<number>`count(*)::int` })
    .from(inbox)
    .where(eq(inbox.orgId, orgId))
    .groupBy(inbox.status);
  const counts: InboxCounts = { pending: 0, done: 0, rejected: 0, failed: 0 };
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}
