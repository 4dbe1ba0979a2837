import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../models/db.js';
import { inbox, outbox, workOrders } from '../../models/schema/index.js';
import { createTestDatabase, type TestDatabase, testLog } from '../helpers/database.js';
import { workOrderCreated } from '../helpers/events.js';
import { startTestPulse, type TestPulse, waitFor } from '../helpers/pulse.js';

/**
 * Two instances share one database, as behind a load balancer. Events go to either; each must
 * be processed once and each card sent once.
 */
describe('two instances on one database', () => {
  let database: TestDatabase;
  let first: TestPulse;
  let second: TestPulse;

  beforeAll(async () => {
    database = await createTestDatabase();
    first = await startTestPulse({ database });
    // A server database gets a second connection pool, as a second process would have.
    const secondDatabase = database.url
      ? {
          ...(await openDatabase({ url: database.url, log: testLog })),
          url: database.url,
          destroy: async () => {},
        }
      : database;
    second = await startTestPulse({ database: secondDatabase, seedDemo: false });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    if (second && second.database !== database) await second.database.close();
    await database?.destroy();
  });

  it('processes each event once and sends each card once', async () => {
    const codes = Array.from({ length: 24 }, (_, i) => `WO-TWO-${i}`);
    const events = codes.map((code) => workOrderCreated({ orderId: code }));
    // Every event goes to both instances, at the same time.
    const statuses = await Promise.all(
      events
        .flatMap((event) => [first.postEvent(event), second.postEvent(event)])
        .map(async (response) => (await response).status),
    );
    expect(statuses.filter((status) => status === 202)).toHaveLength(codes.length);
    expect(statuses.filter((status) => status === 200)).toHaveLength(codes.length);

    await waitFor(
      async () => {
        const [row] = await queryRows<{ pending: string }>(
          database.db,
          sql`select count(*) filter (where status <> 'sent') as pending from outbox`,
        );
        const [events] = await queryRows<{ pending: string }>(
          database.db,
          sql`select count(*) filter (where status = 'pending') as pending from inbox`,
        );
        return Number(row?.pending) === 0 && Number(events?.pending) === 0 ? true : undefined;
      },
      20_000,
      'all events processed and all cards sent',
    );

    const processed = await database.db
      .select()
      .from(inbox)
      .where(eq(inbox.type, 'work_order.created'));
    expect(processed.filter((row) => row.status === 'done')).toHaveLength(codes.length);
    expect(processed.every((row) => row.attempts === 1)).toBe(true);
    const orders = await database.db.select().from(workOrders);
    expect(orders.filter((order) => codes.includes(order.code))).toHaveLength(codes.length);

    const sends = await database.db.select().from(outbox).where(eq(outbox.kind, 'send'));
    const byCard = new Map<string, number>();
    for (const row of sends) byCard.set(row.cardKey, (byCard.get(row.cardKey) ?? 0) + 1);
    expect([...byCard.values()].every((count) => count === 1)).toBe(true);
    const [delivered] = await queryRows<{ n: string; distinct_keys: string }>(
      database.db,
      sql`select count(*) as n, count(distinct idempotency_key) as distinct_keys from sandbox_messages`,
    );
    expect(Number(delivered?.n)).toBe(sends.length);
    expect(Number(delivered?.distinct_keys)).toBe(sends.length);
  });
});
