import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchDecisions, workOrders } from '../../models/schema/index.js';
import { eventId, workOrderCreated } from '../helpers/events.js';
import { startTestPulse, type TestPulse, waitFor } from '../helpers/pulse.js';
import { SandboxClient, type SandboxMessage, type SandboxPerson } from '../helpers/sandbox.js';

describe('dispatch through the sandbox chat', () => {
  let pulse: TestPulse;
  let sandbox: SandboxClient;
  let people: SandboxPerson[];

  beforeAll(async () => {
    pulse = await startTestPulse();
    sandbox = new SandboxClient(pulse.url);
    people = await sandbox.people();
  });
  afterAll(async () => {
    await pulse?.close();
  });

  const eastManager = () =>
    people.find((p) => p.role === 'manager' && p.regionCode === 'east') as SandboxPerson;
  const northManager = () =>
    people.find((p) => p.role === 'manager' && p.regionCode === 'north') as SandboxPerson;

  async function order(code: string) {
    const [row] = await pulse.database.db
      .select()
      .from(workOrders)
      .where(eq(workOrders.code, code));
    return row;
  }

  /** Waits for the card of `code` to reach `personId` with the given action, and returns it. */
  async function cardFor(
    personId: string,
    code: string,
    actionId?: string,
  ): Promise<SandboxMessage> {
    return waitFor(
      async () =>
        (await sandbox.messages(personId)).find(
          (m) =>
            m.card.title.includes(code) &&
            (!actionId || m.card.actions.some((a) => a.id === actionId)),
        ),
      5000,
      `card ${code} for ${personId}`,
    );
  }

  async function createOrder(code: string) {
    expect((await pulse.postEvent(workOrderCreated({ orderId: code }))).status).toBe(202);
    const engineerId = await waitFor(
      async () => (await order(code))?.offeredEngineerId ?? undefined,
    );
    return { engineerId, engineerCard: await cardFor(engineerId, code, 'dispatch.accept') };
  }

  it('offers a new order to an engineer and shows the manager the factor breakdown', async () => {
    const { engineerId, engineerCard } = await createOrder('WO-D1');
    expect(people.find((p) => p.id === engineerId)?.regionCode).toBe('east');
    expect(engineerCard.card.actions.map((a) => a.id)).toEqual([
      'dispatch.accept',
      'dispatch.decline',
    ]);

    const managerCard = await cardFor(eastManager().id, 'WO-D1', 'dispatch.confirm');
    expect(managerCard.card.actions.map((a) => a.id)).toEqual([
      'dispatch.confirm',
      'dispatch.reassign',
    ]);
    const reasons = managerCard.card.inputs?.find((input) => input.name === 'reason');
    expect(reasons?.options?.map((o) => o.value)).toEqual([
      'customer_preference',
      'skill_fit',
      'workload',
      'travel',
      'other',
    ]);
    expect(JSON.stringify(managerCard.card.blocks)).toContain('km');
  });

  it('lets only the addressed engineer accept, and updates both cards', async () => {
    const { engineerId, engineerCard } = await createOrder('WO-D2');
    const other = people.find((p) => p.role === 'engineer' && p.id !== engineerId) as SandboxPerson;

    const refused = await sandbox.click(engineerCard.id, 'dispatch.accept', other.id);
    expect(refused.status).toBe(403);
    expect((refused.body.error as { code: string }).code).toBe('not_permitted');
    expect((await order('WO-D2'))?.status).toBe('offered');

    const accepted = await sandbox.click(engineerCard.id, 'dispatch.accept', engineerId);
    expect(accepted.status).toBe(200);
    const row = await order('WO-D2');
    expect(row?.status).toBe('accepted');
    expect(row?.assignedEngineerId).toBe(engineerId);

    const closed = await waitFor(async () => {
      const card = (await sandbox.messages(engineerId)).find((m) => m.id === engineerCard.id);
      return card && card.card.actions.length === 0 ? card : undefined;
    });
    expect(closed.card.footer).toBeTruthy();
    const managerCard = await waitFor(async () => {
      const card = await cardFor(eastManager().id, 'WO-D2');
      return card.version > 1 ? card : undefined;
    });
    expect(managerCard.card.actions.map((a) => a.id)).toContain('dispatch.reassign');
  });

  it('keeps the manager card current through reopen and cancel', async () => {
    const { engineerId, engineerCard } = await createOrder('WO-D9');
    expect((await sandbox.click(engineerCard.id, 'dispatch.accept', engineerId)).status).toBe(200);
    const now = () => new Date().toISOString();
    const send = async (type: string, data: Record<string, unknown>) => {
      const event = { id: eventId(), type, occurred_at: now(), data };
      expect((await pulse.postEvent(event)).status).toBe(202);
    };
    /** Waits until the manager's card contains `text`, and returns it. */
    const managerCardWith = (text: string) =>
      waitFor(
        async () => {
          const card = await cardFor(eastManager().id, 'WO-D9');
          return JSON.stringify(card.card).includes(text) ? card : undefined;
        },
        5000,
        `manager card with ${text}`,
      );

    await send('work_order.resolved', { work_order_id: 'WO-D9', resolved_at: now() });
    expect((await managerCardWith('工单已完成')).card.actions).toHaveLength(0);
    await send('work_order.reopened', { work_order_id: 'WO-D9', reopened_at: now() });
    expect((await managerCardWith('工单已重新打开（第 1 次）')).card.actions).toHaveLength(0);
    await send('work_order.cancelled', { work_order_id: 'WO-D9', cancelled_at: now() });
    expect((await managerCardWith('工单已取消')).card.actions).toHaveLength(0);
  });

  it('tells the manager in Chinese why nobody can take an order', async () => {
    const created = workOrderCreated({ orderId: 'WO-D10', faultType: 'toaster' });
    expect((await pulse.postEvent(created)).status).toBe(202);
    const card = await waitFor(
      async () => {
        const found = await cardFor(eastManager().id, 'WO-D10');
        return JSON.stringify(found.card).includes('没有可派的') ? found : undefined;
      },
      5000,
      'unassigned manager card',
    );
    const text = JSON.stringify(card.card);
    expect(text).toContain('人无此技能');
    expect(text).not.toMatch(/No eligible|lack the skill/);
    expect((await order('WO-D10'))?.status).toBe('unassigned');

    // The manager can still assign an engineer of the region by hand.
    expect(text).toContain('可手动指派');
    const assign = card.card.actions.find((action) => action.id === 'dispatch.reassign');
    expect(assign?.label).toBe('指派');
    const options = card.card.inputs?.find((input) => input.name === 'engineer')?.options ?? [];
    const chosen = options[0]?.value as string;
    const eastEngineerIds = people
      .filter((p) => p.role === 'engineer' && p.regionCode === 'east')
      .map((p) => p.id);
    expect(options.every((option) => eastEngineerIds.includes(option.value))).toBe(true);
    const assigned = await sandbox.click(card.id, 'dispatch.reassign', eastManager().id, {
      engineer: chosen,
      reason: 'skill_fit',
    });
    expect(assigned.status).toBe(200);
    const row = await order('WO-D10');
    expect(row?.status).toBe('offered');
    expect(row?.offeredEngineerId).toBe(chosen);
    await cardFor(chosen, 'WO-D10', 'dispatch.accept');
  });

  it('moves a declined order to the next candidate', async () => {
    const { engineerId, engineerCard } = await createOrder('WO-D3');
    const declined = await sandbox.click(engineerCard.id, 'dispatch.decline', engineerId);
    expect(declined.status).toBe(200);
    const next = await waitFor(async () => {
      const row = await order('WO-D3');
      return row?.offeredEngineerId && row.offeredEngineerId !== engineerId
        ? row.offeredEngineerId
        : undefined;
    });
    const nextCard = await cardFor(next, 'WO-D3', 'dispatch.accept');
    expect(nextCard.to).toBe(next);
    const again = await sandbox.click(engineerCard.id, 'dispatch.decline', engineerId);
    expect(again.status).toBe(409);
  });

  it('records a reassignment with its reason and both engineers’ features', async () => {
    const { engineerId, engineerCard } = await createOrder('WO-D4');
    const managerCard = await cardFor(eastManager().id, 'WO-D4', 'dispatch.reassign');
    const alternative = managerCard.card.inputs?.find((i) => i.name === 'engineer')?.options?.[0]
      ?.value as string;
    expect(alternative).toBeTruthy();

    const outsider = await sandbox.click(managerCard.id, 'dispatch.reassign', northManager().id, {
      engineer: alternative,
      reason: 'travel',
    });
    expect(outsider.status).toBe(403);

    const missingReason = await sandbox.click(
      managerCard.id,
      'dispatch.reassign',
      eastManager().id,
      {
        engineer: alternative,
      },
    );
    expect(missingReason.status).toBe(400);
    expect((missingReason.body.error as { field: string }).field).toBe('values.reason');

    const done = await sandbox.click(managerCard.id, 'dispatch.reassign', eastManager().id, {
      engineer: alternative,
      reason: 'customer_preference',
    });
    expect(done.status).toBe(200);
    expect((await order('WO-D4'))?.offeredEngineerId).toBe(alternative);
    await cardFor(alternative, 'WO-D4', 'dispatch.accept');

    const row = await order('WO-D4');
    const [decision] = await pulse.database.db
      .select()
      .from(dispatchDecisions)
      .where(
        and(
          eq(dispatchDecisions.workOrderId, row?.id as string),
          eq(dispatchDecisions.kind, 'reassigned'),
        ),
      );
    expect(decision?.reason).toBe('customer_preference');
    expect(decision?.previousEngineerId).toBe(engineerId);
    const features = decision?.features as {
      recommended: { engineerId: string };
      chosen: { engineerId: string };
    };
    expect(features.recommended.engineerId).toBe(engineerId);
    expect(features.chosen.engineerId).toBe(alternative);

    const stale = await sandbox.click(engineerCard.id, 'dispatch.accept', engineerId);
    expect([403, 409]).toContain(stale.status);
  });

  it('turns two simultaneous accepts into one decision', async () => {
    const { engineerId, engineerCard } = await createOrder('WO-D5');
    const results = await Promise.all([
      sandbox.click(engineerCard.id, 'dispatch.accept', engineerId),
      sandbox.click(engineerCard.id, 'dispatch.accept', engineerId),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const row = await order('WO-D5');
    const decisions = await pulse.database.db
      .select()
      .from(dispatchDecisions)
      .where(
        and(
          eq(dispatchDecisions.workOrderId, row?.id as string),
          eq(dispatchDecisions.kind, 'accepted'),
        ),
      );
    expect(decisions).toHaveLength(1);
  });

  it('lets the area manager confirm once', async () => {
    await createOrder('WO-D6');
    const managerCard = await cardFor(eastManager().id, 'WO-D6', 'dispatch.confirm');
    expect(
      (await sandbox.click(managerCard.id, 'dispatch.confirm', northManager().id)).status,
    ).toBe(403);
    expect((await sandbox.click(managerCard.id, 'dispatch.confirm', eastManager().id)).status).toBe(
      200,
    );
    expect((await sandbox.click(managerCard.id, 'dispatch.confirm', eastManager().id)).status).toBe(
      409,
    );
  });
});
