import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentRecords, feedbackRequests, people } from '../../models/schema/index.js';
import { feishuDriver } from '../helpers/drivers/feishu.js';
import { sandboxDriver } from '../helpers/drivers/sandbox.js';
import type { ChannelDriver, DriverCard } from '../helpers/drivers/types.js';
import { wecomDriver } from '../helpers/drivers/wecom.js';
import { created, rated, resolved, VALID_ANSWERS } from '../helpers/feedback.js';
import { type TestPulse, waitFor } from '../helpers/pulse.js';

/**
 * The feedback card on every chat channel: the quick assessment works everywhere; the form
 * with fact, impact and suggestion works where the card can hold text inputs (sandbox,
 * Feishu), and WeCom links to the mini-app form instead.
 */
const drivers: { driver: ChannelDriver; holdsText: boolean }[] = [
  { driver: sandboxDriver(), holdsText: true },
  { driver: wecomDriver(), holdsText: false },
  { driver: feishuDriver(), holdsText: true },
];

describe.each(drivers)('feedback card over $driver.name', ({ driver, holdsText }) => {
  let pulse: TestPulse;
  let managerId: string;
  let counter = 0;

  beforeAll(async () => {
    pulse = await driver.start();
    const [manager] = await pulse.database.db
      .select()
      .from(people)
      .where(eq(people.employeeNo, 'ME01'));
    managerId = manager?.id as string;
  });
  afterAll(async () => {
    await driver.stop();
  });

  async function lowRatingCard(): Promise<{ card: DriverCard; requestId: string }> {
    const code = `WO-FB-${driver.name}-${++counter}`;
    const feedbackCards = async () =>
      (await driver.cardsFor(managerId)).filter((c) => c.actionIds.includes('feedback.assess'));
    const before = (await feedbackCards()).length;
    const now = new Date();
    for (const event of [
      created({ orderId: code, at: now }),
      resolved(code, now, 'EE03'),
      rated(code, now, 1),
    ]) {
      const response = await pulse.postEvent(event);
      expect(response.status).toBe(202);
    }
    const request = await waitFor(
      async () => {
        const rows = await pulse.database.db.select().from(feedbackRequests);
        return rows.find((row) => JSON.stringify(row).includes(code));
      },
      8000,
      `feedback request of ${code}`,
    );
    // Cards come oldest first; the new feedback card belongs to this order.
    const card = await waitFor(
      async () => {
        const cards = await feedbackCards();
        return cards.length > before ? cards.at(-1) : undefined;
      },
      8000,
      'feedback card',
    );
    return { card, requestId: request.id };
  }

  it('records a quick assessment', async () => {
    const { card, requestId } = await lowRatingCard();
    expect(card.selectOptions.assessment).toEqual(['recognise', 'improve', 'discuss']);
    expect(
      await driver.click(card, 'feedback.assess', managerId, { assessment: 'improve' }),
    ).toEqual({ ok: true });
    const [request] = await pulse.database.db
      .select()
      .from(feedbackRequests)
      .where(eq(feedbackRequests.id, requestId));
    expect(JSON.stringify(request)).toContain('improve');
  });

  it.runIf(holdsText)('archives a submitted form', async () => {
    const { card, requestId } = await lowRatingCard();
    expect(card.actionIds).toContain('feedback.submit');
    const tooShort = await driver.click(card, 'feedback.submit', managerId, {
      ...VALID_ANSWERS,
      fact: '太短',
    });
    expect(tooShort.ok).toBe(false);
    expect(await driver.click(card, 'feedback.submit', managerId, VALID_ANSWERS)).toEqual({
      ok: true,
    });
    const records = await pulse.database.db.select().from(developmentRecords);
    expect(records.some((record) => JSON.stringify(record).includes(requestId))).toBe(true);
  });

  it.runIf(!holdsText)('offers the mini-app form instead of text inputs', async () => {
    const { card } = await lowRatingCard();
    expect(card.actionIds).toEqual(['feedback.assess']);
  });
});
