import { createHash } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import type { Config } from '../../lib/config.js';
import type { Logger } from '../../lib/logger.js';
import type { Db } from '../../models/db.js';
import { saveWecomTask } from '../../models/wecom.js';
import type { Card } from '../card.js';
import {
  type CallbackRequest,
  type Channel,
  ChannelError,
  type MessageRef,
  type Recipient,
  type SendOptions,
  type UpdateOptions,
  type UpdateResult,
} from '../channel.js';
import { WecomApi } from './api.js';
import { parseWecomCallback, type WecomCallbackResult } from './callback.js';
import { checkMemberQuota, type QuotaWindow, WECOM_MEMBER_QUOTA } from './rate-limit.js';
import { renderTemplateCard, type TemplateCardType, WECOM_LIMITS } from './render.js';

/** A response code may update its card once within 72 hours; Pulse stops using it 5 minutes early. */
const RESPONSE_CODE_LIFETIME_MS = 72 * 3_600_000 - 5 * 60_000;

/** Platform state of a WeCom card, stored in `MessageRef.data`. */
export interface WecomRefData {
  taskId: string;
  userId: string;
  cardType: TemplateCardType;
  /** The unused response code from message/send, which allows one update without a click. */
  responseCode?: string;
  /** When that response code was issued, as an ISO time. */
  responseCodeAt?: string;
}

export interface WecomChannelOptions {
  config: NonNullable<Config['wecom']>;
  /** PULSE_PUBLIC_URL; cards link to `<publicUrl>/app` when it is set. */
  publicUrl: string | undefined;
  db: Db;
  clock: Clock;
  log: Logger;
  /** Timeout of one WeCom API request in milliseconds (default 10 s). */
  requestTimeoutMs?: number;
  quota?: readonly QuotaWindow[];
}

/**
 * Makes the WeCom task id of a message from its idempotency key, so that a send repeated after
 * a crash reuses the task id and WeCom rejects the duplicate instead of showing two cards.
 * The organisation id keeps task ids of different databases on one WeCom app apart.
 */
export function taskIdFor(orgId: string, idempotencyKey: string): string {
  const id = `p${orgId.replaceAll('-', '')}_${idempotencyKey.replace(/[^0-9A-Za-z_\-@]/g, '_')}`;
  if (Buffer.byteLength(id) <= WECOM_LIMITS.taskIdBytes) return id;
  return `p${createHash('sha256').update(`${orgId}\u0000${idempotencyKey}`).digest('hex')}`;
}

/**
 * The WeCom self-built app channel: sends the card model as template cards through
 * message/send, updates them through update_template_card with a response code, and reads
 * the app's encrypted callbacks.
 */
export class WecomChannel implements Channel {
  readonly name = 'wecom' as const;
  private readonly api: WecomApi;
  private readonly log: Logger;
  private readonly homeUrl: string | undefined;

  constructor(private readonly options: WecomChannelOptions) {
    this.log = options.log.child({ channel: 'wecom', agentId: options.config.agentId });
    this.api = new WecomApi({
      corpId: options.config.corpId,
      secret: options.config.secret,
      apiBase: options.config.apiBase,
      clock: options.clock,
      log: this.log,
      ...(options.requestTimeoutMs ? { timeoutMs: options.requestTimeoutMs } : {}),
    });
    this.homeUrl = options.publicUrl ? `${options.publicUrl.replace(/\/+$/, '')}/app` : undefined;
  }

  canReach(recipient: Recipient): boolean {
    return Boolean(recipient.wecomUserId);
  }

  parseCallback(request: CallbackRequest): Promise<WecomCallbackResult> {
    const { corpId, token, encodingAesKey, agentId } = this.options.config;
    return parseWecomCallback(request, { corpId, token, encodingAesKey, agentId }, this.options.db);
  }

  async send(recipient: Recipient, card: Card, options: SendOptions): Promise<MessageRef> {
    const userId = this.userIdOf(recipient);
    await checkMemberQuota(
      this.options.db,
      recipient.personId,
      this.options.clock.now(),
      this.options.quota ?? WECOM_MEMBER_QUOTA,
    );
    return this.sendCard(recipient, userId, card, options);
  }

