import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../lib/clock.js';
import { findFeedbackRequest, insertFeedbackRequest } from '../../models/feedback.js';
import { developmentRecords, feedbackRequests } from '../../models/schema/index.js';
import {
  cardByKey,
  cardsWithPrefix,
  created,
  post,
  rated,
  requestsOf,
  resolved,
  runJob,
  settle,
  startFeedbackPulse,
  VALID_ANSWERS,
} from '../helpers/feedback.js';
import { TEST_ADMIN_TOKEN, type TestPulse, waitFor } from '../helpers/pulse.js';
import type { SandboxClient, SandboxPerson } from '../helpers/sandbox.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('feedback request lifecycle', () => {
  const clock = new ManualClock('2026-12-01T09:00:00+08:00');
  let pulse: TestPulse;
  let sandbox: SandboxClient;
  let byNo: (employeeNo: string) => SandboxPerson;
  let orderCounter = 0;

  beforeAll(async () => {
    ({ pulse, sandbox, byNo } = await startFeedbackPulse(clock));
  });
  afterAll(async () => {
    await pulse?.close();
  });

  /** Makes a low-rating request from the east manager to `engineerNo` and returns it. */
  async function lowRatingRequest(engineerNo = 'EE03') {
    const code = `WO-LC-${++orderCounter}`;
    const now = clock.now();
    await post(pulse, created({ orderId: code, at: now }));
    await post(pulse, resolved(code, now, engineerNo));
    await post(pulse, rated(code, now, 1, '等了很久也没有说明原因。'));
    const request = await waitFor(async () =>
      (await requestsOf(pulse, 'low_rating')).find((r) => r.facts.order === code),
    );
    return request;
  }

  async function records(requestId: string) {
    return pulse.database.db
      .select()
      .from(developmentRecords)
      .where(eq(developmentRecords.sourceId, requestId));
  }

  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${pulse.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(init.headers ?? {}) },
    });

  it('creates one request for a redelivered event', async () => {
    const now = clock.now();
    await post(pulse, created({ orderId: 'WO-DUP', at: now }));
    await post(pulse, resolved('WO-DUP', now, 'EE04'));
    const rating = rated('WO-DUP', now, 2);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await pulse.postEvent(rating)).status);
    expect(statuses).toEqual([202, 200, 200]);
    await settle(pulse);
    const rows = (await requestsOf(pulse, 'low_rating')).filter((r) => r.facts.order === 'WO-DUP');
    expect(rows).toHaveLength(1);
    const request = rows[0];
    if (!request) throw new Error('no request');

    const again = await insertFeedbackRequest(pulse.database.db, {
      orgId: request.orgId,
      rule: request.rule,
      eventKey: request.eventKey,
      giverId: request.giverId,
      receiverId: request.receiverId,
      facts: {},
      occurredAt: now,
      requestedAt: now,
      dueAt: now,
      formToken: 'another',
    });
    expect(again).toBeUndefined();
    await cardByKey(sandbox, request.giverId, `feedback:${request.id}:giver`);
    const cards = await cardsWithPrefix(sandbox, request.giverId, `feedback:${request.id}`);
    expect(cards).toHaveLength(1);
  });

  it('marks the request sent once the card is delivered', async () => {
    const request = await lowRatingRequest();
    const sent = await waitFor(async () => {
      const row = await findFeedbackRequest(pulse.database.db, request.id);
      return row?.status === 'sent' ? row : undefined;
    });
    expect(sent.sentAt?.getTime()).toBe(clock.now().getTime());
  });

  it('submits from the sandbox: archived, shown to the receiver, card done', async () => {
    const request = await lowRatingRequest();
    const manager = byNo('ME01');
    const engineer = byNo('EE03');
    const card = await cardByKey(sandbox, manager.id, `feedback:${request.id}:giver`);

    const stranger = await sandbox.click(card.id, 'feedback.submit', engineer.id, VALID_ANSWERS);
    expect(stranger.status).toBe(403);
    expect((stranger.body.error as { code: string }).code).toBe('not_permitted');

    const short = await sandbox.click(card.id, 'feedback.submit', manager.id, {
      ...VALID_ANSWERS,
      fact: '太短',
    });
    expect(short.status).toBe(400);
    expect((short.body.error as { field: string }).field).toBe('values.fact');
    const missing = await sandbox.click(card.id, 'feedback.submit', manager.id, {
      fact: VALID_ANSWERS.fact,
      impact: VALID_ANSWERS.impact,
    });
    expect(missing.status).toBe(400);
    expect((missing.body.error as { field: string }).field).toBe('values.suggestion');
    expect((await findFeedbackRequest(pulse.database.db, request.id))?.submittedAt).toBeNull();
    expect(await records(request.id)).toHaveLength(0);

    const done = await sandbox.click(card.id, 'feedback.submit', manager.id, {
      ...VALID_ANSWERS,
      assessment: 'improve',
    });
    expect(done.status).toBe(200);
    const row = await findFeedbackRequest(pulse.database.db, request.id);
    expect(row?.status).toBe('submitted');
    expect(row?.submittedVia).toBe('sandbox');
    const [record] = await records(request.id);
    expect(record?.personId).toBe(engineer.id);
    expect(record?.giverId).toBe(manager.id);
    expect(record?.fact).toBe(VALID_ANSWERS.fact);
    expect(record?.assessment).toBe('improve');

    const received = await cardByKey(sandbox, engineer.id, `feedback:${request.id}:receiver`);
    expect(JSON.stringify(received.card.blocks)).toContain(VALID_ANSWERS.suggestion);
    const closed = await cardByKey(
      sandbox,
      manager.id,
      `feedback:${request.id}:giver`,
      (m) => m.card.actions.length === 0,
    );
    expect(closed.card.footer).toBeTruthy();
    expect(closed.card.inputs ?? []).toHaveLength(0);

    const twice = await sandbox.click(card.id, 'feedback.submit', manager.id, VALID_ANSWERS);
    expect(twice.status).toBe(409);
    expect(await records(request.id)).toHaveLength(1);
  });

  it('submits through the mini-app form; invalid input changes nothing', async () => {
    const request = await lowRatingRequest('EE05');
    const base = `${pulse.url}/api/feedback/${request.id}`;
    const headers = { 'content-type': 'application/json', 'x-feedback-token': request.formToken };

    const page = await fetch(
      `${pulse.url}/app/feedback/${request.id}?token=${encodeURIComponent(request.formToken)}`,
    );
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    const wrongToken = await fetch(base, { headers: { 'x-feedback-token': 'wrong' } });
    expect(wrongToken.status).toBe(401);

    const details = await fetch(base, { headers });
    expect(details.status).toBe(200);
    const form = (await details.json()) as {
      receiver: { name: string };
      fields: { name: string }[];
    };
    expect(form.receiver.name).toBe(byNo('EE05').name);
    expect(form.fields.map((field) => field.name)).toEqual(['fact', 'impact', 'suggestion']);
    expect((await fetch(base)).status).toBe(401);

    // Messages are in the giver's language (Chinese in the demo) and name the field's label.
    const invalid = [
      [
        { ...VALID_ANSWERS, impact: '  ' },
        'values.impact',
        { rule: 'required', limit: 10 },
        '请填写影响（造成了什么），至少 10 个字。',
      ],
      [
        { ...VALID_ANSWERS, suggestion: 'x'.repeat(501) },
        'values.suggestion',
        { rule: 'max_length', limit: 500, length: 501 },
        '建议（下次怎么做）最多 500 个字（现在 501 个）。',
      ],
      [
        { ...VALID_ANSWERS, assessment: 'great' },
        'values.assessment',
        { rule: 'choice' },
        '请从列出的选项中选择快速评价。',
      ],
    ] as const;
    for (const [values, field, violation, message] of invalid) {
      const response = await fetch(`${base}/submit`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ values }),
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { field: string; message: string } };
      expect(body.error.field).toBe(field);
      expect(body.error.message).toBe(message);
      expect(body.error).toMatchObject(violation);
    }
    const noToken = await fetch(`${base}/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ values: VALID_ANSWERS }),
    });
    expect(noToken.status).toBe(401);
    const unchanged = await findFeedbackRequest(pulse.database.db, request.id);
    expect(unchanged?.submittedAt).toBeNull();
    expect(await records(request.id)).toHaveLength(0);

    const ok = await fetch(`${base}/submit`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ values: VALID_ANSWERS }),
    });
    expect(ok.status).toBe(200);
    const row = await findFeedbackRequest(pulse.database.db, request.id);
    expect(row?.status).toBe('submitted');
    expect(row?.submittedVia).toBe('miniapp');
    expect(await records(request.id)).toHaveLength(1);
    await cardByKey(sandbox, byNo('EE05').id, `feedback:${request.id}:receiver`);
    await cardByKey(
      sandbox,
      byNo('ME01').id,
      `feedback:${request.id}:giver`,
      (m) => m.card.actions.length === 0,
    );
    const again = await fetch(`${base}/submit`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ values: VALID_ANSWERS }),
    });
    expect(again.status).toBe(409);
  });

  it('records a quick assessment before the form', async () => {
    const request = await lowRatingRequest('EE04');
    const manager = byNo('ME01');
    const card = await cardByKey(sandbox, manager.id, `feedback:${request.id}:giver`);

    const stranger = await sandbox.click(card.id, 'feedback.assess', byNo('EE04').id, {
      assessment: 'discuss',
    });
    expect(stranger.status).toBe(403);
    const bogus = await sandbox.click(card.id, 'feedback.assess', manager.id, { assessment: 'x' });
    expect(bogus.status).toBe(400);
    expect((bogus.body.error as { field: string }).field).toBe('values.assessment');
    expect((await findFeedbackRequest(pulse.database.db, request.id))?.assessment).toBeNull();

    const quick = await sandbox.click(card.id, 'feedback.assess', manager.id, {
      assessment: 'discuss',
    });
    expect(quick.status).toBe(200);
    const row = await findFeedbackRequest(pulse.database.db, request.id);
    expect(row?.assessment).toBe('discuss');
    expect(row?.submittedAt).toBeNull();
    const updated = await cardByKey(
      sandbox,
      manager.id,
      `feedback:${request.id}:giver`,
      (m) => m.version > 1,
    );
    expect(updated.card.footer).toBeTruthy();
    expect(updated.card.actions.map((a) => a.id)).toContain('feedback.submit');

    const form = await fetch(`${pulse.url}/api/feedback/${request.id}`, {
      headers: { 'x-feedback-token': request.formToken },
    });
    expect(((await form.json()) as { assessment: string }).assessment).toBe('discuss');
    const submitted = await fetch(`${pulse.url}/api/feedback/${request.id}/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-feedback-token': request.formToken },
      body: JSON.stringify({ values: VALID_ANSWERS }),
    });
    expect(submitted.status).toBe(200);
    const [record] = await records(request.id);
    expect(record?.assessment).toBe('discuss');
  });

  it('reminds at 24 and 4 hours, then expires and escalates', async () => {
    const request = await lowRatingRequest('EE06');
    const manager = byNo('ME01');
    const hr = byNo('H001');
    const dueAt = request.dueAt.getTime();
    const reminders = () => cardsWithPrefix(sandbox, manager.id, `feedback:${request.id}:reminder`);

    clock.set(new Date(dueAt - 25 * HOUR));
    expect((await runJob(pulse, 'feedback-reminders')).result?.reminders).toBe(0);

    clock.set(new Date(dueAt - 24 * HOUR + MINUTE));
    expect((await runJob(pulse, 'feedback-reminders')).result?.reminders).toBeGreaterThanOrEqual(1);
    await cardByKey(sandbox, manager.id, `feedback:${request.id}:reminder:24h`);
    clock.advance(MINUTE);
    await runJob(pulse, 'feedback-reminders');
    expect((await findFeedbackRequest(pulse.database.db, request.id))?.status).toBe('reminded');

    clock.set(new Date(dueAt - 4 * HOUR + MINUTE));
    await runJob(pulse, 'feedback-reminders');
    await cardByKey(sandbox, manager.id, `feedback:${request.id}:reminder:4h`);
    clock.advance(MINUTE);
    await runJob(pulse, 'feedback-reminders');
    expect((await runJob(pulse, 'feedback-expiry')).result?.expired).toBe(0);
    await settle(pulse);
    expect(await reminders()).toHaveLength(2);

    clock.set(new Date(dueAt + MINUTE));
    const expiry = await runJob(pulse, 'feedback-expiry');
    expect(expiry.result?.escalated).toBeGreaterThanOrEqual(1);
    const row = await findFeedbackRequest(pulse.database.db, request.id);
    expect(row?.status).toBe('expired');
    expect(row?.escalatedToId).toBe(hr.id);
    await cardByKey(sandbox, hr.id, `feedback:${request.id}:escalation`);
    await cardByKey(
      sandbox,
      manager.id,
      `feedback:${request.id}:giver`,
      (m) => m.card.actions.length === 0,
    );

    clock.advance(MINUTE);
    await runJob(pulse, 'feedback-expiry');
    await settle(pulse);
    expect(await cardsWithPrefix(sandbox, hr.id, `feedback:${request.id}`)).toHaveLength(1);
    const late = await fetch(`${pulse.url}/api/feedback/${request.id}/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-feedback-token': request.formToken },
      body: JSON.stringify({ values: VALID_ANSWERS }),
    });
    expect(late.status).toBe(409);
  });

  it('changes rule settings and rejects invalid ones by field', async () => {
    const unknownJob = await admin('/api/admin/jobs/no-such-job/run', { method: 'POST' });
    expect(unknownJob.status).toBe(404);
    expect(((await unknownJob.json()) as { error: { message: string } }).error.message).toContain(
      'feedback-reminders',
    );
    const anonymous = await fetch(`${pulse.url}/api/admin/jobs/feedback-expiry/run`, {
      method: 'POST',
    });
    expect(anonymous.status).toBe(401);

    const list = await admin('/api/admin/orgs/demo/feedback/rules');
    expect(list.status).toBe(200);
    const rules = ((await list.json()) as { items: { kind: string; due_hours: number }[] }).items;
    expect(rules).toHaveLength(12);
    expect(rules.every((rule) => rule.due_hours === 48)).toBe(true);

    const put = (kind: string, body: unknown) =>
      admin(`/api/admin/orgs/demo/feedback/rules/${kind}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const cases = [
      ['low_rating', { giver: 'team_manager' }, 'giver'],
      ['low_rating', { receiver: 'manager' }, 'receiver'],
      ['low_rating', { threshold: 9 }, 'threshold'],
      ['low_rating', { due_hours: 0 }, 'due_hours'],
      ['low_rating', { colour: 'red' }, 'colour'],
      ['work_order_reopened', { threshold: 2 }, 'threshold'],
      ['no_such_rule', { enabled: false }, 'kind'],
    ] as const;
    for (const [kind, body, field] of cases) {
      const response = await put(kind, body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { field: string } }).error.field).toBe(field);
    }

    const changed = await put('recognition', { enabled: false });
    expect(changed.status).toBe(200);
    const lowered = await put('low_rating', { threshold: 4, due_hours: 24 });
    expect(((await lowered.json()) as { threshold: number }).threshold).toBe(4);

    const now = clock.now();
    await post(pulse, created({ orderId: 'WO-SETTINGS', at: now }));
    await post(pulse, resolved('WO-SETTINGS', now, 'EE07'));
    await post(pulse, rated('WO-SETTINGS', now, 3, '还行。'));
    await post(pulse, created({ orderId: 'WO-SETTINGS-5', at: now }));
    await post(pulse, resolved('WO-SETTINGS-5', now, 'EE07'));
    await post(pulse, rated('WO-SETTINGS-5', now, 5, '非常好，谢谢！'));
    const request = await waitFor(async () =>
      (await requestsOf(pulse, 'low_rating')).find((r) => r.facts.order === 'WO-SETTINGS'),
    );
    expect(request.dueAt.getTime() - request.requestedAt.getTime()).toBe(24 * HOUR);
    await settle(pulse);
    const praise = await pulse.database.db
      .select()
      .from(feedbackRequests)
      .where(eq(feedbackRequests.rule, 'recognition'));
    expect(praise).toHaveLength(0);
    await put('recognition', { enabled: true });
    await put('low_rating', { threshold: 3, due_hours: 48 });
  });

  it('reports response time and on-time completion per team and month', async () => {
    const bad = await admin('/api/admin/orgs/demo/feedback/measures?month=2026-13');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('month');

    const response = await admin('/api/admin/orgs/demo/feedback/measures?month=2026-12');
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      timezone: string;
      from: string;
      teams: {
        team: { code: string } | null;
        responseTime: { events: number; responded: number; medianHours: number | null };
        completion: { requests: number; submittedOnTime: number; expired: number; rate: number };
      }[];
    };
    expect(body.timezone).toBe('Asia/Shanghai');
    expect(body.from).toBe('2026-11-30T16:00:00.000Z');
    const east = body.teams.find((team) => team.team?.code === 'east');
    expect(east).toBeDefined();
    const total = await pulse.database.db.select().from(feedbackRequests);
    expect(east?.completion.requests).toBe(total.length);
    expect(east?.completion.submittedOnTime).toBe(3);
    expect(east?.completion.expired).toBeGreaterThanOrEqual(1);
    expect(east?.responseTime.responded).toBeGreaterThanOrEqual(3);
    expect(east?.responseTime.medianHours).toBe(0);

    const empty = await admin('/api/admin/orgs/demo/feedback/measures?month=2026-10');
    expect(((await empty.json()) as { teams: unknown[] }).teams).toEqual([]);
  });
});
