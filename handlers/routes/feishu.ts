import { setTimeout as sleep } from 'node:timers/promises';
import Router from '@koa/router';
import type { Context } from 'koa';
import { type Card, describeValueProblem, listValueProblems } from '../../bot/card.js';
import type { CardActionEvent } from '../../bot/channel.js';
import type { FeishuChannel } from '../../bot/feishu/channel.js';
import type { Locale } from '../../lib/i18n.js';
import type { Logger } from '../../lib/logger.js';
import {
  findCurrentCard,
  findStoredClick,
  takeClickedCardUpdate,
} from '../../models/click-updates.js';
import type { Organisation } from '../../models/orgs.js';
import { storeCardClick } from '../card-clicks.js';
import { type ChatMessageEvent, storeChatMessage } from '../chat-messages.js';
import { readRawBody } from '../http.js';
import { resolveOrg, type Services } from '../services.js';
import { MAX_EVENT_BYTES } from './events-webhook.js';

/**
 * Pulse responds to a click within this time after its request arrived; Feishu shows an error
 * when the response takes more than 3 seconds.
 */
const RESPONSE_DEADLINE_MS = 2500;
/** Part of the deadline kept for taking the new card and responding after the outcome. */
const RESPONSE_RESERVE_MS = 400;

type ToastType = 'success' | 'error' | 'info' | 'warning';

/** Toasts Pulse writes itself, in both languages; the client shows the one matching its own. */
const TOASTS = {
  pending: {
    en_us: 'Pulse is working on it; the card updates in a moment.',
    zh_cn: '正在处理，卡片稍后更新。',
  },
  unknownCard: {
    en_us: 'Pulse does not know this card any more.',
    zh_cn: 'Pulse 找不到这张卡片了。',
  },
  actionGone: {
    en_us: 'This button is no longer on the card; see the updated card.',
    zh_cn: '卡片已更新，该按钮已不可用。',
  },
  done: { en_us: 'Done.', zh_cn: '已完成。' },
  failed: {
    en_us: 'Pulse could not process this yet and will try again; the card updates when it is done.',
    zh_cn: '暂时无法处理，系统将自动重试，完成后卡片会更新。',
  },
} as const;

function toast(type: ToastType, text: string | { en_us: string; zh_cn: string }) {
  if (typeof text === 'string') return { type, content: text };
  return { type, content: text.en_us, i18n: { ...text } };
}

/**
 * Responds to a callback: HTTP 200 with a toast and optionally the new card. `outcome` goes to the
 * X-Pulse-Outcome header (ok, pending or the rejection code) for logs and tests.
 */
function respond(
  ctx: Context,
  outcome: string,
  body: { toast: ReturnType<typeof toast>; card?: Record<string, unknown> },
): void {
  ctx.status = 200;
  ctx.set('X-Pulse-Outcome', outcome);
  ctx.type = 'application/json';
  ctx.body = body.card ? { toast: body.toast, card: { type: 'raw', data: body.card } } : body;
}

interface ClickInput {
  services: Services;
  channel: FeishuChannel;
  org: Organisation;
  dedupeKey: string;
  click: CardActionEvent;
  log: Logger;
  startedAt: number;
}

/**
 * Runs a verified click through the inbox and responds inside Feishu's 3 seconds: a toast with
 * the outcome and, when the handler updated the clicked card in time, that card. Such an update
 * is marked sent, so the sender does not apply it again. A later update is left to the sender,
 * which applies it after the response through the callback's update token.
 */
async function respondToClick(ctx: Context, input: ClickInput): Promise<void> {
  const { services, org, log } = input;
  // A redelivered callback gets the outcome of the first delivery, even if the card changed.
  const earlier = await findStoredClick(services.db, org.id, 'feishu', input.dedupeKey);
  if (earlier !== undefined) {
    log.info({ inboxId: earlier }, 'Feishu click delivered again; responding with its outcome');
    await respondWithOutcome(ctx, input, earlier);
    return;
  }
  if (!(await checkClick(ctx, input))) return;
  const stored = await storeCardClick(services, org.id, input.dedupeKey, input.click);
  log.info({ inboxId: stored.id, duplicate: stored.duplicate }, 'Feishu click stored');
  await respondWithOutcome(ctx, input, stored.id);
}

/**
 * Checks a click against the card as last delivered: the button must still be there and the
 * values must fit its inputs. Responds with the problem and returns false when they do not.
 */
async function checkClick(ctx: Context, input: ClickInput): Promise<boolean> {
  const { services, channel, org, click, log } = input;
  const current = click.cardKey
    ? await findCurrentCard(services.db, org.id, click.cardKey)
    : undefined;
  if (!current || !click.cardKey) {
    log.info('Feishu click on a card Pulse does not know');
    respond(ctx, 'unknown_card', { toast: toast('error', TOASTS.unknownCard) });
    return false;
  }
  const card = current as unknown as Card;
  const action = card.actions.find((candidate) => candidate.id === click.actionId);
  if (!action) {
    log.info('Feishu click on a button the card no longer offers');
    respond(ctx, 'action_unavailable', {
      toast: toast('warning', TOASTS.actionGone),
      card: channel.render(card, click.cardKey),
    });
    return false;
  }
  const problems = listValueProblems(card, action, click.values);
  if (problems.length > 0) {
    log.info(
      { fields: problems.map((problem) => problem.field) },
      'Feishu click with invalid values',
    );
    // Feishu shows the toast text of the reader's language; every field at fault is named.
    const describe = (locale: Locale) =>
      problems.map((problem) => describeValueProblem(card, problem, locale)).join(' ');
    respond(ctx, 'invalid_input', {
      toast: toast('error', { en_us: describe('en'), zh_cn: describe('zh-CN') }),
    });
    return false;
  }
  return true;
}

