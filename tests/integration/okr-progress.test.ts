import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue } from '../../domain/okr/metrics.js';
import { readMetricInputs } from '../../handlers/okr/metric-readers.js';
import type { JobRunResult } from '../../jobs/runner.js';
import {
  findScopedKeyResult,
  listScopedKeyResults,
  type ScopedKeyResult,
} from '../../models/okr.js';
import { findOrgBySlug } from '../../models/orgs.js';
import {
  feedbackRequests,
  okrProgressHistory,
  okrStrategies,
  okrWorkOrderLinks,
  workOrders,
} from '../../models/schema/index.js';
import { eventId, workOrderCreated, workOrderResolved } from '../helpers/events.js';
import { startTestPulse, TEST_ADMIN_TOKEN, type TestPulse, waitFor } from '../helpers/pulse.js';
import { SandboxClient, type SandboxMessage } from '../helpers/sandbox.js';

/** Returns the counts of a job run, after checking that this instance ran it. */
function resultOfRun(run: JobRunResult): Record<string, unknown> {
  expect(run.status).toBe('ran');
  return run.status === 'ran' ? run.result : {};
}

describe('OKR progress from work-order events', () => {
  let pulse: TestPulse;
  let sandbox: SandboxClient;
  let orgId: string;
  let timeZone: string;

  beforeAll(async () => {
    pulse = await startTestPulse();
    sandbox = new SandboxClient(pulse.url);
    const org = await findOrgBySlug(pulse.database.db, 'demo');
    orgId = org?.id as string;
    timeZone = org?.timezone as string;
  });
  afterAll(async () => {
    await pulse?.close();
  });

  const keyResults = () => listScopedKeyResults(pulse.database.db, orgId);
  const personKeyResult = async (engineerId: string, metric: string, faultType?: string) =>
    (await keyResults()).find(
      (kr) =>
        kr.personId === engineerId && kr.metric === metric && kr.params.faultType === faultType,
    ) as ScopedKeyResult;

  async function order(code: string) {
    const [row] = await pulse.database.db
      .select()
      .from(workOrders)
      .where(eq(workOrders.code, code));
    return row;
  }

  async function offeredOrder(code: string) {
    expect((await pulse.postEvent(workOrderCreated({ orderId: code }))).status).toBe(202);
    return waitFor(async () => (await order(code))?.offeredEngineerId ?? undefined);
  }

  async function cardFor(personId: string, match: (m: SandboxMessage) => boolean) {
    return waitFor(async () => (await sandbox.messages(personId)).find(match), 5000, 'card');
  }

  it('seeds three strategies and key results that match a recompute', async () => {
    const strategies = await pulse.database.db
      .select()
      .from(okrStrategies)
      .where(eq(okrStrategies.orgId, orgId));
    expect(strategies.map((s) => s.position).sort()).toEqual([1, 2, 3]);
    const all = await keyResults();
    expect(all.length).toBeGreaterThan(100);
    expect(new Set(all.map((kr) => kr.level))).toEqual(new Set(['company', 'team', 'person']));
    let withData = 0;
    for (const keyResult of all) {
      const inputs = await readMetricInputs(pulse.database.db, keyResult, timeZone);
      const recomputed = metricValue(keyResult.metric, inputs);
      // The seed sums in memory and the query in SQL, so a rounded mean may differ by one step.
      expect(recomputed === null, keyResult.title).toBe(keyResult.current === null);
      expect(Math.abs((keyResult.current ?? 0) - (recomputed ?? 0)), keyResult.title).toBeLessThan(
        0.1001,
      );
      if (keyResult.current !== null && keyResult.current > 0) withData += 1;
    }
    expect(withData).toBeGreaterThan(50);
  });

  it('shows the moved key result on the dispatch card', async () => {
    const engineerId = await offeredOrder('WO-OKR-1');
    const card = await cardFor(engineerId, (m) => m.card.title.includes('WO-OKR-1'));
    const progress = card.card.blocks.find(
      (block) => (block as { type: string }).type === 'progress',
    ) as { label: string; target: number } | undefined;
    expect(progress?.target).toBe(100);
    expect(progress?.label).toBeTruthy();
  });

  it('recomputes key results and links the order when it is resolved', async () => {
    const engineerId = await offeredOrder('WO-OKR-2');
    const counted = await personKeyResult(engineerId, 'orders_resolved');
    const before = counted.current ?? 0;
    const engineer = (await sandbox.people()).find((p) => p.id === engineerId);
    const resolved = workOrderResolved('WO-OKR-2', new Date().toISOString(), {
      engineer_id: engineer?.employeeNo,
      first_time_fix: true,
    });
    expect((await pulse.postEvent(resolved)).status).toBe(202);

    const after = await waitFor(async () => {
      const now = await personKeyResult(engineerId, 'orders_resolved');
      return now.current === before + 1 ? now : undefined;
    });
    expect(after.progress).toBeCloseTo(Math.min(1, (before + 1) / after.target), 5);
    const history = await pulse.database.db
      .select()
      .from(okrProgressHistory)
      .where(
        and(
          eq(okrProgressHistory.keyResultId, counted.id),
          eq(okrProgressHistory.cause, 'work_order.resolved'),
        ),
      );
    expect(history.map((row) => row.value)).toContain(before + 1);

    const row = await order('WO-OKR-2');
    const links = await pulse.database.db
      .select()
      .from(okrWorkOrderLinks)
      .where(eq(okrWorkOrderLinks.workOrderId, row?.id as string));
    const linked = new Set(links.map((link) => link.keyResultId));
    expect(linked.has(counted.id)).toBe(true);
    const companyFtf = (await keyResults()).find(
      (kr) => kr.level === 'company' && kr.metric === 'first_time_fix_rate',
    );
    expect(linked.has(companyFtf?.id as string)).toBe(true);
    expect(links.every((link) => link.engineerId === engineerId)).toBe(true);

    const done = await cardFor(engineerId, (m) => m.cardKey.startsWith(`okr-done:${row?.id}`));
    const bars = done.card.blocks.filter((b) => (b as { type: string }).type === 'progress');
    expect(bars.length).toBeGreaterThan(0);
    expect(JSON.stringify(done.card.blocks)).toContain('一次修好');
  });

  it('takes a reopened order out of the count', async () => {
    const engineerId = await offeredOrder('WO-OKR-3');
    const engineer = (await sandbox.people()).find((p) => p.id === engineerId);
    await pulse.postEvent(
      workOrderResolved('WO-OKR-3', new Date().toISOString(), {
        engineer_id: engineer?.employeeNo,
      }),
    );
    const resolvedCount = await waitFor(async () => {
      const row = await order('WO-OKR-3');
      if (row?.status !== 'resolved') return undefined;
      return (await personKeyResult(engineerId, 'orders_resolved')).current ?? 0;
    });
    const reopen = {
      id: eventId(),
      type: 'work_order.reopened',
      occurred_at: new Date().toISOString(),
      data: { work_order_id: 'WO-OKR-3', reopened_at: new Date().toISOString() },
    };
    expect((await pulse.postEvent(reopen)).status).toBe(202);
    await waitFor(async () => {
      const now = await personKeyResult(engineerId, 'orders_resolved');
      return now.current === resolvedCount - 1 ? now : undefined;
    });
  });

  it('recomputes the rating key results on a rating', async () => {
    const engineerId = await offeredOrder('WO-OKR-4');
    const engineer = (await sandbox.people()).find((p) => p.id === engineerId);
    await pulse.postEvent(
      workOrderResolved('WO-OKR-4', new Date().toISOString(), {
        engineer_id: engineer?.employeeNo,
      }),
    );
    await waitFor(async () =>
      (await order('WO-OKR-4'))?.status === 'resolved' ? true : undefined,
    );
    const rating = await personKeyResult(engineerId, 'mean_rating');
    const history = async () =>
      pulse.database.db
        .select()
        .from(okrProgressHistory)
        .where(
          and(
            eq(okrProgressHistory.keyResultId, rating.id),
            eq(okrProgressHistory.cause, 'rating.submitted'),
          ),
        );
    expect(await history()).toHaveLength(0);
    const submitted = {
      id: eventId(),
      type: 'rating.submitted',
      occurred_at: new Date().toISOString(),
      data: {
        rating_id: 'R-OKR-4',
        work_order_id: 'WO-OKR-4',
        score: 1,
        repurchase_intent: 2,
        submitted_at: new Date().toISOString(),
      },
    };
    expect((await pulse.postEvent(submitted)).status).toBe(202);
    const rows = await waitFor(async () => {
      const found = await history();
      return found.length > 0 ? found : undefined;
    });
    const updated = await personKeyResult(engineerId, 'mean_rating');
    expect(rows[0]?.value).toBe(updated.current);
    if (rating.current !== null) expect(updated.current).toBeLessThan(rating.current);
  });
});

