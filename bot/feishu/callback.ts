import { z } from 'zod';
import { SIGNATURE_TOLERANCE_SECONDS } from '../../lib/signature.js';
import { replaceUnstorableText } from '../../lib/storable-text.js';
import type { CallbackRequest, CallbackResult, CardActionEvent } from '../channel.js';
import { decodeActionValue } from './card.js';
import {
  DecryptionError,
  decryptFeishu,
  feishuSignature,
  secretsEqual,
  signatureMatches,
} from './crypto.js';

export interface FeishuRequestSettings {
  appId: string;
  verificationToken: string;
  /** Undefined when the app has no Encrypt Key: bodies are plaintext and unsigned then. */
  encryptKey: string | undefined;
}

/** The platform context of a click, kept with the click and handed back to `update`. */
export interface FeishuClickContext {
  /** Update token of the callback: valid for 30 minutes and two updates. */
  token: string;
  openMessageId: string;
  openChatId?: string;
  /** When Pulse received the callback (ISO 8601); Feishu waits 3 seconds for the response. */
  callbackAt: string;
}

const envelopeSchema = z.object({
  schema: z.literal('2.0', {
    error: 'must be "2.0"; subscribe to the 2.0 version of events and to card.action.trigger',
  }),
  header: z.object({
    event_id: z.string().min(1, 'must not be empty'),
    event_type: z.string().min(1, 'must not be empty'),
    token: z.string({ error: 'is missing' }),
    app_id: z.string().optional(),
    create_time: z.string().optional(),
    tenant_key: z.string().optional(),
  }),
  event: z.record(z.string(), z.unknown(), { error: 'must be an object' }),
});

const userIds = z.object({
  open_id: z.string().min(1, 'must not be empty'),
  user_id: z.string().optional(),
  union_id: z.string().optional(),
});

const cardActionSchema = z.object({
  operator: userIds,
  token: z.string().min(1, 'must not be empty'),
  action: z.object({
    tag: z.string(),
    value: z.unknown().optional(),
    name: z.string().optional(),
    form_value: z.record(z.string(), z.unknown()).optional(),
    option: z.string().optional(),
    input_value: z.string().optional(),
  }),
  context: z.object({
    open_message_id: z.string().min(1, 'must not be empty'),
    open_chat_id: z.string().optional(),
  }),
});

const messageReceiveSchema = z.object({
  sender: z.object({ sender_id: userIds, sender_type: z.string().optional() }),
  message: z.object({
    message_type: z.string(),
    content: z.string().optional(),
  }),
});

const chatEnteredSchema = z.object({ operator_id: userIds });

function header(request: CallbackRequest, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

function reject(status: number, code: string, reason: string): CallbackResult {
  return { kind: 'rejected', status, code, reason };
}

function firstIssue(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  const path = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  return `${path || '(body)'}: ${issue?.message ?? 'is invalid'}`;
}

/** Turns form, select and input values of a click into the string map the handlers expect. */
export function clickValues(action: z.infer<typeof cardActionSchema>['action']) {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(action.form_value ?? {})) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'string') values[name] = value;
    else if (Array.isArray(value)) values[name] = value.map(String).join(',');
    else if (typeof value === 'object') values[name] = JSON.stringify(value);
    else values[name] = String(value);
  }
  if (action.name && action.option !== undefined) values[action.name] = action.option;
  if (action.name && action.input_value !== undefined) values[action.name] = action.input_value;
  return values;
}

/**
 * Checks X-Lark-Signature over the raw body bytes and the freshness of its timestamp. Returns
 * undefined when the signature is valid, or the rejection.
 */
