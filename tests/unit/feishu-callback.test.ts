import { describe, expect, it } from 'vitest';
import type { CallbackRequest, CallbackResult } from '../../bot/channel.js';
import { parseFeishuRequest, readClickContext } from '../../bot/feishu/callback.js';
import { feishuSignature } from '../../bot/feishu/crypto.js';
import { FakeFeishu, type RequestOptions } from '../fakes/feishu-server.js';

const fake = new FakeFeishu();
const settings = {
  appId: fake.appId,
  verificationToken: fake.verificationToken,
  encryptKey: fake.encryptKey,
};
const plainFake = new FakeFeishu({ encryptKey: undefined });
const plainSettings = { ...settings, encryptKey: undefined };

function request(
  from: FakeFeishu,
  payload: Record<string, unknown>,
  options: RequestOptions = {},
): CallbackRequest {
  const { headers, body } = from.buildRequest(payload, options);
  return { method: 'POST', url: '/webhooks/feishu', headers, rawBody: Buffer.from(body) };
}

function clickEvent(overrides: Record<string, unknown> = {}) {
  return {
    operator: { open_id: 'ou_E01', user_id: 'u_E01' },
    token: 'c-update-token',
    action: {
      tag: 'button',
      name: 'pulse_action_1',
      value: {
        action: 'dispatch.reassign',
        card_key: 'dispatch:r1:manager:m1',
        payload: { recommendation: 'r1' },
      },
      form_value: { engineer: 'e2', reason: 'workload', note: '', extra: ['a', 'b'], flag: true },
    },
    context: { open_message_id: 'om_1', open_chat_id: 'oc_1' },
    ...overrides,
  };
}

function rejection(result: CallbackResult) {
  if (result.kind !== 'rejected') throw new Error(`expected a rejection, got ${result.kind}`);
  return result;
}

const now = () => new Date();

