import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { people, regions, workOrders } from '../../models/schema/index.js';
import { feishuDriver } from '../helpers/drivers/feishu.js';
import { sandboxDriver } from '../helpers/drivers/sandbox.js';
import type { ChannelDriver, DriverCard } from '../helpers/drivers/types.js';
import { wecomDriver } from '../helpers/drivers/wecom.js';
import { workOrderCreated } from '../helpers/events.js';
import { type TestPulse, waitFor } from '../helpers/pulse.js';

/** Every chat channel must give the dispatch loop the same outcomes. */
const drivers: ChannelDriver[] = [sandboxDriver(), wecomDriver(), feishuDriver()];

describe.each(drivers)('dispatch over $name', (driver) => {
  let pulse: TestPulse;
  let eastManagerId: string;
  let codeCounter = 0;

  beforeAll(async () => {
    pulse = await driver.start();
    const [manager] = await pulse.database.db
      .select({ id: people.id })
      .from(people)
      .innerJoin(regions, eq(regions.id, people.regionId))
      .where(and(eq(regions.code, 'east'), eq(people.role, 'manager')));
    eastManagerId = manager?.id as string;
  });
  afterAll(async () => {
    await driver.stop();
  });

  async function offeredEngineer(code: string): Promise<string> {
    return waitFor(
      async () => {
        const [row] = await pulse.database.db
          .select()
          .from(workOrders)
          .where(eq(workOrders.code, code));
        return row?.offeredEngineerId ?? undefined;
      },
      8000,
      `offer of ${code}`,
    );
  }

  async function cardWith(personId: string, code: string, actionId: string): Promise<DriverCard> {
    return waitFor(
      async () =>
        (await driver.cardsFor(personId)).find(
          (card) => card.title.includes(code) && card.actionIds.includes(actionId),
        ),
      8000,
      `${actionId} card of ${code}`,
    );
  }

  async function cardWithout(
    personId: string,
    code: string,
    actionId: string,
  ): Promise<DriverCard> {
    return waitFor(
      async () =>
        (await driver.cardsFor(personId)).find(
          (card) => card.title.includes(code) && !card.actionIds.includes(actionId),
        ),
      8000,
      `${code} card without ${actionId}`,
    );
  }

  const nextCode = () => `WO-${driver.name.toUpperCase()}-${++codeCounter}`;

  it('accepts: card, wrong person refused, accept, cards closed', async () => {
    const code = nextCode();
    expect((await pulse.postEvent(workOrderCreated({ orderId: code }))).status).toBe(202);
    const engineerId = await offeredEngineer(code);
    const card = await cardWith(engineerId, code, 'dispatch.accept');
    expect(card.actionIds).toEqual(['dispatch.accept', 'dispatch.decline']);
    await cardWith(eastManagerId, code, 'dispatch.confirm');

    const refused = await driver.click(card, 'dispatch.accept', eastManagerId);
    expect(refused).toEqual({ ok: false, code: 'not_permitted' });

    expect(await driver.click(card, 'dispatch.accept', engineerId)).toEqual({ ok: true });
    const [row] = await pulse.database.db
      .select()
      .from(workOrders)
      .where(eq(workOrders.code, code));
    expect(row?.status).toBe('accepted');
    await cardWithout(engineerId, code, 'dispatch.accept');
  });

  it('reassigns with a reason: new engineer gets the card', async () => {
    const code = nextCode();
    expect((await pulse.postEvent(workOrderCreated({ orderId: code }))).status).toBe(202);
    const engineerId = await offeredEngineer(code);
    const managerCard = await cardWith(eastManagerId, code, 'dispatch.reassign');
    const alternative = managerCard.selectOptions.engineer?.[0] as string;
    expect(alternative).toBeTruthy();
    expect(alternative).not.toBe(engineerId);

    const result = await driver.click(managerCard, 'dispatch.reassign', eastManagerId, {
      engineer: alternative,
      reason: 'workload',
    });
    expect(result).toEqual({ ok: true });
    expect(await offeredEngineer(code)).toBe(alternative);
    await cardWith(alternative, code, 'dispatch.accept');
    await cardWithout(engineerId, code, 'dispatch.accept');
  });
});