function checkSignature(
  request: CallbackRequest,
  encryptKey: string,
  now: Date,
): CallbackResult | undefined {
  const timestamp = header(request, 'x-lark-request-timestamp');
  const nonce = header(request, 'x-lark-request-nonce') ?? '';
  const signature = header(request, 'x-lark-signature') ?? '';
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) {
    return reject(401, 'malformed_timestamp', 'X-Lark-Request-Timestamp must be unix seconds.');
  }
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
    return reject(
      401,
      'stale_timestamp',
      'X-Lark-Request-Timestamp is more than 5 minutes away from the server time; check the server clock.',
    );
  }
  const expected = feishuSignature(timestamp, nonce, encryptKey, request.rawBody);
  if (!signatureMatches(expected, signature)) {
    return reject(
      401,
      'bad_signature',
      'X-Lark-Signature does not match the body; check FEISHU_ENCRYPT_KEY against the app console.',
    );
  }
  return undefined;
}

/** Parses the body, decrypting `{"encrypt": ...}` when present. */
function readPayload(
  request: CallbackRequest,
  encryptKey: string | undefined,
): { ok: true; payload: Record<string, unknown> } | { ok: false; result: CallbackResult } {
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return { ok: false, result: reject(400, 'invalid_input', '(body): is not valid JSON') };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, result: reject(400, 'invalid_input', '(body): must be a JSON object') };
  }
  const encrypted = (body as Record<string, unknown>).encrypt;
  // Platform events are accepted whatever their text, so characters no database can store are
  // replaced rather than rejected.
  if (encrypted === undefined) {
    return { ok: true, payload: replaceUnstorableText(body) as Record<string, unknown> };
  }
  if (typeof encrypted !== 'string') {
    return { ok: false, result: reject(400, 'invalid_input', 'encrypt: must be a string') };
  }
  if (!encryptKey) {
    return {
      ok: false,
      result: reject(
        400,
        'encrypt_key_missing',
        'The body is encrypted but FEISHU_ENCRYPT_KEY is not set; copy the Encrypt Key from the app console.',
      ),
    };
  }
  try {
    const plaintext = JSON.parse(decryptFeishu(encryptKey, encrypted)) as unknown;
    if (!plaintext || typeof plaintext !== 'object' || Array.isArray(plaintext)) {
      return {
        ok: false,
        result: reject(400, 'invalid_input', 'encrypt: does not hold a JSON object'),
      };
    }
    return { ok: true, payload: replaceUnstorableText(plaintext) as Record<string, unknown> };
  } catch (error) {
    const message = error instanceof DecryptionError ? error.message : 'does not hold JSON';
    return { ok: false, result: reject(401, 'undecryptable', `encrypt: ${message}`) };
  }
}

/**
 * Verifies a request to the Feishu webhook and classifies it.
 *
 * With an Encrypt Key, a request that carries X-Lark-Signature is checked over its raw bytes
 * (and its timestamp against replays) before its body is parsed. Feishu does not sign URL
 * verification, so an unsigned request may only be a URL verification with the right
 * Verification Token; anything else unsigned is rejected. Without an Encrypt Key, Feishu signs
 * nothing and the Verification Token in the body is the only check.
 */
export function parseFeishuRequest(
  settings: FeishuRequestSettings,
  request: CallbackRequest,
  now: Date,
): CallbackResult {
  const signed = header(request, 'x-lark-signature') !== undefined;
  if (settings.encryptKey && signed) {
    const rejection = checkSignature(request, settings.encryptKey, now);
    if (rejection) return rejection;
  }
  const read = readPayload(request, settings.encryptKey);
  if (!read.ok) return read.result;
  const payload = read.payload;

  if (payload.type === 'url_verification') {
    if (
      typeof payload.token !== 'string' ||
      !secretsEqual(settings.verificationToken, payload.token)
    ) {
      return reject(
        401,
        'bad_token',
        'token does not match FEISHU_VERIFICATION_TOKEN; copy it from the app console.',
      );
    }
    if (typeof payload.challenge !== 'string') {
      return reject(400, 'invalid_input', 'challenge: must be a string');
    }
    return {
      kind: 'reply',
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ challenge: payload.challenge }),
    };
  }
  if (settings.encryptKey && !signed) {
    return reject(
      401,
      'missing_signature',
      'X-Lark-Signature is missing; only URL verification may be unsigned.',
    );
  }

  const envelope = envelopeSchema.safeParse(payload);
  if (!envelope.success) {
    return reject(400, 'invalid_input', firstIssue(envelope.error, ''));
  }
  const { header: head, event } = envelope.data;
  if (!secretsEqual(settings.verificationToken, head.token)) {
    return reject(
      401,
      'bad_token',
      'header.token does not match FEISHU_VERIFICATION_TOKEN; copy it from the app console.',
    );
  }
  if (head.app_id !== undefined && head.app_id !== settings.appId) {
    return reject(401, 'wrong_app', `header.app_id ${head.app_id} is not FEISHU_APP_ID.`);
  }
  switch (head.event_type) {
    case 'card.action.trigger':
      return parseCardAction(head.event_id, event, now);
    case 'im.message.receive_v1':
      return parseMessage(head.event_id, event);
    case 'im.chat.access_event.bot_p2p_chat_entered_v1': {
      const entered = chatEnteredSchema.safeParse(event);
      if (!entered.success) return reject(400, 'invalid_input', firstIssue(entered.error, 'event'));
      return {
        kind: 'message',
        dedupeKey: head.event_id,
        actor: actorOf(entered.data.operator_id),
        event: head.event_type,
      };
    }
    default:
      return { kind: 'ignored', reason: `event type ${head.event_type} is not used by Pulse` };
  }
}

