import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workOrderCreated, workOrderResolved } from '../helpers/events.js';
import { startTestPulse, TEST_ADMIN_TOKEN, type TestPulse, waitFor } from '../helpers/pulse.js';

interface Stats {
  inbox: Record<string, number>;
  outbox: Record<string, number>;
  dispatchLatencyMs: { count: number; p50: number | null; p99: number | null };
  dispatchProcessingMs: { p50: number | null; p99: number | null };
}

describe('operator API', () => {
  let pulse: TestPulse;
  const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

  beforeAll(async () => {
    pulse = await startTestPulse();
  });
  afterAll(async () => {
    await pulse?.close();
  });

  it('rejects a request without the admin token', async () => {
    const response = await fetch(`${pulse.url}/api/admin/orgs/demo/stats`);
    expect(response.status).toBe(401);
    const wrong = await fetch(`${pulse.url}/api/admin/orgs/demo/stats`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
  });

  it('reports events, messages and dispatch latency', async () => {
    expect((await pulse.postEvent(workOrderCreated({ orderId: 'WO-STATS-1' }))).status).toBe(202);
    const stats = await waitFor(async () => {
      const response = await fetch(`${pulse.url}/api/admin/orgs/demo/stats`, { headers: auth });
      const body = (await response.json()) as Stats;
      return body.dispatchLatencyMs.count > 0 && (body.outbox.sent ?? 0) >= 2 ? body : undefined;
    });
    expect(stats.inbox.done).toBe(1);
    expect(stats.inbox.pending).toBe(0);
    expect(stats.dispatchLatencyMs.p50).toBeGreaterThanOrEqual(0);
    expect(stats.dispatchProcessingMs.p50).toBeGreaterThanOrEqual(0);
    expect(stats.dispatchProcessingMs.p50).toBeLessThanOrEqual(
      stats.dispatchLatencyMs.p50 as number,
    );
  });

  it('lists rejected events with their reason', async () => {
    const created = workOrderCreated({ orderId: 'WO-REJECT-1' });
    expect((await pulse.postEvent(created)).status).toBe(202);
    const before = new Date(Date.parse(created.data.opened_at) - 3_600_000).toISOString();
    const resolved = workOrderResolved('WO-REJECT-1', before);
    expect((await pulse.postEvent(resolved)).status).toBe(202);

    const item = await waitFor(async () => {
      const response = await fetch(`${pulse.url}/api/admin/inbox/rejected`, { headers: auth });
      const body = (await response.json()) as { items: { sourceId: string; code: string }[] };
      return body.items.find((entry) => entry.sourceId === resolved.id);
    });
    expect(item.code).toBe('resolved_before_opened');
    const failed = await fetch(`${pulse.url}/api/admin/inbox/failed`, { headers: auth });
    expect(((await failed.json()) as { items: unknown[] }).items).toHaveLength(0);
  });

  it('names the invalid field of an organisation import', async () => {
    const response = await fetch(`${pulse.url}/api/admin/orgs/acme`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Acme',
        regions: [{ code: 'r1', name: 'R1' }],
        people: [{ employee_no: 'E1', name: 'A', role: 'engineer', region: 'r9' }],
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { field: string } };
    expect(body.error.field).toBe('people.0.region');
    const missing = await fetch(`${pulse.url}/api/admin/orgs/acme/stats`, { headers: auth });
    expect(missing.status).toBe(404);
  });

  it('resends only a dead message', async () => {
    const response = await fetch(`${pulse.url}/api/admin/outbox/1/resend`, {
      method: 'POST',
      headers: auth,
    });
    expect(response.status).toBe(409);
    const unknown = await fetch(`${pulse.url}/api/admin/outbox/999999/resend`, {
      method: 'POST',
      headers: auth,
    });
    expect(unknown.status).toBe(404);
  });
});
