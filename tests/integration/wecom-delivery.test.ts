import { and, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../../bot/card.js';
import { ChannelError, type Recipient } from '../../bot/channel.js';
import { MAX_SEND_ATTEMPTS, recipientOf } from '../../bot/outbox-sender.js';
import { WecomChannel, type WecomRefData } from '../../bot/wecom/channel.js';
import { ManualClock } from '../../lib/clock.js';
import { enqueueOutbox } from '../../models/outbox.js';
import { outbox, people } from '../../models/schema/index.js';
import { FakeWecomServer } from '../fakes/wecom-server.js';
import { testLog } from '../helpers/database.js';
import { startTestPulse, TEST_ADMIN_TOKEN, type TestPulse } from '../helpers/pulse.js';
import { mapPeopleToWecom, TEST_PUBLIC_URL, wecomEnv } from '../helpers/wecom.js';

const card: Card = {
  title: '新派单 · WO-DELIVERY',
  blocks: [{ type: 'text', text: '测试卡片' }],
  actions: [
    { id: 'dispatch.accept', label: '接单', style: 'primary', payload: { recommendation: 'r1' } },
    { id: 'dispatch.decline', label: '拒单', style: 'danger', payload: { recommendation: 'r1' } },
  ],
};

describe('WeCom delivery', () => {
  let fake: FakeWecomServer;
  let pulse: TestPulse;
  let clock: ManualClock;
  let engineers: Recipient[];
  let keyCounter = 0;

  beforeAll(async () => {
    fake = await FakeWecomServer.start();
    clock = new ManualClock(new Date());
    pulse = await startTestPulse({ env: wecomEnv(fake), clock, workers: false });
    await mapPeopleToWecom(pulse.database.db);
    const rows = await pulse.database.db
      .select()
      .from(people)
      .where(eq(people.role, 'engineer'))
      .orderBy(people.employeeNo);
    engineers = rows.map(recipientOf);
  });
  afterEach(() => {
    fake.clearFaults();
    fake.ipBlocked = false;
  });
  afterAll(async () => {
    await pulse?.close();
    await fake?.stop();
  });

  const recipient = (index: number) => engineers[index] as Recipient;
  const nextKey = () => `test-${++keyCounter}`;

  function channel(overrides: { secret?: string; requestTimeoutMs?: number } = {}) {
    const config = pulse.config.wecom;
    if (!config) throw new Error('WeCom is not configured');
    return new WecomChannel({
      config: { ...config, ...(overrides.secret ? { secret: overrides.secret } : {}) },
      publicUrl: TEST_PUBLIC_URL,
      db: pulse.database.db,
      clock,
      log: testLog,
      ...(overrides.requestTimeoutMs ? { requestTimeoutMs: overrides.requestTimeoutMs } : {}),
    });
  }

  const sendsOf = (taskId: string) =>
    fake.requests.filter(
      (request) =>
        request.path === '/cgi-bin/message/send' &&
        (request.body.template_card as { task_id?: string }).task_id === taskId,
    );

  async function rejection(promise: Promise<unknown>): Promise<ChannelError> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ChannelError);
    return error as ChannelError;
  }

  /** Queues the test card for the person in the outbox, as a handler would. */
  function queueCard(person: Recipient, cardKey: string, now: Date): Promise<number> {
    return enqueueOutbox(pulse.database.db, {
      orgId: person.orgId,
      kind: 'send',
      recipientId: person.personId,
      cardKey,
      card: card as unknown as Record<string, unknown>,
      now,
    });
  }

  /** Marks `count` WeCom messages to the person as sent at `at`, as earlier deliveries. */
  async function recordDeliveries(person: Recipient, count: number, at: (i: number) => Date) {
    for (let index = 0; index < count; index++) {
      const id = await queueCard(person, `earlier:${person.personId}:${index}`, at(index));
      await pulse.database.db
        .update(outbox)
        .set({ status: 'sent', channel: 'wecom', sentAt: at(index) })
        .where(eq(outbox.id, id));
    }
  }

  it('shares one token request among concurrent sends', async () => {
    const wecom = channel();
    const before = fake.tokensIssued;
    const refs = await Promise.all(
      [0, 1, 2, 3, 4].map((index) =>
        wecom.send(recipient(index), card, { idempotencyKey: nextKey(), cardKey: `c:${index}` }),
      ),
    );
    expect(fake.tokensIssued).toBe(before + 1);
    expect(new Set(refs.map((ref) => ref.id)).size).toBe(5);
    expect((refs[0]?.data as unknown as WecomRefData | undefined)?.responseCode).toBeTruthy();
  });

  it('refreshes an expired token once and retries the send once', async () => {
    const wecom = channel();
    await wecom.send(recipient(5), card, { idempotencyKey: nextKey(), cardKey: 'c:warm' });
    const before = fake.tokensIssued;
    fake.expireTokens();
    const ref = await wecom.send(recipient(5), card, {
      idempotencyKey: nextKey(),
      cardKey: 'c:expired',
    });
    expect(fake.tokensIssued).toBe(before + 1);
    expect(sendsOf(ref.id)).toHaveLength(2);
    expect(fake.messages.filter((message) => message.taskId === ref.id)).toHaveLength(1);
  });

  it('fetches a new token shortly before the old one expires', async () => {
    const wecom = channel();
    await wecom.send(recipient(6), card, { idempotencyKey: nextKey(), cardKey: 'c:early-1' });
    const before = fake.tokensIssued;
    clock.advance((7200 - 4 * 60) * 1000);
    const ref = await wecom.send(recipient(6), card, {
      idempotencyKey: nextKey(),
      cardKey: 'c:early-2',
    });
    expect(fake.tokensIssued).toBe(before + 1);
    expect(sendsOf(ref.id)).toHaveLength(1);
  });

  it('names WECOM_SECRET when WeCom rejects the secret', async () => {
    const error = await rejection(
      channel({ secret: 'wrong-secret' }).send(recipient(7), card, {
        idempotencyKey: nextKey(),
        cardKey: 'c:secret',
      }),
    );
    expect(error.code).toBe('wecom_configuration');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('WECOM_SECRET');
    expect(error.message).toContain('40001');
  });

  it('names the trusted IP list when WeCom rejects the server IP', async () => {
    fake.ipBlocked = true;
    const error = await rejection(
      channel().send(recipient(7), card, { idempotencyKey: nextKey(), cardKey: 'c:ip' }),
    );
    expect(error.code).toBe('wecom_configuration');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('企业可信IP');
  });

  it('holds back the 31st message to one member within a minute', async () => {
    const person = recipient(8);
    const now = clock.now().getTime();
    await recordDeliveries(person, 30, (index) => new Date(now - 50_000 + index * 1000));
    const error = await rejection(
      channel().send(person, card, { idempotencyKey: nextKey(), cardKey: 'c:minute' }),
    );
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(10_000);
  });

  it('holds back the 1001st message to one member within an hour', async () => {
    const person = recipient(9);
    const now = clock.now().getTime();
    await pulse.database.db.execute(sql`
      insert into outbox (org_id, kind, recipient_id, card_key, card, channel, status, attempts,
                          next_attempt_at, created_at, sent_at)
      select ${person.orgId}, 'send', ${person.personId}, 'earlier:' || i, '{}'::jsonb, 'wecom',
             'sent', 1, ts, ts, ts
      from (select i, ${new Date(now - 3_500_000).toISOString()}::timestamptz
                      + (i * interval '3 seconds') as ts
            from generate_series(0, 999) as i) deliveries`);
    const error = await rejection(
      channel().send(person, card, { idempotencyKey: nextKey(), cardKey: 'c:hour' }),
    );
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(100_000);
  });

  it('defers a message after a frequency-limit reply without counting the attempt', async () => {
    const person = recipient(10);
    fake.failNext({ path: '/cgi-bin/message/send', errcode: 45009 });
    const id = await queueCard(person, 'c:deferred', clock.now());
    await pulse.pulse.services.sender.sendDue();
    const [deferred] = await pulse.database.db.select().from(outbox).where(eq(outbox.id, id));
    expect(deferred?.status).toBe('pending');
    expect(deferred?.attempts).toBe(0);
    expect(deferred?.nextAttemptAt.getTime()).toBe(clock.now().getTime() + 60_000);

    clock.advance(61_000);
    await pulse.pulse.services.sender.sendDue();
    const [sent] = await pulse.database.db.select().from(outbox).where(eq(outbox.id, id));
    expect(sent?.status).toBe('sent');
    expect(sent?.channel).toBe('wecom');
  });

  it('retries 5xx replies, then dead-letters the message for an operator to resend', async () => {
    const person = recipient(11);
    fake.failNext({ path: '/cgi-bin/message/send', status: 502 }, MAX_SEND_ATTEMPTS);
    const id = await queueCard(person, 'c:dead', clock.now());
    for (let attempt = 1; attempt <= MAX_SEND_ATTEMPTS; attempt++) {
      await pulse.pulse.services.sender.sendDue();
      const [row] = await pulse.database.db.select().from(outbox).where(eq(outbox.id, id));
      expect(row?.attempts).toBe(attempt);
      expect(row?.status).toBe(attempt < MAX_SEND_ATTEMPTS ? 'pending' : 'dead');
      clock.advance(11 * 60_000);
    }
    const headers = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const dead = (await (
      await fetch(`${pulse.url}/api/admin/outbox/dead`, { headers })
    ).json()) as {
      items: { id: number; lastError: string; channel: string }[];
    };
    const item = dead.items.find((candidate) => candidate.id === id);
    expect(item?.lastError).toContain('HTTP 502');
    expect(item?.channel).toBe('wecom');

    const resent = await fetch(`${pulse.url}/api/admin/outbox/${id}/resend`, {
      method: 'POST',
      headers,
    });
    expect(resent.status).toBe(200);
    await pulse.pulse.services.sender.sendDue();
    const [row] = await pulse.database.db.select().from(outbox).where(eq(outbox.id, id));
    expect(row?.status).toBe('sent');
    expect(fake.cardsFor(person.wecomUserId as string)).toHaveLength(1);
  });

  it('retries a timed-out send under the same task id without a second card', async () => {
    const person = recipient(12);
    const wecom = channel({ requestTimeoutMs: 200 });
    const idempotencyKey = nextKey();
    await wecom.send(person, card, { idempotencyKey: nextKey(), cardKey: 'c:warm-timeout' });
    fake.failNext({ path: '/cgi-bin/message/send', delayMs: 600 });
    const error = await rejection(wecom.send(person, card, { idempotencyKey, cardKey: 'c:slow' }));
    expect(error.code).toBe('wecom_timeout');
    expect(error.retryable).toBe(true);
    // The slow request still reaches WeCom and delivers the card.
    await new Promise((resolve) => setTimeout(resolve, 700));

    const ref = await wecom.send(person, card, { idempotencyKey, cardKey: 'c:slow' });
    expect(fake.messages.filter((message) => message.taskId === ref.id)).toHaveLength(1);
    expect((ref.data as unknown as WecomRefData).responseCode).toBeUndefined();
  });

  it('updates with the send-time response code once, then sends a new card', async () => {
    const person = recipient(13);
    const wecom = channel();
    const options = { idempotencyKey: nextKey(), cardKey: 'c:update' };
    const sent = await wecom.send(person, card, options);
    const closed: Card = { ...card, actions: [], footer: '已关闭' };

    const first = await wecom.update(sent, card, person, { ...options, idempotencyKey: nextKey() });
    expect(first.replaced).toBeUndefined();
    expect((first.ref.data as unknown as WecomRefData).responseCode).toBeUndefined();

    const second = await wecom.update(first.ref, closed, person, {
      ...options,
      idempotencyKey: nextKey(),
    });
    expect(second.replaced).toBe(true);
    expect(second.ref.id).not.toBe(sent.id);
    expect(fake.message(second.ref.id)?.templateCard.card_type).toBe('text_notice');
  });

  it('keeps the send-time response code when a click code updates the card', async () => {
    const person = recipient(14);
    const wecom = channel();
    const sent = await wecom.send(person, card, { idempotencyKey: nextKey(), cardKey: 'c:click' });
    const clickCode = fake.issueResponseCode(sent.id);
    const updated = await wecom.update(sent, card, person, {
      idempotencyKey: nextKey(),
      cardKey: 'c:click',
      context: { responseCode: clickCode },
    });
    expect(updated.replaced).toBeUndefined();
    expect((updated.ref.data as unknown as WecomRefData).responseCode).toBe(
      (sent.data as unknown as WecomRefData).responseCode,
    );
    const [request] = fake.requests.filter(
      (candidate) =>
        candidate.path === '/cgi-bin/message/update_template_card' &&
        candidate.body.response_code === clickCode,
    );
    expect(request?.body.userids).toEqual([person.wecomUserId]);
  });

  it('replaces a card after 72 hours', async () => {
    const person = recipient(15);
    const wecom = channel();
    const sent = await wecom.send(person, card, { idempotencyKey: nextKey(), cardKey: 'c:old' });
    clock.advance(72 * 3_600_000);
    const result = await wecom.update(sent, card, person, {
      idempotencyKey: nextKey(),
      cardKey: 'c:old',
    });
    expect(result.replaced).toBe(true);
    const updates = fake.requests.filter(
      (request) =>
        request.path === '/cgi-bin/message/update_template_card' &&
        request.body.response_code === (sent.data as unknown as WecomRefData).responseCode,
    );
    expect(updates).toHaveLength(0);
  });

  it('counts only messages delivered on WeCom to that member', async () => {
    const person = recipient(16);
    const now = clock.now().getTime();
    await recordDeliveries(person, 29, (index) => new Date(now - 30_000 + index * 100));
    await pulse.database.db
      .update(outbox)
      .set({ channel: 'sandbox' })
      .where(
        and(
          eq(outbox.recipientId, person.personId),
          eq(outbox.cardKey, `earlier:${person.personId}:0`),
        ),
      );
    await recordDeliveries(recipient(17), 30, () => new Date(now - 1000));
    const ref = await channel().send(person, card, {
      idempotencyKey: nextKey(),
      cardKey: 'c:count',
    });
    expect(ref.id).toBeTruthy();
  });
});