function actorOf(ids: z.infer<typeof userIds>): CardActionEvent['actor'] {
  return { feishuOpenId: ids.open_id, ...(ids.user_id ? { feishuUserId: ids.user_id } : {}) };
}

/** A toast response to a verified click that Pulse cannot use; nothing is stored. */
function toastReply(content: string): CallbackResult {
  return {
    kind: 'reply',
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify({ toast: { type: 'error', content } }),
  };
}

function parseCardAction(eventId: string, event: unknown, now: Date): CallbackResult {
  const parsed = cardActionSchema.safeParse(event);
  if (!parsed.success) return reject(400, 'invalid_input', firstIssue(parsed.error, 'event'));
  const { operator, token, action, context } = parsed.data;
  const value = decodeActionValue(action.value);
  if (!value) {
    return toastReply('This card control is not a Pulse action; open the latest card instead.');
  }
  const clickContext: FeishuClickContext = {
    token,
    openMessageId: context.open_message_id,
    ...(context.open_chat_id ? { openChatId: context.open_chat_id } : {}),
    callbackAt: now.toISOString(),
  };
  return {
    kind: 'action',
    dedupeKey: eventId,
    event: {
      channel: 'feishu',
      actor: actorOf(operator),
      cardKey: value.cardKey,
      actionId: value.actionId,
      payload: value.payload,
      values: clickValues(action),
      context: clickContext as unknown as Record<string, unknown>,
    },
  };
}

function parseMessage(eventId: string, event: unknown): CallbackResult {
  const parsed = messageReceiveSchema.safeParse(event);
  if (!parsed.success) return reject(400, 'invalid_input', firstIssue(parsed.error, 'event'));
  const { sender, message } = parsed.data;
  let text: string | undefined;
  if (message.message_type === 'text' && message.content) {
    try {
      const content = JSON.parse(message.content) as { text?: unknown };
      if (typeof content.text === 'string') text = content.text;
    } catch {
      // A text message whose content is not JSON carries no text Pulse can read.
    }
  }
  return {
    kind: 'message',
    dedupeKey: eventId,
    actor: actorOf(sender.sender_id),
    event: 'im.message.receive_v1',
    ...(text !== undefined ? { text } : {}),
  };
}

/** Reads a click context stored with an outbox update; undefined when it is not a Feishu click. */
export function readClickContext(
  context: Record<string, unknown> | undefined,
): FeishuClickContext | undefined {
  if (!context) return undefined;
  const { token, openMessageId, openChatId, callbackAt } = context;
  if (typeof token !== 'string' || typeof openMessageId !== 'string') return undefined;
  if (typeof callbackAt !== 'string' || Number.isNaN(Date.parse(callbackAt))) return undefined;
  return {
    token,
    openMessageId,
    callbackAt,
    ...(typeof openChatId === 'string' ? { openChatId } : {}),
  };
}
