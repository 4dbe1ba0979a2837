import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workOrders } from '../../models/schema/index.js';
import {
  artifactsDir,
  DESKTOP_VIEWPORT,
  hasChromium,
  launchBrowser,
  PHONE_VIEWPORT,
} from '../helpers/browser.js';
import { workOrderCreated } from '../helpers/events.js';
import { startTestPulse, type TestPulse, waitFor } from '../helpers/pulse.js';

describe.skipIf(!hasChromium)('sandbox chat page in Chromium', () => {
  let pulse: TestPulse;
  let browser: Browser;

  beforeAll(async () => {
    pulse = await startTestPulse();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await pulse?.close();
  });

  async function offered(code: string): Promise<string> {
    expect((await pulse.postEvent(workOrderCreated({ orderId: code }))).status).toBe(202);
    return waitFor(async () => {
      const [row] = await pulse.database.db
        .select()
        .from(workOrders)
        .where(eq(workOrders.code, code));
      return row?.offeredEngineerId ?? undefined;
    });
  }

  it('accepts an order on a phone', async () => {
    const engineerId = await offered('WO-PAGE-1');
    const page = await browser.newPage({ viewport: PHONE_VIEWPORT });
    await page.goto(`${pulse.url}/sandbox?as=${engineerId}`);
    const card = page.locator('article.card', { hasText: 'WO-PAGE-1' });
    await card.locator('button[data-action="dispatch.accept"]').click();
    await expect.poll(() => card.locator('button').count(), { timeout: 5000 }).toBe(0);
    await expect.poll(() => card.locator('.footer').textContent()).toBeTruthy();
    await page.screenshot({ path: join(await artifactsDir(), 'sandbox-phone.png') });
    const [row] = await pulse.database.db
      .select()
      .from(workOrders)
      .where(eq(workOrders.code, 'WO-PAGE-1'));
    expect(row?.status).toBe('accepted');
    await page.close();
  });

  it('reassigns with a reason on a desktop', async () => {
    const engineerId = await offered('WO-PAGE-2');
    const people = (await (await fetch(`${pulse.url}/sandbox/api/people`)).json()) as {
      items: { id: string; role: string; regionCode: string }[];
    };
    const manager = people.items.find((p) => p.role === 'manager' && p.regionCode === 'east');
    const page = await browser.newPage({ viewport: DESKTOP_VIEWPORT });
    await page.goto(`${pulse.url}/sandbox`);
    await page.locator(`button.person[data-person="${manager?.id}"]`).click();
    const card = page.locator('article.card', { hasText: 'WO-PAGE-2' });
    await card.locator('button[data-action="dispatch.reassign"]').click();
    await expect.poll(() => page.locator('#toast').getAttribute('class')).toContain('error');
    await expect
      .poll(() => card.locator('select[name="engineer"]').getAttribute('class'))
      .toContain('invalid');

    const alternative = await card
      .locator('select[name="engineer"] option')
      .nth(1)
      .getAttribute('value');
    await card.locator('select[name="engineer"]').selectOption(alternative as string);
    await card.locator('select[name="reason"]').selectOption('skill_fit');
    await card.locator('button[data-action="dispatch.reassign"]').click();
    await expect.poll(() => page.locator('#toast').getAttribute('class')).toContain('ok');
    await page.screenshot({ path: join(await artifactsDir(), 'sandbox-desktop.png') });
    const [row] = await pulse.database.db
      .select()
      .from(workOrders)
      .where(eq(workOrders.code, 'WO-PAGE-2'));
    expect(row?.offeredEngineerId).toBe(alternative);
    expect(row?.offeredEngineerId).not.toBe(engineerId);
    await page.close();
  });
});
