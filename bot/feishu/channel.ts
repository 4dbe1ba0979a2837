import { createHash } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Card } from '../card.js';
import {
  type CallbackRequest,
  type CallbackResult,
  type Channel,
  ChannelError,
  type MessageRef,
  type Recipient,
  type SendOptions,
  type UpdateOptions,
  type UpdateResult,
} from '../channel.js';
import { FeishuApi, type ReceiveIdType } from './api.js';
import { parseFeishuRequest, readClickContext } from './callback.js';
import { CardTooLargeError, type FeishuCardJson, renderFeishuCard } from './card.js';
import {
  FeishuApiError,
  MESSAGE_NOT_PATCHABLE_CODES,
  UPDATE_TOKEN_UNUSABLE_CODES,
} from './errors.js';
import type { RateLimiter } from './rate-limit.js';

/** Time Feishu waits for the response to a card callback. */
export const CALLBACK_RESPONSE_MS = 3000;
/** Extra wait after the response deadline before the update token is used. */
const AFTER_RESPONSE_MARGIN_MS = 1000;
/** An update token lasts 30 minutes; the last minute is left unused against clock skew. */
const UPDATE_TOKEN_USABLE_MS = 29 * 60_000;
/** Feishu patches cards sent in the last 14 days; an hour is kept as a margin. */
const PATCH_WINDOW_MS = 14 * 24 * 3_600_000 - 3_600_000;

export interface FeishuSettings {
  appId: string;
  appSecret: string;
  verificationToken: string;
  encryptKey: string | undefined;
  apiBase: string;
}

export interface FeishuChannelOptions extends FeishuSettings {
  clock: Clock;
  log: Logger;
  limiter?: RateLimiter;
}

/**
 * Feishu's `uuid` for a send. Outbox ids start again at 1 in a new database while Feishu
 * remembers a uuid for an hour per app, so the uuid also hashes in the card key, whose ids
 * are unique across databases. It is stable across retries of one outbox row.
 */
export function messageUuid(options: SendOptions): string {
  return createHash('sha256')
    .update(`${options.idempotencyKey}\n${options.cardKey}`)
    .digest('base64url')
    .slice(0, 40);
}

/** The Feishu self-built app bot: sends and updates cards and verifies its callbacks. */
export class FeishuChannel implements Channel {
  readonly name = 'feishu' as const;
  private readonly api: FeishuApi;
  private readonly log: Logger;

  constructor(private readonly options: FeishuChannelOptions) {
    this.log = options.log.child({ channel: 'feishu' });
    this.api = new FeishuApi({
      appId: options.appId,
      appSecret: options.appSecret,
      apiBase: options.apiBase,
      clock: options.clock,
      log: this.log,
      ...(options.limiter ? { limiter: options.limiter } : {}),
    });
  }

  canReach(recipient: Recipient): boolean {
    return Boolean(recipient.feishuOpenId || recipient.feishuUserId);
  }

  /** Verifies and reads a request to the Feishu webhook; see parseFeishuRequest. */
  parseCallback(request: CallbackRequest): CallbackResult {
    return parseFeishuRequest(
      {
        appId: this.options.appId,
        verificationToken: this.options.verificationToken,
        encryptKey: this.options.encryptKey,
      },
      request,
      this.options.clock.now(),
    );
  }

  /** Renders a card as Feishu card JSON 2.0, or fails for good when it cannot fit. */
  render(card: Card, cardKey: string): FeishuCardJson {
    try {
      return renderFeishuCard(card, cardKey);
    } catch (error) {
      if (error instanceof CardTooLargeError) {
        throw new ChannelError('card_too_large', error.message, { retryable: false, cause: error });
      }
      throw error;
    }
  }

