import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../../bot/card.js';
import { ChannelError, type MessageRef, type Recipient } from '../../bot/channel.js';
import { FeishuApi } from '../../bot/feishu/api.js';
import { renderFeishuCard } from '../../bot/feishu/card.js';
import { FeishuChannel } from '../../bot/feishu/channel.js';
import { systemClock } from '../../lib/clock.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { outbox, workOrders } from '../../models/schema/index.js';
import { cardButtons } from '../fakes/feishu-cards.js';
import { FakeFeishu } from '../fakes/feishu-server.js';
import { testLog } from '../helpers/database.js';
import { workOrderCreated } from '../helpers/events.js';
import { openIdOf, startFeishuPulse } from '../helpers/feishu.js';
import { TEST_ADMIN_TOKEN, type TestPulse, waitFor } from '../helpers/pulse.js';

const card: Card = {
  title: 'Work order WO-1',
  tone: 'info',
  blocks: [{ type: 'text', text: 'CT tube overheats.' }],
  actions: [{ id: 'dispatch.accept', label: 'Accept', style: 'primary', payload: { r: '1' } }],
};
const closedCard: Card = { ...card, actions: [], footer: 'Accepted' };

let recipientCounter = 0;
function recipient(overrides: Partial<Recipient> = {}): Recipient {
  recipientCounter += 1;
  return {
    personId: `person-${recipientCounter}`,
    orgId: 'org-1',
    name: `Person ${recipientCounter}`,
    wecomUserId: null,
    feishuOpenId: `ou_test_${recipientCounter}`,
    feishuUserId: null,
    ...overrides,
  };
}

let keyCounter = 0;
function sendOptions() {
  keyCounter += 1;
  return { idempotencyKey: `pulse-${keyCounter}`, cardKey: `test:${keyCounter}:card` };
}

async function rejection(promise: Promise<unknown>): Promise<ChannelError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ChannelError) return error;
    throw error;
  }
  throw new Error('expected a ChannelError');
}

