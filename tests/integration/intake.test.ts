import { count, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbox, workOrders } from '../../models/schema/index.js';
import { eventId, workOrderCreated, workOrderResolved } from '../helpers/events.js';
import { startTestPulse, type TestPulse, waitFor } from '../helpers/pulse.js';
import { SandboxClient } from '../helpers/sandbox.js';

describe('event webhook', () => {
  let pulse: TestPulse;
  let sandbox: SandboxClient;

  beforeAll(async () => {
    pulse = await startTestPulse();
    sandbox = new SandboxClient(pulse.url);
  });
  afterAll(async () => {
    await pulse?.close();
  });

  const inboxCount = async () => {
    const [row] = await pulse.database.db.select({ n: count() }).from(inbox);
    return Number(row?.n);
  };

  it('stores a redelivered event once and sends one card', async () => {
    const event = workOrderCreated({ orderId: 'WO-INTAKE-1' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await pulse.postEvent(event)).status);
    expect(statuses).toEqual([202, 200, 200]);

    const engineerId = await waitFor(async () => {
      const [order] = await pulse.database.db
        .select()
        .from(workOrders)
        .where(eq(workOrders.code, 'WO-INTAKE-1'));
      return order?.offeredEngineerId ?? undefined;
    });
    const orders = await pulse.database.db
      .select()
      .from(workOrders)
      .where(eq(workOrders.code, 'WO-INTAKE-1'));
    expect(orders).toHaveLength(1);
    const cards = await waitFor(async () => {
      const items = (await sandbox.messages(engineerId)).filter((m) =>
        m.card.title.includes('WO-INTAKE-1'),
      );
      return items.length > 0 ? items : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      (await sandbox.messages(engineerId)).filter((m) => m.card.title.includes('WO-INTAKE-1')),
    ).toHaveLength(1);
    expect(cards[0]?.card.actions.map((a) => a.id)).toEqual([
      'dispatch.accept',
      'dispatch.decline',
    ]);
  });

  it('processes a created event that arrives after its resolved event', async () => {
    const created = workOrderCreated({ orderId: 'WO-LATE-CREATED' });
    const resolved = workOrderResolved('WO-LATE-CREATED');
    expect((await pulse.postEvent(resolved)).status).toBe(202);
    // The resolved event has been tried once and waits for its order.
    await waitFor(async () => {
      const [row] = await pulse.database.db
        .select()
        .from(inbox)
        .where(eq(inbox.sourceId, resolved.id));
      return row && row.attempts > 0 ? row : undefined;
    });
    expect((await pulse.postEvent(created)).status).toBe(202);

    const order = await waitFor(async () => {
      const [row] = await pulse.database.db
        .select()
        .from(workOrders)
        .where(eq(workOrders.code, 'WO-LATE-CREATED'));
      return row?.status === 'resolved' ? row : undefined;
    }, 10_000);
    expect(order.resolvedAt).not.toBeNull();
    const rows = await pulse.database.db
      .select()
      .from(inbox)
      .where(inArray(inbox.sourceId, [created.id, resolved.id]));
    expect(rows.map((row) => row.status)).toEqual(['done', 'done']);
  });

  it('answers a wrong method with 405 and an unknown path with 404', async () => {
    const wrongMethod = await fetch(`${pulse.url}/webhooks/events`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toContain('POST');
    const body = (await wrongMethod.json()) as { error: { code: string } };
    expect(body.error.code).toBe('method_not_allowed');

    const unknown = await fetch(`${pulse.url}/no-such-page`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('rejects a bad signature with 401 and stores nothing', async () => {
    const before = await inboxCount();
    const response = await pulse.postEvent(workOrderCreated({ orderId: 'WO-BAD-SIG' }), {
      secret: 'wrong',
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'bad_signature',
    );
    expect(await inboxCount()).toBe(before);
  });

  it('rejects a stale timestamp with 401', async () => {
    const before = await inboxCount();
    const response = await pulse.postEvent(workOrderCreated({ orderId: 'WO-STALE' }), {
      timestamp: Math.floor(Date.now() / 1000) - 301,
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'stale_timestamp',
    );
    expect(await inboxCount()).toBe(before);
  });

  it('rejects a missing signature with 401', async () => {
    const response = await fetch(`${pulse.url}/webhooks/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(workOrderCreated({ orderId: 'WO-NO-SIG' })),
    });
    expect(response.status).toBe(401);
  });

  it('names the invalid field with 400', async () => {
    const before = await inboxCount();
    const event = workOrderCreated({ orderId: 'WO-INVALID' });
    (event.data.customer.location as { lat: unknown }).lat = 'north';
    const response = await pulse.postEvent(event);
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      error: { code: string; field: string; message: string };
    };
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.field).toBe('data.customer.location.lat');
    expect(await inboxCount()).toBe(before);
  });

  it('rejects a region the organisation does not have', async () => {
    const before = await inboxCount();
    const response = await pulse.postEvent(
      workOrderCreated({ orderId: 'WO-MARS', region: 'mars' }),
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { field: string; message: string } };
    expect(body.error.field).toBe('data.customer.region');
    expect(body.error.message).toContain('east, north, south, west');
    expect(await inboxCount()).toBe(before);
  });

  it('names text that cannot be stored with 400', async () => {
    const before = await inboxCount();
    const cases = [
      ['a\u0000b', 'data.description'],
      ['lone \ud800 surrogate', 'data.description'],
    ] as const;
    for (const [description, field] of cases) {
      const event = workOrderCreated({ orderId: 'WO-NUL' });
      (event.data as { description: string }).description = description;
      const response = await pulse.postEvent(event);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { field: string; message: string } };
      expect(body.error.field).toBe(field);
      expect(body.error.message).toContain('NUL');
    }
    expect(await inboxCount()).toBe(before);
  });

  it('drops a byte order mark and rejects invalid UTF-8', async () => {
    const event = workOrderCreated({ orderId: 'WO-BOM' });
    const withMark = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(JSON.stringify(event)),
    ]);
    expect((await pulse.postEvent(withMark)).status).toBe(202);

    const before = await inboxCount();
    const broken = Buffer.from(JSON.stringify(workOrderCreated({ orderId: 'WO-LATIN1' })));
    const invalid = Buffer.concat([
      broken.subarray(0, 20),
      Buffer.from([0xff]),
      broken.subarray(20),
    ]);
    const response = await pulse.postEvent(invalid);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      'UTF-8',
    );
    expect(await inboxCount()).toBe(before);
  });

  it('rejects an unknown event type and malformed JSON with 400', async () => {
    const unknownType = await pulse.postEvent({
      id: eventId(),
      type: 'work_order.teleported',
      occurred_at: new Date().toISOString(),
      data: {},
    });
    expect(unknownType.status).toBe(400);
    expect(((await unknownType.json()) as { error: { field: string } }).error.field).toBe('type');
    const malformed = await pulse.postEvent('{"id": ');
    expect(malformed.status).toBe(400);
  });

  it('rejects a body over 1 MB with 413', async () => {
    const before = await inboxCount();
    const event = workOrderCreated({ orderId: 'WO-HUGE' });
    (event.data as { description: string }).description = 'x'.repeat(1024 * 1024);
    const response = await pulse.postEvent(event);
    expect(response.status).toBe(413);
    expect(await inboxCount()).toBe(before);
  });

  it('rejects a reused event id with a different body with 409', async () => {
    const event = workOrderCreated({ orderId: 'WO-CONFLICT-1' });
    expect((await pulse.postEvent(event)).status).toBe(202);
    const changed = { ...event, data: { ...event.data, work_order_id: 'WO-CONFLICT-2' } };
    expect((await pulse.postEvent(changed)).status).toBe(409);
  });

  it('answers 404 for an unknown organisation', async () => {
    const response = await pulse.postEvent(workOrderCreated({ orderId: 'WO-ORG' }), {
      org: 'nobody',
    });
    expect(response.status).toBe(404);
  });
});