  async send(recipient: Recipient, card: Card, options: SendOptions): Promise<MessageRef> {
    const to: { type: ReceiveIdType; id: string } | undefined = recipient.feishuOpenId
      ? { type: 'open_id', id: recipient.feishuOpenId }
      : recipient.feishuUserId
        ? { type: 'user_id', id: recipient.feishuUserId }
        : undefined;
    if (!to) {
      throw new ChannelError(
        'unreachable',
        `${recipient.name} has neither a Feishu open id nor a user id; set feishu_open_id or feishu_user_id in the organisation import.`,
        { retryable: false },
      );
    }
    const json = this.render(card, options.cardKey);
    const sent = await this.api.sendCard(to, json, messageUuid(options));
    this.log.debug(
      { messageId: sent.messageId, cardKey: options.cardKey, receiveIdType: to.type },
      'Feishu card sent',
    );
    return {
      channel: 'feishu',
      id: sent.messageId,
      data: {
        receiveIdType: to.type,
        receiveId: to.id,
        ...(sent.chatId ? { chatId: sent.chatId } : {}),
        sentAt: this.options.clock.now().toISOString(),
      },
    };
  }

  /**
   * Updates a sent card. An update caused by a click uses the click's update token once the
   * callback response went out; otherwise, or when the token is used up or expired, the message
   * is patched. A message too old to patch, recalled or deleted gets a new card instead.
   */
  async update(
    ref: MessageRef,
    card: Card,
    recipient: Recipient,
    options: UpdateOptions,
  ): Promise<UpdateResult> {
    const log = this.log.child({ messageId: ref.id, cardKey: options.cardKey });
    const json = this.render(card, options.cardKey);
    const now = this.options.clock.now().getTime();
    const click = readClickContext(options.context);
    if (click) {
      const age = now - Date.parse(click.callbackAt);
      const respondedBy = CALLBACK_RESPONSE_MS + AFTER_RESPONSE_MARGIN_MS;
      if (age < respondedBy) {
        // Feishu drops or reverts a delayed update that arrives before the callback response.
        throw new ChannelError(
          'deferred',
          'The response to the card callback may not have gone out yet; the card update waits for it.',
          { retryable: true, retryAfterMs: respondedBy - age },
        );
      }
      if (age < UPDATE_TOKEN_USABLE_MS) {
        try {
          await this.api.updateWithToken(click.token, json);
          log.debug('Feishu card updated through the callback token');
          return { ref };
        } catch (error) {
          if (!isCode(error, UPDATE_TOKEN_UNUSABLE_CODES)) throw error;
          log.info({ err: error }, 'Feishu update token unusable; patching the message instead');
        }
      }
    }
    const sentAt = typeof ref.data?.sentAt === 'string' ? Date.parse(ref.data.sentAt) : Number.NaN;
    if (Number.isFinite(sentAt) && now - sentAt > PATCH_WINDOW_MS) {
      log.info({ sentAt: ref.data?.sentAt }, 'Feishu message too old to patch; sending a new card');
      return this.replace(recipient, card, options);
    }
    try {
      await this.api.patchCard(ref.id, json);
      log.debug('Feishu card patched');
      return { ref };
    } catch (error) {
      if (!isCode(error, MESSAGE_NOT_PATCHABLE_CODES)) throw error;
      log.info({ err: error }, 'Feishu message cannot be patched; sending a new card');
      return this.replace(recipient, card, options);
    }
  }

  /**
   * Sends a card in place of one that cannot be updated. Its uuid differs from any send's, so
   * Feishu cannot mistake it for the original message, and stays the same when retried.
   */
  private async replace(
    recipient: Recipient,
    card: Card,
    options: UpdateOptions,
  ): Promise<UpdateResult> {
    const sendOptions = {
      idempotencyKey: `${options.idempotencyKey}:replacement`,
      cardKey: options.cardKey,
    };
    return { ref: await this.send(recipient, card, sendOptions), replaced: true };
  }
}

function isCode(error: unknown, codes: ReadonlySet<number>): boolean {
  return (
    error instanceof FeishuApiError && error.feishuCode !== undefined && codes.has(error.feishuCode)
  );
}