describe('Feishu request verification', () => {
  it('passes an encrypted URL verification', () => {
    const payload = { challenge: 'ch-1', token: fake.verificationToken, type: 'url_verification' };
    const result = parseFeishuRequest(settings, request(fake, payload, { sign: false }), now());
    expect(result).toEqual({
      kind: 'reply',
      status: 200,
      contentType: 'application/json',
      body: '{"challenge":"ch-1"}',
    });
  });

  it('passes a plaintext URL verification', () => {
    const payload = {
      challenge: 'ch-2',
      token: plainFake.verificationToken,
      type: 'url_verification',
    };
    const result = parseFeishuRequest(plainSettings, request(plainFake, payload), now());
    expect(result.kind).toBe('reply');
  });

  it('rejects a URL verification with a wrong token', () => {
    const payload = { challenge: 'ch-3', token: 'guess', type: 'url_verification' };
    const result = rejection(parseFeishuRequest(settings, request(fake, payload), now()));
    expect(result.status).toBe(401);
    expect(result.code).toBe('bad_token');
  });

  it('accepts a signed click', () => {
    const payload = fake.envelope('card.action.trigger', clickEvent(), { eventId: 'ev-1' });
    const result = parseFeishuRequest(settings, request(fake, payload), now());
    if (result.kind !== 'action') throw new Error(`expected an action, got ${result.kind}`);
    expect(result.dedupeKey).toBe('ev-1');
    expect(result.event.actor).toEqual({ feishuOpenId: 'ou_E01', feishuUserId: 'u_E01' });
    expect(result.event.actionId).toBe('dispatch.reassign');
    expect(result.event.cardKey).toBe('dispatch:r1:manager:m1');
    expect(result.event.payload).toEqual({ recommendation: 'r1' });
    expect(result.event.values).toEqual({
      engineer: 'e2',
      reason: 'workload',
      note: '',
      extra: 'a,b',
      flag: 'true',
    });
    const context = readClickContext(result.event.context);
    expect(context?.token).toBe('c-update-token');
    expect(context?.openMessageId).toBe('om_1');
  });

  it('verifies the raw bytes of a body with extra whitespace', () => {
    // The SDK verifies over JSON.stringify of the parsed body, which fails for such a body.
    const payload = fake.envelope('card.action.trigger', clickEvent());
    const body = JSON.stringify(payload, null, 2);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signed: CallbackRequest = {
      method: 'POST',
      url: '/webhooks/feishu',
      headers: {
        'x-lark-request-timestamp': timestamp,
        'x-lark-request-nonce': 'n1',
        'x-lark-signature': feishuSignature(timestamp, 'n1', fake.encryptKey as string, body),
      },
      rawBody: Buffer.from(body),
    };
    expect(parseFeishuRequest(settings, signed, now()).kind).toBe('action');
  });

  it('rejects a tampered body', () => {
    const payload = fake.envelope('card.action.trigger', clickEvent());
    const tampered = request(fake, payload, { tamper: (body) => body.replace('{', '{ ') });
    const result = rejection(parseFeishuRequest(settings, tampered, now()));
    expect(result.status).toBe(401);
    expect(result.code).toBe('bad_signature');
  });

  it('rejects a stale timestamp', () => {
    const payload = fake.envelope('card.action.trigger', clickEvent());
    const stale = request(fake, payload, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(rejection(parseFeishuRequest(settings, stale, now())).code).toBe('stale_timestamp');
  });

  it('rejects a wrong verification token', () => {
    const payload = fake.envelope('card.action.trigger', clickEvent(), { token: 'stolen' });
    const result = rejection(parseFeishuRequest(settings, request(fake, payload), now()));
    expect(result.code).toBe('bad_token');
  });

  it('rejects an unsigned event when an Encrypt Key is set', () => {
    const payload = fake.envelope('card.action.trigger', clickEvent());
    const unsigned = request(fake, payload, { sign: false });
    expect(rejection(parseFeishuRequest(settings, unsigned, now())).code).toBe('missing_signature');
  });

  it('rejects another app', () => {
    const other = new FakeFeishu({ appId: 'cli_other' });
    const payload = other.envelope('card.action.trigger', clickEvent());
    expect(rejection(parseFeishuRequest(settings, request(fake, payload), now())).code).toBe(
      'wrong_app',
    );
  });

  it('rejects a body encrypted with another key', () => {
    const payload = fake.envelope('card.action.trigger', clickEvent());
    // Signed with the right key, so that only the decryption fails.
    const wrongKeyBody = { encrypt: fake.encrypt(JSON.stringify(payload), 'other key') };
    const result = rejection(
      parseFeishuRequest(settings, request(fake, wrongKeyBody, { encrypt: false }), now()),
    );
    expect(result.status).toBe(401);
    expect(result.code).toBe('undecryptable');
  });

  it('names the invalid field of a click', () => {
    const event = clickEvent({ context: { open_chat_id: 'oc_1' } });
    const payload = fake.envelope('card.action.trigger', event);
    const result = rejection(parseFeishuRequest(settings, request(fake, payload), now()));
    expect(result.status).toBe(400);
    expect(result.reason).toMatch(/^event\.context\.open_message_id: /);
  });

  it('rejects the 1.0 envelope', () => {
    const result = rejection(
      parseFeishuRequest(
        settings,
        request(fake, {
          uuid: 'u1',
          token: fake.verificationToken,
          type: 'event_callback',
          event: {},
        }),
        now(),
      ),
    );
    expect(result.reason).toMatch(/^schema: must be "2.0"/);
  });

  it('rejects a foreign button with a toast', () => {
    const event = clickEvent({ action: { tag: 'button', value: { key: 'value' } } });
    const payload = fake.envelope('card.action.trigger', event);
    const result = parseFeishuRequest(settings, request(fake, payload), now());
    if (result.kind !== 'reply') throw new Error(`expected a reply, got ${result.kind}`);
    expect(JSON.parse(result.body).toast.type).toBe('error');
  });

  it('reads a text message to the bot', () => {
    const payload = fake.envelope('im.message.receive_v1', {
      sender: { sender_id: { open_id: 'ou_E02' }, sender_type: 'user' },
      message: { message_type: 'text', content: JSON.stringify({ text: '你好' }) },
    });
    const result = parseFeishuRequest(settings, request(fake, payload), now());
    expect(result).toMatchObject({
      kind: 'message',
      actor: { feishuOpenId: 'ou_E02' },
      event: 'im.message.receive_v1',
      text: '你好',
    });
  });

  it('ignores other events', () => {
    const payload = fake.envelope('contact.user.updated_v3', {});
    expect(parseFeishuRequest(settings, request(fake, payload), now()).kind).toBe('ignored');
  });

  it('checks only the token without an Encrypt Key', () => {
    const good = plainFake.envelope('card.action.trigger', clickEvent());
    expect(parseFeishuRequest(plainSettings, request(plainFake, good), now()).kind).toBe('action');
    const bad = plainFake.envelope('card.action.trigger', clickEvent(), { token: 'guess' });
    expect(rejection(parseFeishuRequest(plainSettings, request(plainFake, bad), now())).code).toBe(
      'bad_token',
    );
  });

  it('rejects an encrypted body without an Encrypt Key', () => {
    const payload = fake.envelope('card.action.trigger', clickEvent());
    const encrypted = request(fake, payload, { sign: false });
    expect(rejection(parseFeishuRequest(plainSettings, encrypted, now())).code).toBe(
      'encrypt_key_missing',
    );
  });
});
