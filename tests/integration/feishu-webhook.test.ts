import { and, count, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dispatchDecisions, inbox, outbox, people, workOrders } from '../../models/schema/index.js';
import { cardButtons } from '../fakes/feishu-cards.js';
import type { FakeFeishu, FakeMessage } from '../fakes/feishu-server.js';
import { workOrderCreated } from '../helpers/events.js';
import { openIdOf, processedFeishuEvent, startFeishuPulse } from '../helpers/feishu.js';
import { type TestPulse, waitFor } from '../helpers/pulse.js';

describe('Feishu webhook', () => {
  let fake: FakeFeishu;
  let pulse: TestPulse;
  let close: () => Promise<void>;
  let counter = 0;

  beforeAll(async () => {
    ({ fake, pulse, close } = await startFeishuPulse());
  });
  afterAll(async () => {
    await close?.();
  });
  afterEach(() => {
    expect(fake.violations).toEqual([]);
  });

  const db = () => pulse.database.db;

  async function order(code: string) {
    const [row] = await db().select().from(workOrders).where(eq(workOrders.code, code));
    return row;
  }

  /** Everything a rejected request must leave unchanged. */
  async function snapshot() {
    const [inboxRows] = await db().select({ n: count() }).from(inbox);
    const [outboxRows] = await db().select({ n: count() }).from(outbox);
    const [decisions] = await db().select({ n: count() }).from(dispatchDecisions);
    return { inbox: inboxRows?.n, outbox: outboxRows?.n, decisions: decisions?.n };
  }

  /** Creates an order and returns the engineer it went to and their card on Feishu. */
  async function offeredOrder() {
    const code = `WO-FS-HOOK-${++counter}`;
    expect((await pulse.postEvent(workOrderCreated({ orderId: code }))).status).toBe(202);
    const engineerId = await waitFor(
      async () => (await order(code))?.offeredEngineerId ?? undefined,
    );
    const openId = await openIdOf(pulse, engineerId);
    const message = await waitFor(async () =>
      fake.messagesTo(openId).find((m) => JSON.stringify(m.card).includes(code)),
    );
    return { code, engineerId, openId, message };
  }

  /** Builds the payload of an accept click on `message` by `openId`, to post signed and encrypted. */
  function acceptPayload(
    message: FakeMessage,
    openId: string,
    options: { token?: string; eventId?: string } = {},
  ) {
    const accept = cardButtons(message.card).find((b) => b.value.action === 'dispatch.accept');
    return fake.envelope(
      'card.action.trigger',
      {
        operator: { open_id: openId },
        token: fake.issueCallbackToken(message.messageId),
        action: { tag: 'button', value: accept?.value },
        context: { open_message_id: message.messageId, open_chat_id: message.chatId },
      },
      options,
    );
  }

  it('passes an encrypted URL verification', async () => {
    const before = await snapshot();
    const payload = {
      challenge: 'challenge-1',
      token: fake.verificationToken,
      type: 'url_verification',
    };
    const response = await fake.post(pulse.url, payload, { sign: false });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: 'challenge-1' });
    expect(await snapshot()).toEqual(before);
  });

  it('rejects a URL verification with a wrong token', async () => {
    const payload = { challenge: 'challenge-2', token: 'guess', type: 'url_verification' };
    const response = await fake.post(pulse.url, payload, { sign: false });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('bad_token');
  });

  it('responds to a click with the new card', async () => {
    const { code, engineerId, openId, message } = await offeredOrder();
    const clicked = await fake.click(pulse.url, {
      messageId: message.messageId,
      operator: { open_id: openId },
      actionId: 'dispatch.accept',
    });
    expect(clicked.status).toBe(200);
    expect(clicked.outcome).toBe('ok');
    expect(clicked.toast?.type).toBe('success');
    expect(cardButtons(clicked.card).map((b) => b.value.action)).toEqual([]);
    expect((await order(code))?.status).toBe('accepted');
    expect((await order(code))?.assignedEngineerId).toBe(engineerId);

    // The response carried the update, so its outbox row is sent and nothing updates it again.
    const updates = await db()
      .select()
      .from(outbox)
      .where(and(eq(outbox.recipientId, engineerId), eq(outbox.kind, 'update')));
    expect(updates.map((row) => row.status)).toEqual(['sent']);
    const managerPatched = await waitFor(async () =>
      [...fake.messages.values()].find(
        (m) => JSON.stringify(m.card).includes(code) && m.changes.includes('patch'),
      ),
    );
    expect(managerPatched.receiveId).not.toBe(openId);
    expect(fake.messages.get(message.messageId)?.changes).toEqual(['response']);
  });

  it('identifies a clicker by user id', async () => {
    const { code, engineerId, message } = await offeredOrder();
    const [engineer] = await db().select().from(people).where(eq(people.id, engineerId));
    await db()
      .update(people)
      .set({ feishuOpenId: null, feishuUserId: `u_${counter}` })
      .where(eq(people.id, engineerId));
    try {
      const clicked = await fake.click(pulse.url, {
        messageId: message.messageId,
        operator: { open_id: 'ou_not_imported', user_id: `u_${counter}` },
        actionId: 'dispatch.accept',
      });
      expect(clicked.outcome).toBe('ok');
    } finally {
      await db()
        .update(people)
        .set({ feishuOpenId: engineer?.feishuOpenId ?? null, feishuUserId: null })
        .where(eq(people.id, engineerId));
    }
    expect((await order(code))?.assignedEngineerId).toBe(engineerId);
  });

  it('rejects a tampered click without side effects', async () => {
    const { code, openId, message } = await offeredOrder();
    const before = await snapshot();
    const response = await fake.post(pulse.url, acceptPayload(message, openId), {
      tamper: (body) => body.replace('{"encrypt":"', '{"encrypt": "'),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'bad_signature',
    );
    expect(await snapshot()).toEqual(before);
    expect((await order(code))?.status).toBe('offered');
  });

  it('rejects a stale click without side effects', async () => {
    const { code, openId, message } = await offeredOrder();
    const before = await snapshot();
    const response = await fake.post(pulse.url, acceptPayload(message, openId), {
      timestamp: Math.floor(Date.now() / 1000) - 301,
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'stale_timestamp',
    );
    expect(await snapshot()).toEqual(before);
    expect((await order(code))?.status).toBe('offered');
  });

  it('rejects a click with a wrong verification token', async () => {
    const { code, openId, message } = await offeredOrder();
    const before = await snapshot();
    const response = await fake.post(
      pulse.url,
      acceptPayload(message, openId, { token: 'stolen' }),
    );
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('bad_token');
    expect(await snapshot()).toEqual(before);
    expect((await order(code))?.status).toBe('offered');
  });

  it('processes a redelivered click once', async () => {
    const { code, openId, message } = await offeredOrder();
    const eventId = `ev-redelivered-${counter}`;
    const payload = acceptPayload(message, openId, { eventId });
    const first = await fake.post(pulse.url, payload);
    const second = await fake.post(pulse.url, payload);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.headers.get('x-pulse-outcome')).toBe('ok');
    expect(second.headers.get('x-pulse-outcome')).toBe('ok');
    const row = await order(code);
    const accepted = await db()
      .select()
      .from(dispatchDecisions)
      .where(
        and(
          eq(dispatchDecisions.workOrderId, row?.id as string),
          eq(dispatchDecisions.kind, 'accepted'),
        ),
      );
    expect(accepted).toHaveLength(1);
    const stored = await db()
      .select()
      .from(inbox)
      .where(and(eq(inbox.source, 'feishu'), eq(inbox.sourceId, eventId)));
    expect(stored).toHaveLength(1);
  });

  it('processes a retried event once', async () => {
    const payload = fake.envelope(
      'im.message.receive_v1',
      {
        sender: { sender_id: { open_id: 'ou_EE01' }, sender_type: 'user' },
        message: { message_type: 'text', content: JSON.stringify({ text: '查看我的工单' }) },
      },
      { eventId: 'ev-retried-message' },
    );
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fake.post(pulse.url, payload)).status);
    expect(statuses).toEqual([200, 200, 200]);
    const row = await processedFeishuEvent(pulse, 'ev-retried-message');
    expect(row.status).toBe('done');
    expect(row.attempts).toBe(1);
    const rows = await db()
      .select()
      .from(inbox)
      .where(and(eq(inbox.source, 'feishu'), eq(inbox.sourceId, 'ev-retried-message')));
    expect(rows).toHaveLength(1);
  });

  it('names the missing input of a click and stores nothing', async () => {
    const { code } = await offeredOrder();
    const managerMessage = await waitFor(async () =>
      [...fake.messages.values()].find(
        (m) => JSON.stringify(m.card).includes(code) && m.receiveId.startsWith('ou_M'),
      ),
    );
    const before = await snapshot();
    const clicked = await fake.click(pulse.url, {
      messageId: managerMessage.messageId,
      operator: { open_id: managerMessage.receiveId },
      actionId: 'dispatch.reassign',
      values: { note: 'no reason given' },
    });
    expect(clicked.outcome).toBe('invalid_input');
    expect(clicked.toast?.type).toBe('error');
    // The toast names the missing select by the label on the card, in both toast languages.
    expect(clicked.toast?.content).toBe(
      'Fill in or choose "改派给" first. Fill in or choose "改派原因" first.',
    );
    const i18n = (clicked.toast as { i18n?: { zh_cn?: string } } | undefined)?.i18n;
    expect(i18n?.zh_cn).toBe('请先填写或选择“改派给”。 请先填写或选择“改派原因”。');
    expect(await snapshot()).toEqual(before);
  });

  it('rejects a click on an unknown card', async () => {
    const { openId, message } = await offeredOrder();
    const payload = acceptPayload(message, openId);
    const action = (payload.event as { action: { value: { card_key: string } } }).action;
    action.value = { ...action.value, card_key: 'dispatch:unknown:engineer:unknown' };
    const before = await snapshot();
    const response = await fake.post(pulse.url, payload);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-pulse-outcome')).toBe('unknown_card');
    expect(((await response.json()) as { toast: { type: string } }).toast.type).toBe('error');
    expect(await snapshot()).toEqual(before);
  });

  it('updates a slow click after the response', async () => {
    const { code, openId, message } = await offeredOrder();
    const cardKey = String(cardButtons(message.card)[0]?.value.card_key);
    // An earlier pending event of the same card keeps the click waiting, as a slow handler would.
    const [blocker] = await db()
      .insert(inbox)
      .values({
        orgId: (await order(code))?.orgId as string,
        source: 'test',
        sourceId: `blocker-${counter}`,
        type: 'card.action',
        orderingKey: `card:${cardKey.split(':').slice(0, 2).join(':')}`,
        payload: {},
        payloadHash: 'blocker',
        receivedAt: new Date(),
        nextAttemptAt: new Date(Date.now() + 3_600_000),
      })
      .returning();
    const clicked = await fake.click(pulse.url, {
      messageId: message.messageId,
      operator: { open_id: openId },
      actionId: 'dispatch.accept',
    });
    expect(clicked.outcome).toBe('pending');
    expect(clicked.toast?.type).toBe('info');
    expect(clicked.card).toBeUndefined();

    await db()
      .update(inbox)
      .set({ status: 'rejected' })
      .where(eq(inbox.id, blocker?.id as number));
    pulse.pulse.services.processor.wake();
    const updated = await waitFor(
      async () =>
        fake.messages.get(message.messageId)?.changes.includes('token') ? true : undefined,
      15_000,
      'the delayed update of the clicked card',
    );
    expect(updated).toBe(true);
    expect((await order(code))?.status).toBe('accepted');
    const card = fake.messages.get(message.messageId)?.card;
    expect(cardButtons(card).map((b) => b.value.action)).toEqual([]);
  });
});