/** Waits for the outcome of a stored click and responds with it. */
async function respondWithOutcome(ctx: Context, input: ClickInput, inboxId: number): Promise<void> {
  const { services, channel, click, log } = input;
  const elapsed = Date.now() - input.startedAt;
  const waitMs = Math.max(0, RESPONSE_DEADLINE_MS - RESPONSE_RESERVE_MS - elapsed);
  const result = await services.processor.processNow(inboxId, waitMs);
  if (!result) {
    log.info({ inboxId }, 'Feishu click still processing; responded without the card');
    respond(ctx, 'pending', { toast: toast('info', TOASTS.pending) });
    return;
  }
  if (result.status === 'rejected') {
    const { code, message, status } = result.outcome;
    if (status >= 500) {
      // A handler failure, not a refusal: its message is internal, and the inbox retries it.
      log.warn({ inboxId, code, reason: message }, 'Feishu click failed; the inbox retries it');
      respond(ctx, code, { toast: toast('warning', TOASTS.failed) });
      return;
    }
    respond(ctx, code, { toast: toast('error', message) });
    return;
  }
  const updated = await takeUpdatedCard(input, inboxId);
  services.sender.wake();
  const text = result.outcome.message ?? TOASTS.done;
  respond(ctx, 'ok', {
    toast: toast('success', text),
    ...(updated ? { card: channel.render(updated, click.cardKey as string) } : {}),
  });
}

/**
 * Takes the clicked card's new state for the response, retrying while the sender has it leased.
 *
 * NOTE: the update counts as sent before Feishu received the response. A response lost on the
 * way leaves the old card in the chat, and nothing retries it.
 */
async function takeUpdatedCard(input: ClickInput, inboxId: number): Promise<Card | undefined> {
  const { services, org, click } = input;
  for (;;) {
    const update = await takeClickedCardUpdate(services.db, {
      orgId: org.id,
      inboxId,
      cardKey: click.cardKey as string,
      channel: 'feishu',
      now: services.clock.now(),
    });
    if (update.status === 'taken') {
      input.log.debug(
        { outboxIds: update.outboxIds },
        'Feishu click response carries the new card',
      );
      return update.card as unknown as Card;
    }
    if (update.status === 'none' || Date.now() - input.startedAt > RESPONSE_DEADLINE_MS) {
      return undefined;
    }
    await sleep(25);
  }
}

/** Pulse's names for the Feishu events that carry a person's message or visit. */
const MESSAGE_EVENTS: Record<string, ChatMessageEvent['event']> = {
  'im.message.receive_v1': 'text',
  'im.chat.access_event.bot_p2p_chat_entered_v1': 'enter_agent',
};

/** Stores a message to the bot once per event id; its handler runs after the response. */
async function storeMessage(
  services: Services,
  org: Organisation,
  dedupeKey: string,
  message: ChatMessageEvent,
  log: Logger,
): Promise<void> {
  const stored = await storeChatMessage(services, org.id, dedupeKey, message);
  if (stored.duplicate) {
    log.info({ inboxId: stored.id }, 'duplicate Feishu event acknowledged');
  } else {
    log.info({ inboxId: stored.id, platformEvent: message.event }, 'Feishu event stored');
  }
}

/**
 * POST /webhooks/feishu: the request URL for both events and card callbacks of the Feishu app.
 * The channel verifies each request before anything is read. Events are stored once per
 * `header.event_id` and acknowledged at once, and clicks get their outcome in the response.
 * `?org=<slug>` picks the organisation when one deployment serves several.
 */
export function feishuRouter(services: Services, channel: FeishuChannel): Router {
  const router = new Router();
  router.post('/webhooks/feishu', async (ctx) => {
    const startedAt = Date.now();
    const raw = await readRawBody(ctx, MAX_EVENT_BYTES);
    const result = channel.parseCallback({
      method: ctx.method,
      url: ctx.originalUrl,
      headers: ctx.headers,
      rawBody: raw,
    });
    const log = ctx.state.log.child({ channel: 'feishu' });
    switch (result.kind) {
      case 'rejected':
        log.warn({ code: result.code, reason: result.reason }, 'Feishu request rejected');
        ctx.status = result.status;
        ctx.body = { error: { code: result.code ?? 'rejected', message: result.reason } };
        return;
      case 'reply':
        log.info('Feishu request handled without storing anything');
        ctx.status = result.status;
        ctx.type = result.contentType ?? 'application/json';
        ctx.body = result.body;
        return;
      case 'ignored':
        log.info({ reason: result.reason }, 'Feishu event ignored');
        ctx.body = {};
        return;
      case 'message': {
        const org = await resolveOrg(services, orgSlug(ctx));
        await storeMessage(
          services,
          org,
          result.dedupeKey,
          {
            channel: 'feishu',
            actor: result.actor,
            event: MESSAGE_EVENTS[result.event] ?? 'text',
            ...(result.text !== undefined ? { text: result.text } : {}),
          },
          log.child({ eventId: result.dedupeKey, orgId: org.id }),
        );
        ctx.body = {};
        return;
      }
      case 'action': {
        const org = await resolveOrg(services, orgSlug(ctx));
        const click = result.event;
        await respondToClick(ctx, {
          services,
          channel,
          org,
          dedupeKey: result.dedupeKey,
          click,
          startedAt,
          log: log.child({
            eventId: result.dedupeKey,
            orgId: org.id,
            cardKey: click.cardKey,
            actionId: click.actionId,
          }),
        });
        return;
      }
    }
  });
  return router;
}

function orgSlug(ctx: Context): string | undefined {
  const value = ctx.query.org;
  return typeof value === 'string' && value !== '' ? value : undefined;
}