describe('Feishu channel against the fake Feishu', () => {
  let fake: FakeFeishu;
  let channel: FeishuChannel;

  const makeChannel = (overrides: { appSecret?: string; log?: Logger } = {}) =>
    new FeishuChannel({
      appId: fake.appId,
      appSecret: overrides.appSecret ?? fake.appSecret,
      verificationToken: fake.verificationToken,
      encryptKey: fake.encryptKey,
      apiBase: fake.url,
      clock: systemClock,
      log: overrides.log ?? testLog,
    });

  beforeAll(async () => {
    fake = new FakeFeishu();
    await fake.start();
    channel = makeChannel();
  });
  afterAll(async () => {
    await fake?.stop();
  });
  afterEach(() => {
    expect(fake.violations).toEqual([]);
  });

  it('shares one token fetch among concurrent sends', async () => {
    const before = fake.tokenRequests;
    const fresh = makeChannel();
    const refs = await Promise.all(
      Array.from({ length: 10 }, () => fresh.send(recipient(), card, sendOptions())),
    );
    expect(new Set(refs.map((ref) => ref.id)).size).toBe(10);
    expect(fake.tokenRequests - before).toBe(1);
  });

  it('refreshes an expired token once for concurrent sends', async () => {
    await channel.send(recipient(), card, sendOptions());
    fake.expireTenantTokens();
    const before = fake.tokenRequests;
    const refs = await Promise.all(
      Array.from({ length: 8 }, () => channel.send(recipient(), card, sendOptions())),
    );
    expect(refs).toHaveLength(8);
    expect(fake.tokenRequests - before).toBe(1);
    expect(fake.callCount('send', 99991663)).toBeGreaterThan(0);
  });

  it('sends one message per idempotency key', async () => {
    const to = recipient();
    const options = sendOptions();
    const first = await channel.send(to, card, options);
    const again = await channel.send(to, card, options);
    expect(again.id).toBe(first.id);
    expect(fake.messagesTo(to.feishuOpenId as string)).toHaveLength(1);
  });

  it('sends to the user id when there is no open id', async () => {
    const to = recipient({ feishuOpenId: null, feishuUserId: 'u_only_user_id' });
    const ref = await channel.send(to, card, sendOptions());
    expect(ref.data?.receiveIdType).toBe('user_id');
    expect(fake.messages.get(ref.id)?.receiveId).toBe('u_only_user_id');
  });

  it('sends to a chat id', async () => {
    const api = new FeishuApi({
      appId: fake.appId,
      appSecret: fake.appSecret,
      apiBase: fake.url,
      clock: systemClock,
      log: testLog,
    });
    const sent = await api.sendCard(
      { type: 'chat_id', id: 'oc_team_east' },
      renderFeishuCard(card, 'test:chat:card'),
      'uuid-chat-1',
    );
    expect(sent.chatId).toBe('oc_team_east');
    expect(fake.messages.get(sent.messageId)?.receiveIdType).toBe('chat_id');
  });

  it('refuses a person without Feishu ids for good', async () => {
    const error = await rejection(
      channel.send(recipient({ feishuOpenId: null }), card, sendOptions()),
    );
    expect(error.code).toBe('unreachable');
    expect(error.retryable).toBe(false);
  });

  it('spaces sends to one person within the per-user limit', async () => {
    const to = recipient();
    const refs = await Promise.all(
      Array.from({ length: 7 }, () => channel.send(to, card, sendOptions())),
    );
    expect(refs).toHaveLength(7);
    expect(fake.callCount('send', 230020)).toBe(0);
    expect(fake.messagesTo(to.feishuOpenId as string)).toHaveLength(7);
  });

  it('defers after a 429 for the reset time', async () => {
    fake.failNext('send', {
      status: 429,
      body: { code: 99991400, msg: 'request trigger frequency limit' },
      headers: { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': '3' },
    });
    const error = await rejection(channel.send(recipient(), card, sendOptions()));
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(3000);
  });

  it('gives up on a person outside the availability scope', async () => {
    fake.failNext('send', { status: 400, body: { code: 230013, msg: 'user not in scope' } });
    const error = await rejection(channel.send(recipient(), card, sendOptions()));
    expect(error.code).toBe('outside_availability');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('230013');
  });

  it('retries a server error', async () => {
    fake.failNext('send', { status: 500, body: { code: 1, msg: 'internal error' } });
    const error = await rejection(channel.send(recipient(), card, sendOptions()));
    expect(error.retryable).toBe(true);
  });

  it('refuses wrong app credentials for good', async () => {
    const wrong = makeChannel({ appSecret: 'wrong-secret' });
    const error = await rejection(wrong.send(recipient(), card, sendOptions()));
    expect(error.code).toBe('credentials_rejected');
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain('wrong-secret');
  });

  it('refuses a card over the size limit for good', async () => {
    const options = Array.from({ length: 600 }, (_, i) => ({
      value: `value-${i}`,
      label: `A long option label number ${i}`,
    }));
    const huge: Card = { ...card, inputs: [{ type: 'select', name: 'x', label: 'X', options }] };
    const error = await rejection(channel.send(recipient(), huge, sendOptions()));
    expect(error.code).toBe('card_too_large');
    expect(error.retryable).toBe(false);
  });

  it('patches a card without a click', async () => {
    const to = recipient();
    const options = sendOptions();
    const ref = await channel.send(to, card, options);
    const result = await channel.update(ref, closedCard, to, options);
    expect(result).toEqual({ ref });
    const message = fake.messages.get(ref.id);
    expect(message?.changes).toEqual(['patch']);
    expect(cardButtons(message?.card)).toEqual([]);
  });

  it('sends a new card when the message is too old to patch', async () => {
    const to = recipient();
    const options = sendOptions();
    const ref = await channel.send(to, card, options);
    fake.ageMessage(ref.id, 15);
    const result = await channel.update(ref, closedCard, to, options);
    expect(result.replaced).toBe(true);
    expect(result.ref.id).not.toBe(ref.id);
    expect(fake.callCount('patch', 230031)).toBe(1);
    expect(fake.messagesTo(to.feishuOpenId as string)).toHaveLength(2);
  });

  it('skips the patch of a message known to be too old', async () => {
    const to = recipient();
    const options = sendOptions();
    const sent = await channel.send(to, card, options);
    const old: MessageRef = {
      ...sent,
      data: { ...sent.data, sentAt: new Date(Date.now() - 15 * 86_400_000).toISOString() },
    };
    const patches = fake.callCount('patch');
    const result = await channel.update(old, closedCard, to, options);
    expect(result.replaced).toBe(true);
    expect(fake.callCount('patch')).toBe(patches);
  });

  it('keeps secrets and tokens out of the log', async () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'trace',
      destination: new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    });
    const wrong = makeChannel({ appSecret: 'wrong-secret-value', log });
    await rejection(wrong.send(recipient(), card, sendOptions()));
    const channelWithLog = makeChannel({ log });
    const to = recipient();
    const options = sendOptions();
    const ref = await channelWithLog.send(to, card, options);
    fake.expireTenantTokens();
    fake.failNext('patch', { status: 400, body: { code: 230099, msg: 'card build failed' } });
    await rejection(channelWithLog.update(ref, closedCard, to, options));
    const context = {
      token: fake.issueCallbackToken(ref.id),
      openMessageId: ref.id,
      callbackAt: new Date(Date.now() - 5000).toISOString(),
    };
    fake.failNext('update', { status: 400, body: { code: 300030, msg: 'token is expired' } });
    await channelWithLog.update(ref, closedCard, to, { ...options, context });

    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [
      'wrong-secret-value',
      fake.appSecret,
      fake.encryptKey as string,
      context.token,
      ...fake.issuedTokens,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  describe('after a click', () => {
    async function clicked(secondsAgo: number, responded = true) {
      const to = recipient();
      const options = sendOptions();
      const ref = await channel.send(to, card, options);
      const context = {
        token: fake.issueCallbackToken(ref.id, responded),
        openMessageId: ref.id,
        callbackAt: new Date(Date.now() - secondsAgo * 1000).toISOString(),
      };
      return { to, ref, updateOptions: { ...options, context } };
    }

    it('waits for the callback response', async () => {
      const { to, ref, updateOptions } = await clicked(0, false);
      const error = await rejection(channel.update(ref, closedCard, to, updateOptions));
      expect(error.code).toBe('deferred');
      expect(error.retryAfterMs).toBeGreaterThan(3000);
      expect(error.retryAfterMs).toBeLessThanOrEqual(4000);
      expect(fake.messages.get(ref.id)?.changes).toEqual([]);
    });

    it('updates through the callback token', async () => {
      const { to, ref, updateOptions } = await clicked(5);
      await channel.update(ref, closedCard, to, updateOptions);
      expect(fake.messages.get(ref.id)?.changes).toEqual(['token']);
    });

    it('patches once the token is used up', async () => {
      const { to, ref, updateOptions } = await clicked(5);
      for (let i = 0; i < 3; i++) await channel.update(ref, closedCard, to, updateOptions);
      expect(fake.messages.get(ref.id)?.changes).toEqual(['token', 'token', 'patch']);
      expect(fake.callCount('update', 300040)).toBeGreaterThan(0);
    });

    it('patches when the token expired', async () => {
      const { to, ref, updateOptions } = await clicked(5);
      fake.expireCallbackTokens();
      await channel.update(ref, closedCard, to, updateOptions);
      expect(fake.messages.get(ref.id)?.changes).toEqual(['patch']);
    });

    it('patches without trying a token older than 29 minutes', async () => {
      const { to, ref, updateOptions } = await clicked(31 * 60);
      const updates = fake.callCount('update');
      await channel.update(ref, closedCard, to, updateOptions);
      expect(fake.callCount('update')).toBe(updates);
      expect(fake.messages.get(ref.id)?.changes).toEqual(['patch']);
    });
  });
});

describe('Feishu sending through the outbox', () => {
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

  const admin = (path: string, method = 'GET') =>
    fetch(`${pulse.url}/api/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });

  /** Creates an order; returns its code and the engineer it was offered to. */
  async function createOrder() {
    const code = `WO-FS-OUT-${++counter}`;
    expect((await pulse.postEvent(workOrderCreated({ orderId: code }))).status).toBe(202);
    const engineerId = await waitFor(async () => {
      const [row] = await pulse.database.db
        .select()
        .from(workOrders)
        .where(eq(workOrders.code, code));
      return row?.offeredEngineerId ?? undefined;
    });
    return { code, engineerId };
  }

  async function engineerSend(engineerId: string) {
    return waitFor(async () => {
      const [row] = await pulse.database.db
        .select()
        .from(outbox)
        .where(eq(outbox.recipientId, engineerId))
        .orderBy(outbox.id);
      return row && (row.status === 'sent' || row.status === 'dead') ? row : undefined;
    }, 15_000);
  }

  it('moves a refused send to the dead letters and resends it', async () => {
    fake.failNext('send', { status: 400, body: { code: 230013, msg: 'user not in scope' } });
    const { code, engineerId } = await createOrder();
    const dead = await engineerSend(engineerId);
    expect(dead.status).toBe('dead');
    expect(dead.lastError).toContain('230013');

    const listed = (await (await admin('/outbox/dead')).json()) as { items: { id: number }[] };
    expect(listed.items.map((item) => item.id)).toContain(dead.id);
    expect((await admin(`/outbox/${dead.id}/resend`, 'POST')).status).toBe(200);
    const openId = await openIdOf(pulse, engineerId);
    const delivered = await waitFor(
      async () => fake.messagesTo(openId).find((m) => JSON.stringify(m.card).includes(code)),
      15_000,
    );
    expect(cardButtons(delivered.card).map((b) => b.value.action)).toEqual([
      'dispatch.accept',
      'dispatch.decline',
    ]);
  });

  it('retries a failed send with backoff', async () => {
    fake.failNext('send', { status: 503, body: { code: 1, msg: 'service unavailable' } });
    const { engineerId } = await createOrder();
    const sent = await engineerSend(engineerId);
    expect(sent.status).toBe('sent');
    expect(sent.attempts).toBe(2);
  });

  it('defers a rate-limited send without counting the attempt', async () => {
    fake.failNext('send', {
      status: 429,
      body: { code: 99991400, msg: 'request trigger frequency limit' },
      headers: { 'x-ogw-ratelimit-reset': '1' },
    });
    const { engineerId } = await createOrder();
    const sent = await engineerSend(engineerId);
    expect(sent.status).toBe('sent');
    expect(sent.attempts).toBe(1);
    expect(fake.callCount('send', 99991400)).toBe(1);
  });
});
