import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyResultSnapshot } from '../../domain/feedback/rules.js';
import type { KeyResultSource } from '../../jobs/key-results.js';
import { ManualClock } from '../../lib/clock.js';
import type { FeedbackRequest } from '../../models/feedback.js';
import { listMeasureRows } from '../../models/feedback-sources.js';
import { workOrders } from '../../models/schema/index.js';
import { eventId } from '../helpers/events.js';
import {
  cardByKey,
  created,
  hoursLater,
  post,
  rated,
  requestCount,
  requestsOf,
  resolved,
  runJob,
  settle,
  startFeedbackPulse,
} from '../helpers/feedback.js';
import { type TestPulse, waitFor } from '../helpers/pulse.js';
import type { SandboxClient, SandboxPerson } from '../helpers/sandbox.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Key results that the mid-period job reads in place of the OKR tables. */
const keyResults: KeyResultSnapshot[] = [];
const keyResultSource: KeyResultSource = { listKeyResults: async () => keyResults };

describe('feedback rules, one scenario per kind', () => {
  const clock = new ManualClock('2026-12-01T09:00:00+08:00');
  let pulse: TestPulse;
  let sandbox: SandboxClient;
  let byNo: (employeeNo: string) => SandboxPerson;
  let manager: SandboxPerson;

  beforeAll(async () => {
    const started = await startFeedbackPulse(clock, { keyResults: keyResultSource });
    ({ pulse, sandbox, byNo } = started);
    manager = byNo('ME01');
  });
  afterAll(async () => {
    await pulse?.close();
  });

  /** Checks the request's pair and that its giver got the form card; returns the card. */
  async function expectRequest(
    request: FeedbackRequest | undefined,
    giver: SandboxPerson,
    receiver: SandboxPerson,
  ) {
    expect(request).toBeDefined();
    expect(request?.giverId).toBe(giver.id);
    expect(request?.receiverId).toBe(receiver.id);
    const card = await cardByKey(sandbox, giver.id, `feedback:${request?.id}:giver`);
    expect(card.card.actions.map((action) => action.id)).toEqual([
      'feedback.submit',
      'feedback.assess',
    ]);
    for (const action of card.card.actions)
      expect(action.payload).toEqual({ request: request?.id });
    expect(card.card.inputs?.map((input) => input.name)).toEqual([
      'assessment',
      'fact',
      'impact',
      'suggestion',
    ]);
    const receiverCards = await sandbox.messages(receiver.id);
    expect(receiverCards.some((m) => m.cardKey.startsWith(`feedback:${request?.id}`))).toBe(false);
    return card;
  }

  async function offeredEngineer(code: string): Promise<string> {
    return waitFor(async () => {
      const [row] = await pulse.database.db
        .select()
        .from(workOrders)
        .where(eq(workOrders.code, code));
      return row?.offeredEngineerId ?? undefined;
    });
  }

  it('low rating: manager gives feedback to the engineer', async () => {
    const now = clock.now();
    await post(pulse, created({ orderId: 'WO-LOW', at: now }));
    await post(pulse, resolved('WO-LOW', now, 'EE03'));
    await post(pulse, rated('WO-LOW', now, 2, '态度冷淡，没有解释原因。'));
    const [request] = await requestsOf(pulse, 'low_rating');
    const card = await expectRequest(request, manager, byNo('EE03'));
    expect(JSON.stringify(card.card.blocks)).toContain('WO-LOW');
    expect(request?.dueAt.getTime()).toBe(now.getTime() + 48 * HOUR);
  });

  it('recognition: five stars with praise', async () => {
    const now = clock.now();
    await post(pulse, created({ orderId: 'WO-PRAISE', at: now }));
    await post(pulse, resolved('WO-PRAISE', now, 'EE04'));
    await post(pulse, rated('WO-PRAISE', now, 5, '非常专业，一次修好。'));
    await post(pulse, created({ orderId: 'WO-PLAIN5', at: now }));
    await post(pulse, resolved('WO-PLAIN5', now, 'EE04'));
    await post(pulse, rated('WO-PLAIN5', now, 5));
    const [request] = await requestsOf(pulse, 'recognition');
    await expectRequest(request, manager, byNo('EE04'));
    await settle(pulse);
    expect(await requestCount(pulse, 'recognition')).toBe(1);
  });

  it('work order reopened: feedback to the engineer who resolved it', async () => {
    const now = clock.now();
    await post(pulse, created({ orderId: 'WO-REOPEN', at: now }));
    await post(pulse, resolved('WO-REOPEN', now, 'EE05'));
    await post(pulse, {
      id: eventId('reopened'),
      type: 'work_order.reopened',
      occurred_at: now.toISOString(),
      data: { work_order_id: 'WO-REOPEN', reopened_at: now.toISOString(), reason: '再次报警' },
    });
    const [request] = await requestsOf(pulse, 'work_order_reopened');
    await expectRequest(request, manager, byNo('EE05'));
  });

  it('first-time fix failed: a second visit was reported', async () => {
    const now = clock.now();
    await post(pulse, created({ orderId: 'WO-FTF', at: now }));
    await post(pulse, resolved('WO-FTF', now, 'EE03', { first_time_fix: false }));
    const [request] = await requestsOf(pulse, 'first_time_fix_failed');
    await expectRequest(request, manager, byNo('EE03'));
  });

  it('shadow review: mentor reviews the apprentice’s job', async () => {
    const now = clock.now();
    const apprentice = byNo('EE08');
    await post(pulse, created({ orderId: 'WO-SHADOW', at: now }));
    await post(pulse, resolved('WO-SHADOW', now, 'EE08'));
    const [request] = await requestsOf(pulse, 'shadow_review');
    await expectRequest(request, byNo('EE01'), apprentice);
  });

  it('complaint received: manager gives feedback to the engineer named', async () => {
    const now = clock.now();
    await post(pulse, {
      id: eventId('complaint'),
      type: 'complaint.received',
      occurred_at: now.toISOString(),
      data: {
        complaint_id: 'CP-1',
        engineer_id: 'EE06',
        received_at: now.toISOString(),
        description: '工程师迟到两个小时且未提前告知。',
      },
    });
    const [request] = await requestsOf(pulse, 'complaint_received');
    await expectRequest(request, manager, byNo('EE06'));
  });

  it('repeat fault: same device fails again within 30 days', async () => {
    const first = clock.now();
    await post(pulse, created({ orderId: 'WO-DEV-1', at: first, deviceId: 'DEV-REPEAT' }));
    await post(pulse, resolved('WO-DEV-1', first, 'EE07'));
    await settle(pulse);
    const later = new Date(first.getTime() + 10 * DAY);
    clock.set(later);
    await post(pulse, created({ orderId: 'WO-DEV-2', at: later, deviceId: 'DEV-REPEAT' }));
    const [request] = await requestsOf(pulse, 'repeat_fault');
    await expectRequest(request, manager, byNo('EE07'));
    expect(request?.facts.previousOrder).toBe('WO-DEV-1');
    expect(request?.facts.days).toBe(10);

    clock.set(new Date(later.getTime() + 40 * DAY));
    await post(pulse, created({ orderId: 'WO-DEV-3', at: clock.now(), deviceId: 'DEV-REPEAT' }));
    await settle(pulse);
    expect(await requestCount(pulse, 'repeat_fault')).toBe(1);
  });

  it('SLA breached: first response and resolution deadlines missed', async () => {
    const now = clock.now();
    await post(
      pulse,
      created({
        orderId: 'WO-SLA',
        at: now,
        sla: { respond_by: hoursLater(now, 1), resolve_by: hoursLater(now, 3) },
      }),
    );
    const engineerId = await offeredEngineer('WO-SLA');
    await settle(pulse);
    expect((await runJob(pulse, 'sla-breaches')).result?.requested).toBe(0);

    clock.advance(2 * HOUR);
    expect((await runJob(pulse, 'sla-breaches')).result?.requested).toBe(1);
    clock.advance(2 * HOUR);
    expect((await runJob(pulse, 'sla-breaches')).result?.requested).toBe(1);
    clock.advance(1);
    expect((await runJob(pulse, 'sla-breaches')).result?.requested).toBe(0);

    const requests = await requestsOf(pulse, 'sla_breached', 2);
    const engineer = { id: engineerId } as SandboxPerson;
    for (const request of requests) await expectRequest(request, manager, engineer);
    expect(requests.map((r) => r.facts.target).sort()).toEqual(['first_response', 'resolution']);
  });

  it('hand-off timeout: the receiving team’s manager gets feedback', async () => {
    const now = clock.now();
    await post(pulse, created({ orderId: 'WO-HAND', at: now }));
    for (const [handoff, acceptBy] of [
      ['H-LATE', hoursLater(now, 2)],
      ['H-ONTIME', hoursLater(now, 2)],
    ] as const) {
      await post(pulse, {
        id: eventId('handoff'),
        type: 'work_order.handoff_requested',
        occurred_at: now.toISOString(),
        data: {
          work_order_id: 'WO-HAND',
          handoff_id: handoff,
          from_team: 'east',
          to_team: 'north',
          requested_by: 'EE03',
          requested_at: now.toISOString(),
          accept_by: acceptBy,
        },
      });
    }
    await post(pulse, {
      id: eventId('accepted'),
      type: 'work_order.handoff_accepted',
      occurred_at: hoursLater(now, 1),
      data: {
        work_order_id: 'WO-HAND',
        handoff_id: 'H-ONTIME',
        accepted_by: 'EN02',
        accepted_at: hoursLater(now, 1),
      },
    });
    await settle(pulse);
    clock.advance(3 * HOUR);
    expect((await runJob(pulse, 'handoff-timeouts')).result).toEqual({ checked: 2, requested: 1 });
    const [request] = await requestsOf(pulse, 'handoff_timeout');
    await expectRequest(request, byNo('EE03'), byNo('MN01'));
    expect(request?.facts.toTeam).toBe('华北区');

    // The late acceptance by the north team is the other team's first action.
    const acceptedAt = hoursLater(now, 3.5);
    await post(pulse, {
      id: eventId('accepted'),
      type: 'work_order.handoff_accepted',
      occurred_at: acceptedAt,
      data: {
        work_order_id: 'WO-HAND',
        handoff_id: 'H-LATE',
        accepted_by: 'EN03',
        accepted_at: acceptedAt,
      },
    });
    await settle(pulse);
    const rows = await listMeasureRows(pulse.database.db, request?.orgId as string, {
      from: now,
      to: new Date(now.getTime() + DAY),
    });
    const row = rows.find((r) => r.event_key === request?.eventKey);
    expect(row?.team_id).toBe(request?.teamId);
    expect(new Date(row?.other_team_action_at as string).toISOString()).toBe(acceptedAt);
  });

  it('dispatch overridden: the manager explains to the passed-over engineer', async () => {
    await post(pulse, created({ orderId: 'WO-OVERRIDE', at: clock.now() }));
    const recommended = await offeredEngineer('WO-OVERRIDE');
    const managerCard = await waitFor(async () =>
      (await sandbox.messages(manager.id)).find(
        (m) =>
          m.card.title.includes('WO-OVERRIDE') &&
          m.card.actions.some((a) => a.id === 'dispatch.reassign'),
      ),
    );
    const alternative = managerCard.card.inputs?.find((i) => i.name === 'engineer')?.options?.[0]
      ?.value as string;
    const click = await sandbox.click(managerCard.id, 'dispatch.reassign', manager.id, {
      engineer: alternative,
      reason: 'customer_preference',
    });
    expect(click.status).toBe(200);
    const [request] = await requestsOf(pulse, 'dispatch_overridden');
    await expectRequest(request, manager, { id: recommended } as SandboxPerson);
  });

  it('repeated declines: three in a week', async () => {
    let decliner: string | undefined;
    let declines = 0;
    for (let n = 1; n <= 8 && declines < 3; n++) {
      const code = `WO-DECLINE-${n}`;
      await post(pulse, created({ orderId: code, at: clock.now(), faultType: 'ventilator' }));
      const offered = await offeredEngineer(code);
      decliner ??= offered;
      if (offered !== decliner) continue;
      const card = await waitFor(async () =>
        (await sandbox.messages(offered)).find(
          (m) =>
            m.card.title.includes(code) && m.card.actions.some((a) => a.id === 'dispatch.decline'),
        ),
      );
      expect((await sandbox.click(card.id, 'dispatch.decline', offered)).status).toBe(200);
      declines += 1;
      if (declines < 3) expect(await requestCount(pulse, 'repeated_declines')).toBe(0);
      clock.advance(HOUR);
    }
    expect(declines).toBe(3);
    const [request] = await requestsOf(pulse, 'repeated_declines');
    await expectRequest(request, manager, { id: decliner } as SandboxPerson);
    expect(request?.facts.count).toBe(3);
  });

  it('key result off track at mid period', async () => {
    const owner = byNo('EE09');
    // A period two thirds gone: the first key result has 10% progress, the second 75%.
    const day = (offset: number) =>
      new Date(clock.now().getTime() + offset * DAY).toISOString().slice(0, 10);
    keyResults.push(
      {
        id: 'kr-behind',
        title: '一次修复率 90%',
        ownerId: owner.id,
        baseline: 0,
        current: 10,
        target: 100,
        periodStart: day(-60),
        periodEnd: day(30),
      },
      {
        id: 'kr-on-track',
        title: '课程完成 4 门',
        ownerId: owner.id,
        baseline: 0,
        current: 3,
        target: 4,
        periodStart: day(-60),
        periodEnd: day(30),
      },
    );
    const outcome = await runJob(pulse, 'key-results-midpoint');
    expect(outcome.result).toEqual({ checked: 2, requested: 1 });
    const [request] = await requestsOf(pulse, 'key_result_off_track');
    await expectRequest(request, manager, owner);
    clock.advance(60_000);
    expect((await runJob(pulse, 'key-results-midpoint')).result).toEqual({
      checked: 2,
      requested: 0,
    });
  });
});
