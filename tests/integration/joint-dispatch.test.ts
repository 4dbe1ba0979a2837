import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { inbox, organisations, people, workOrders } from '../../models/schema/index.js';
import { eventId } from '../helpers/events.js';
import { startTestPulse, TEST_ADMIN_TOKEN, type TestPulse } from '../helpers/pulse.js';

const SITE = { lat: 31.2, lng: 121.5 };

/** Two engineers with room for one order each: Ada knows both fault types, Bo only "x". */
const organisation = {
  name: 'Joint dispatch',
  timezone: 'Asia/Shanghai',
  regions: [{ code: 'r1', name: 'Region 1' }],
  people: [
    { employee_no: 'M1', name: 'Manager', role: 'manager', region: 'r1' },
    {
      employee_no: 'A',
      name: 'Ada',
      role: 'engineer',
      region: 'r1',
      capacity: 1,
      home: { lat: SITE.lat, lng: SITE.lng },
      skills: [{ fault_type: 'x' }, { fault_type: 'y' }],
    },
    {
      employee_no: 'B',
      name: 'Bo',
      role: 'engineer',
      region: 'r1',
      capacity: 1,
      home: { lat: SITE.lat + 0.2, lng: SITE.lng },
      skills: [{ fault_type: 'x' }],
    },
  ],
};

function created(orderId: string, faultType: string) {
  const now = new Date().toISOString();
  return {
    id: eventId(),
    type: 'work_order.created',
    occurred_at: now,
    data: {
      work_order_id: orderId,
      fault_type: faultType,
      opened_at: now,
      customer: { id: `C-${orderId}`, name: 'Site', location: SITE, region: 'r1' },
    },
  };
}

describe('joint dispatch of orders that arrive together', () => {
  let pulse: TestPulse;

  afterEach(async () => {
    await pulse?.close();
  });

  async function setUp() {
    pulse = await startTestPulse({ workers: false, seedDemo: false });
    const response = await fetch(`${pulse.url}/api/admin/orgs/joint`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(organisation),
    });
    expect(response.status).toBe(200);
  }

  async function offeredTo(code: string): Promise<string | null> {
    const [row] = await pulse.database.db
      .select({ name: people.name })
      .from(workOrders)
      .leftJoin(people, eq(people.id, workOrders.offeredEngineerId))
      .innerJoin(organisations, eq(organisations.id, workOrders.orgId))
      .where(and(eq(workOrders.code, code), eq(organisations.slug, 'joint')));
    return row?.name ?? null;
  }

  it('gives each order an engineer when dispatched together', async () => {
    await setUp();
    expect((await pulse.postEvent(created('J1', 'x'), { org: 'joint' })).status).toBe(202);
    expect((await pulse.postEvent(created('J2', 'y'), { org: 'joint' })).status).toBe(202);

    const processed = await pulse.pulse.services.processor.processNext();
    expect(processed?.result.status).toBe('done');
    expect(await offeredTo('J1')).toBe('Bo');
    expect(await offeredTo('J2')).toBe('Ada');
    const rows = await pulse.database.db.select().from(inbox);
    expect(rows.map((row) => row.status)).toEqual(['done', 'done']);
    const outcome = rows[1]?.outcome as { data?: { batchSize?: number } } | undefined;
    expect(outcome?.data?.batchSize).toBe(2);
  });

  it('leaves the second order unassigned when dispatched one by one', async () => {
    await setUp();
    expect((await pulse.postEvent(created('J1', 'x'), { org: 'joint' })).status).toBe(202);
    await pulse.pulse.services.processor.processNext();
    expect((await pulse.postEvent(created('J2', 'y'), { org: 'joint' })).status).toBe(202);
    await pulse.pulse.services.processor.processNext();
    expect(await offeredTo('J1')).toBe('Ada');
    expect(await offeredTo('J2')).toBeNull();
  });
});