describe('weekly OKR check-ins', () => {
  let pulse: TestPulse;
  let sandbox: SandboxClient;

  beforeAll(async () => {
    pulse = await startTestPulse();
    sandbox = new SandboxClient(pulse.url);
  });
  afterAll(async () => {
    await pulse?.close();
  });

  const run = async () => {
    const response = await fetch(`${pulse.url}/api/admin/okr/checkins/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { sent: number };
  };

  it('sends each card once and records a check-in from the card', async () => {
    const unauthorised = await fetch(`${pulse.url}/api/admin/okr/checkins/run`, {
      method: 'POST',
    });
    expect(unauthorised.status).toBe(401);
    const first = await run();
    expect(first.sent).toBeGreaterThan(100);
    expect((await run()).sent).toBe(0);

    const people = await sandbox.people();
    const engineer = people.find((p) => p.employeeNo === 'EE03');
    const other = people.find((p) => p.employeeNo === 'EE04');
    const card = await waitFor(
      async () =>
        (await sandbox.messages(engineer?.id as string)).find((m) =>
          m.cardKey.startsWith('okr-checkin:'),
        ),
      5000,
      'check-in card',
    );
    expect(card.card.actions.map((a) => a.id)).toEqual(['okr.checkin']);

    const missing = await sandbox.click(card.id, 'okr.checkin', engineer?.id as string, {});
    expect(missing.status).toBe(400);
    expect((missing.body.error as { field: string }).field).toBe('values.confidence');
    const wrong = await sandbox.click(card.id, 'okr.checkin', engineer?.id as string, {
      confidence: '9',
    });
    expect(wrong.status).toBe(400);
    const stranger = await sandbox.click(card.id, 'okr.checkin', other?.id as string, {
      confidence: '4',
    });
    expect(stranger.status).toBe(403);

    const done = await sandbox.click(card.id, 'okr.checkin', engineer?.id as string, {
      confidence: '4',
      comment: '备件已到，下周能补上进度。',
    });
    expect(done.status).toBe(200);
    const answered = await waitFor(async () => {
      const latest = (await sandbox.messages(engineer?.id as string)).find((m) => m.id === card.id);
      return latest && latest.card.actions.length === 0 ? latest : undefined;
    });
    expect(answered.card.footer).toContain('4/5');
    const again = await sandbox.click(card.id, 'okr.checkin', engineer?.id as string, {
      confidence: '5',
    });
    expect(again.status).toBe(409);
  });
});

describe('OKR jobs and feedback', () => {
  let pulse: TestPulse;

  beforeAll(async () => {
    pulse = await startTestPulse();
  });
  afterAll(async () => {
    await pulse?.close();
  });

  const jobs = () => pulse.pulse.services.jobs as NonNullable<typeof pulse.pulse.services.jobs>;

  it('sends check-in cards on Monday 09:00 local only', async () => {
    // 2026-12-07 is a Monday; 01:00 UTC is 09:00 in Shanghai.
    const tuesday = await jobs().run(
      'okr-weekly-checkins',
      new Date('2026-12-08T01:00:00Z'),
      'cron',
    );
    expect(resultOfRun(tuesday).organisations).toBe(0);
    const mondayTen = await jobs().run(
      'okr-weekly-checkins',
      new Date('2026-12-07T02:00:00Z'),
      'cron',
    );
    expect(resultOfRun(mondayTen).organisations).toBe(0);
    const monday = await jobs().run(
      'okr-weekly-checkins',
      new Date('2026-12-07T01:00:00Z'),
      'cron',
    );
    expect(resultOfRun(monday).organisations).toBe(1);
    expect(Number(resultOfRun(monday).sent)).toBeGreaterThan(100);
  });

  it('feeds key results off track to the mid-period feedback job', async () => {
    const run = await jobs().run('key-results-midpoint', new Date(), 'manual');
    expect(run.status).toBe('ran');
    const result = run.status === 'ran' ? run.result : {};
    expect(Number(result.checked)).toBeGreaterThan(100);
    expect(Number(result.requested)).toBeGreaterThan(0);
  });

  it('counts submitted feedback towards the feedback key result', async () => {
    const db = pulse.database.db;
    const company = (
      await listScopedKeyResults(db, (await findOrgBySlug(db, 'demo'))?.id as string)
    ).find((kr) => kr.metric === 'feedback_completed' && kr.level === 'company') as ScopedKeyResult;
    const [request] = await db
      .select()
      .from(feedbackRequests)
      .where(eq(feedbackRequests.rule, 'key_result_off_track'))
      .limit(1);
    expect(request).toBeDefined();
    const response = await fetch(`${pulse.url}/api/feedback/${request?.id}/submit`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-feedback-token': request?.formToken as string,
      },
      body: JSON.stringify({
        values: {
          fact: '本季度首次修复率目前为 62%，低于 90% 的目标。',
          impact: '二次上门让客户等待更久，也占用了团队的工时。',
          suggestion: '出发前按故障代码核对备件清单，下周一起复盘两单。',
        },
      }),
    });
    expect(response.status).toBe(200);
    const updated = await findScopedKeyResult(db, company.orgId, company.id);
    expect(updated?.current).toBe((company.current ?? 0) + 1);
  });
});