describe('Feishu webhook without an Encrypt Key', () => {
  let fake: FakeFeishu;
  let pulse: TestPulse;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ fake, pulse, close } = await startFeishuPulse({ encryptKey: undefined }));
  });
  afterAll(async () => {
    await close?.();
  });

  it('passes a plaintext URL verification', async () => {
    const payload = {
      challenge: 'plain-1',
      token: fake.verificationToken,
      type: 'url_verification',
    };
    const response = await fake.post(pulse.url, payload);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: 'plain-1' });
  });

  it('checks the verification token of events', async () => {
    const event = {
      sender: { sender_id: { open_id: 'ou_EE02' } },
      message: { message_type: 'text', content: '{"text":"hi"}' },
    };
    const wrong = fake.envelope('im.message.receive_v1', event, {
      token: 'guess',
      eventId: 'ev-p1',
    });
    expect((await fake.post(pulse.url, wrong)).status).toBe(401);
    const [stored] = await pulse.database.db.select({ n: count() }).from(inbox);
    expect(stored?.n).toBe(0);
    const right = fake.envelope('im.message.receive_v1', event, { eventId: 'ev-p2' });
    expect((await fake.post(pulse.url, right)).status).toBe(200);
    expect((await processedFeishuEvent(pulse, 'ev-p2')).status).toBe('done');
  });
});