  async update(
    ref: MessageRef,
    card: Card,
    recipient: Recipient,
    options: UpdateOptions,
  ): Promise<UpdateResult> {
    const data = ref.data as unknown as WecomRefData;
    const log = this.log.child({ taskId: ref.id, cardKey: options.cardKey });
    const code = this.responseCodeFor(data, options.context);
    if (!code) {
      log.info('no usable response code for the card; sending a new card');
      return this.replace(recipient, card, options);
    }
    const rendered = renderTemplateCard(card, { taskId: ref.id, defaultLinkUrl: this.homeUrl });
    this.logDropped(rendered.dropped, log);
    try {
      await this.api.post('/cgi-bin/message/update_template_card', {
        userids: [data.userId],
        agentid: this.options.config.agentId,
        response_code: code.value,
        template_card: rendered.templateCard,
      });
    } catch (error) {
      if (!(error instanceof ChannelError) || !canReplaceAfter(error)) throw error;
      // WeCom's errcode for a used or expired response code is not documented, so any
      // permanent refusal of the update falls back to a new card.
      log.info({ err: error, source: code.source }, 'card update rejected; sending a new card');
      return this.replace(recipient, card, options);
    }
    const next: WecomRefData = { ...data, cardType: rendered.cardType };
    if (code.source === 'send') {
      delete next.responseCode;
      delete next.responseCodeAt;
    }
    log.debug({ source: code.source, cardType: rendered.cardType }, 'card updated');
    return { ref: { channel: 'wecom', id: ref.id, data: { ...next } } };
  }

  private userIdOf(recipient: Recipient): string {
    if (!recipient.wecomUserId) {
      throw new ChannelError(
        'unreachable',
        `${recipient.name} has no WeCom user id; set people.wecom_user_id.`,
        { retryable: false },
      );
    }
    return recipient.wecomUserId;
  }

  /**
   * The click's response code when there is one, else the unused code of the send. A text
   * notice card has none, because WeCom cannot update it.
   */
  private responseCodeFor(
    data: WecomRefData,
    context: Record<string, unknown> | undefined,
  ): { value: string; source: 'click' | 'send' } | undefined {
    if (data.cardType === 'text_notice') return undefined;
    const clicked = context?.responseCode;
    if (typeof clicked === 'string' && clicked !== '') return { value: clicked, source: 'click' };
    if (!data.responseCode || !data.responseCodeAt) return undefined;
    const age = this.options.clock.now().getTime() - new Date(data.responseCodeAt).getTime();
    return age < RESPONSE_CODE_LIFETIME_MS
      ? { value: data.responseCode, source: 'send' }
      : undefined;
  }

  /** Sends the card as a new message, because the old message can no longer be updated. */
  private async replace(
    recipient: Recipient,
    card: Card,
    options: UpdateOptions,
  ): Promise<UpdateResult> {
    const ref = await this.send(recipient, card, options);
    return { ref, replaced: true };
  }

  private async sendCard(
    recipient: Recipient,
    userId: string,
    card: Card,
    options: SendOptions,
  ): Promise<MessageRef> {
    const taskId = taskIdFor(recipient.orgId, options.idempotencyKey);
    const log = this.log.child({
      taskId,
      cardKey: options.cardKey,
      recipientId: recipient.personId,
    });
    const now = this.options.clock.now();
    await saveWecomTask(this.options.db, {
      taskId,
      orgId: recipient.orgId,
      cardKey: options.cardKey,
      recipientId: recipient.personId,
      now,
    });
    const rendered = renderTemplateCard(card, { taskId, defaultLinkUrl: this.homeUrl });
    this.logDropped(rendered.dropped, log);
    const data: WecomRefData = { taskId, userId, cardType: rendered.cardType };
    const templateCard = { ...rendered.templateCard, task_id: taskId };
    let reply: Record<string, unknown>;
    try {
      reply = await this.api.post('/cgi-bin/message/send', {
        touser: userId,
        msgtype: 'template_card',
        agentid: this.options.config.agentId,
        template_card: templateCard,
      });
    } catch (error) {
      if (error instanceof ChannelError && error.code === 'wecom_42014') {
        // Pulse's task ids are never empty or too long, so 42014 means an earlier attempt of
        // this message was delivered and its reply was lost. The card exists; its send-time
        // response code is unknown, so only a click's code can update it.
        log.warn('task id already used: an earlier attempt delivered this card');
        return { channel: 'wecom', id: taskId, data: { ...data } };
      }
      throw error;
    }
    const invalid = String(reply.invaliduser ?? '')
      .toLowerCase()
      .split('|');
    if (invalid.includes(userId.toLowerCase())) {
      throw new ChannelError(
        'unreachable',
        `WeCom user ${userId} is not in the app's visible range or does not exist.`,
        { retryable: false },
      );
    }
    if (typeof reply.response_code === 'string' && reply.response_code !== '') {
      data.responseCode = reply.response_code;
      data.responseCodeAt = now.toISOString();
    }
    return { channel: 'wecom', id: taskId, data: { ...data } };
  }

  private logDropped(dropped: string[], log: Logger): void {
    if (dropped.length > 0) log.debug({ dropped }, 'parts of the card do not fit a WeCom card');
  }
}

/**
 * Tells whether a new card can stand in for a failed update. That is so for a permanent
 * errcode other than a configuration error, which would stop the new card as well.
 */
function canReplaceAfter(error: ChannelError): boolean {
  return !error.retryable && /^wecom_-?\d+$/.test(error.code);
}
