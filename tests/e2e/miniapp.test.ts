import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedbackRequests, okrKeyResults, people, workOrders } from '../../models/schema/index.js';
import { artifactsDir, hasChromium, launchBrowser, PHONE_VIEWPORT } from '../helpers/browser.js';
import { eventId, workOrderCreated, workOrderResolved } from '../helpers/events.js';
import { startTestPulse, type TestPulse, waitFor } from '../helpers/pulse.js';

/** Adds up layout shifts the page reports, so a test can assert the page does not jump. */
const LAYOUT_SHIFT_SCRIPT = `
  window.__layoutShift = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!entry.hadRecentInput) window.__layoutShift += entry.value;
    }
  }).observe({ type: 'layout-shift', buffered: true });
`;

describe.skipIf(!hasChromium)('mini-app in Chromium on a phone', () => {
  let pulse: TestPulse;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let shots: string;

  beforeAll(async () => {
    pulse = await startTestPulse();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'zh-CN' });
    await context.addInitScript(LAYOUT_SHIFT_SCRIPT);
    page = await context.newPage();
    shots = await artifactsDir();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await pulse?.close();
  });

  async function person(employeeNo: string) {
    const [row] = await pulse.database.db
      .select()
      .from(people)
      .where(eq(people.employeeNo, employeeNo));
    return row as typeof people.$inferSelect;
  }

  async function ordersKeyResult(ownerId: string) {
    const [row] = await pulse.database.db
      .select()
      .from(okrKeyResults)
      .where(
        and(
          eq(okrKeyResults.ownerId, ownerId),
          eq(okrKeyResults.metric, 'orders_resolved'),
          sql`not (${okrKeyResults.params} ? 'faultType')`,
        ),
      );
    return row as typeof okrKeyResults.$inferSelect;
  }

  async function orderStatus(code: string): Promise<string | undefined> {
    const result = await pulse.database.db.execute(
      sql`select status from work_orders where code = ${code}`,
    );
    return (result as unknown as { rows: { status: string }[] }).rows[0]?.status;
  }

  /** Resolves a new east-region order by `engineerNo`, rates it 1 and returns ME01's request. */
  async function lowRatingRequest(orderCode: string, engineerNo: string) {
    const manager = await person('ME01');
    expect((await pulse.postEvent(workOrderCreated({ orderId: orderCode }))).status).toBe(202);
    await waitFor(async () => ((await orderStatus(orderCode)) !== 'new' ? true : undefined));
    await pulse.postEvent(
      workOrderResolved(orderCode, new Date().toISOString(), { engineer_id: engineerNo }),
    );
    await waitFor(async () => ((await orderStatus(orderCode)) === 'resolved' ? true : undefined));
    const rating = {
      id: eventId(),
      type: 'rating.submitted',
      occurred_at: new Date().toISOString(),
      data: {
        rating_id: `R-${orderCode}`,
        work_order_id: orderCode,
        score: 1,
        comment: '工程师没有解释故障原因。',
        submitted_at: new Date().toISOString(),
      },
    };
    expect((await pulse.postEvent(rating)).status).toBe(202);
    return waitFor(async () => {
      const [row] = await pulse.database.db
        .select({ request: feedbackRequests })
        .from(feedbackRequests)
        .innerJoin(workOrders, eq(workOrders.id, feedbackRequests.workOrderId))
        .where(
          and(
            eq(feedbackRequests.giverId, manager.id),
            eq(feedbackRequests.rule, 'low_rating'),
            eq(workOrders.code, orderCode),
          ),
        );
      return row?.request;
    }, 10_000);
  }

  /** Checks that feedback request `id` was submitted through the mini-app. */
  async function expectSubmittedFromApp(id: string) {
    const [submitted] = await pulse.database.db
      .select()
      .from(feedbackRequests)
      .where(eq(feedbackRequests.id, id));
    expect(submitted?.status).toBe('submitted');
    expect(submitted?.submittedVia).toBe('miniapp');
  }

  async function signIn(target: Page, employeeNo: string) {
    await target.goto(`${pulse.url}/app/`);
    await target.waitForURL(/\/app\/login/);
    await target.locator(`[data-test="person-${employeeNo}"]`).click();
    await target.waitForURL(/\/app\/okr/);
    await target
      .locator('[data-test="section-person"], [data-test="section-team"]')
      .first()
      .waitFor();
  }

  it('signs in through the sandbox and shows the OKR tree without layout jumps', async () => {
    await signIn(page, 'EE01');
    await expect.poll(() => page.locator('[data-test="alignment"] .strategy-line').count()).toBe(3);
    expect(await page.locator('[data-test="section-person"] article').count()).toBe(3);
    await page.waitForTimeout(500);
    const shift = (await page.evaluate('window.__layoutShift')) as number;
    expect(shift).toBeLessThan(0.1);
    await page.screenshot({ path: join(shots, 'miniapp-okr.png'), fullPage: false });
  });

  it('shows a key result’s progress change after a work_order.resolved event', async () => {
    const engineer = await person('EE01');
    const keyResult = await ordersKeyResult(engineer.id);
    const value = page.locator(`[data-test="kr-${keyResult.id}"] [data-test="kr-value"]`);
    const before = keyResult.current ?? 0;
    await expect.poll(() => value.textContent()).toBe(`${before} / ${keyResult.target}`);

    expect((await pulse.postEvent(workOrderCreated({ orderId: 'WO-APP-1' }))).status).toBe(202);
    await waitFor(async () => ((await orderStatus('WO-APP-1')) !== 'new' ? true : undefined));
    const resolved = workOrderResolved('WO-APP-1', new Date().toISOString(), {
      engineer_id: 'EE01',
      first_time_fix: true,
    });
    expect((await pulse.postEvent(resolved)).status).toBe(202);
    await waitFor(async () =>
      (await ordersKeyResult(engineer.id)).current === before + 1 ? true : undefined,
    );

    await page.reload();
    await expect
      .poll(() => value.textContent(), { timeout: 5000 })
      .toBe(`${before + 1} / ${keyResult.target}`);
    // Every order the engineer resolved this week, seeded or new, traces to a key result.
    await expect
      .poll(() => page.locator('[data-test="alignment"]').textContent())
      .toMatch(/本周解决 (\d+) 单，其中 \1 单计入关键结果/);
  });

  it('rejects a check-in without confidence, then records one', async () => {
    const engineer = await person('EE01');
    const keyResult = await ordersKeyResult(engineer.id);
    await page.locator(`[data-test="kr-${keyResult.id}"]`).click();
    await page.waitForURL(/\/app\/okr\/kr\//);
    await page.locator('[data-test="history-chart"] canvas').waitFor();
    await page.locator('[data-test="checkin-submit"]').click();
    await expect
      .poll(() => page.locator('[data-test="error-confidence"]').textContent())
      .toBe('请选择信心（1 到 5）');
    await page.locator('[data-test="confidence"] .van-rate__item').nth(3).click();
    await page.locator('[data-test="checkin-form"] textarea').fill('本周节奏正常。');
    await page.locator('[data-test="checkin-submit"]').click();
    await expect
      .poll(() => page.locator('.van-cell-group').first().textContent())
      .toContain('信心 4/5');
    await page.screenshot({ path: join(shots, 'miniapp-key-result.png') });
  });

  it('opens every tab and switches the language', async () => {
    await page.locator('.van-toast').waitFor({ state: 'hidden' });
    for (const tab of ['feedback', 'learning', 'record', 'okr']) {
      await page.locator(`[data-test="tab-${tab}"]`).click();
      await page.locator(`[data-test="page-${tab}"]`).waitFor();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(shots, `miniapp-${tab}.png`) });
    }
    expect(await page.locator('[data-test="tab-team"]').count()).toBe(0);
    await page.locator('[data-test="language"]').click();
    await expect
      .poll(() => page.locator('[data-test="tab-okr"]').textContent())
      .toContain('My OKRs');
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    await expect
      .poll(() => page.locator('[data-test="alignment"] h3').textContent())
      .toBe('My work this week');
    await page.screenshot({ path: join(shots, 'miniapp-okr-en.png') });
    const engineer = await waitFor(async () => {
      const row = await person('EE01');
      return row.locale === 'en' ? row : undefined;
    });
    expect(engineer.locale).toBe('en');
    await page.locator('[data-test="language"]').click();
    await expect
      .poll(() => page.locator('[data-test="tab-okr"]').textContent())
      .toContain('我的 OKR');
  });

  it('keeps the loaded page and says so when the network drops', async () => {
    await page.locator('[data-test="tab-record"]').click();
    await page.locator('[data-test="page-record"]').waitFor();
    await page.locator('[data-test="tab-okr"]').click();
    await page.locator('[data-test="section-person"]').waitFor();
    await context.setOffline(true);
    await page.locator('[data-test="tab-record"]').click();
    await page.locator('[data-test="offline"]').waitFor();
    await page.locator('[data-test="record-met"]').waitFor();
    await page.screenshot({ path: join(shots, 'miniapp-offline.png') });
    await context.setOffline(false);
    await page.locator('[data-test="offline"]').waitFor({ state: 'detached' });
  });

  it('fits a 360 px screen', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.locator('[data-test="tab-okr"]').click();
    await page.locator('[data-test="section-person"]').waitFor();
    const overflow = (await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    )) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize(PHONE_VIEWPORT);
  });

  it('gives a manager the team tab and a feedback form to fill', async () => {
    const managerContext = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'zh-CN' });
    const managerPage = await managerContext.newPage();
    await signIn(managerPage, 'ME01');
    await managerPage.locator('[data-test="tab-team"]').click();
    await managerPage.locator('[data-test="page-team"] .van-cell').first().waitFor();
    expect(await managerPage.locator('[data-test="page-team"] section').count()).toBe(1);
    await managerPage.screenshot({ path: join(shots, 'miniapp-team.png') });

    const request = await lowRatingRequest('WO-APP-2', 'EE02');

    await managerPage.locator('[data-test="tab-feedback"]').click();
    const item = managerPage.locator(`[data-test="feedback-${request.id}"]`);
    await item.waitFor();
    expect(await item.locator('[data-test="countdown"]').textContent()).toMatch(/剩余 4[67] 小时/);
    await managerPage.screenshot({ path: join(shots, 'miniapp-feedback.png') });
    await item.click();
    await managerPage.locator('[data-test="feedback-form"]').waitFor();
    await managerPage
      .locator('[data-test="field-fact"] textarea')
      .fill('客户评分 1 分，反馈没有解释故障原因。');
    await managerPage.locator('[data-test="field-impact"] textarea').fill('太短');
    await managerPage
      .locator('[data-test="field-suggestion"] textarea')
      .fill('到场后先向科室说明故障原因和预计修复时间。');
    await managerPage.locator('[data-test="feedback-submit"]').click();
    const impactError = managerPage.locator('[data-test="field-impact"] .van-field__error-message');
    await expect.poll(() => impactError.textContent()).toBe('至少 10 个字，现在 2 个');
    const [stillOpen] = await pulse.database.db
      .select()
      .from(feedbackRequests)
      .where(eq(feedbackRequests.id, request.id));
    expect(stillOpen?.status).not.toBe('submitted');
    await managerPage.screenshot({ path: join(shots, 'miniapp-feedback-form.png') });

    await managerPage
      .locator('[data-test="field-impact"] textarea')
      .fill('科室对我们的专业度产生怀疑，可能影响续约。');
    await managerPage.locator('[data-test="feedback-submit"]').click();
    await managerPage.waitForURL(/\/app\/feedback\?box=sent/);
    await managerPage.locator(`[data-test="feedback-${request.id}"]`).waitFor();
    await expectSubmittedFromApp(request.id);
    await managerContext.close();

    const engineerContext = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'zh-CN' });
    const engineerPage = await engineerContext.newPage();
    await signIn(engineerPage, 'EE02');
    await engineerPage.locator('[data-test="tab-record"]').click();
    await expect
      .poll(() => engineerPage.locator('[data-test="record-feedback"]').textContent())
      .toContain('科室对我们的专业度产生怀疑');
    await engineerPage.screenshot({ path: join(shots, 'miniapp-record.png') });
    await engineerContext.close();
  });

  it('opens a feedback form by its card link without a session', async () => {
    const request = await lowRatingRequest('WO-APP-3', 'EE03');
    const linkContext = await browser.newContext({ viewport: PHONE_VIEWPORT, locale: 'zh-CN' });
    const linkPage = await linkContext.newPage();

    await linkPage.goto(`${pulse.url}/app/feedback/${request.id}?token=wrong-token`);
    await expect
      .poll(() => linkPage.locator('[role="alert"]').textContent())
      .toContain('请从反馈卡片重新打开');
    expect(linkPage.url()).toContain(`/app/feedback/${request.id}`);

    await linkPage.goto(`${pulse.url}/app/feedback/${request.id}?token=${request.formToken}`);
    await linkPage.locator('[data-test="feedback-form"]').waitFor();
    expect(linkPage.url()).not.toContain('/login');
    await linkPage
      .locator('[data-test="field-fact"] textarea')
      .fill('客户评分 1 分，现场没有说明故障原因。');
    await linkPage
      .locator('[data-test="field-impact"] textarea')
      .fill('科室对维修进度不清楚，投诉到设备科。');
    await linkPage
      .locator('[data-test="field-suggestion"] textarea')
      .fill('离场前向科室说明故障原因和后续安排。');
    await linkPage.locator('[data-test="feedback-submit"]').click();
    await linkPage.locator('[data-test="feedback-closed"]').waitFor();
    await expectSubmittedFromApp(request.id);
    await linkContext.close();
  });
});
