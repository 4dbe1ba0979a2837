import Router from '@koa/router';
import type { Context } from 'koa';
import type { CardActionEvent } from '../../bot/channel.js';
import type { WecomChannel } from '../../bot/wecom/channel.js';
import type { Logger } from '../../lib/logger.js';
import { storeCardClick } from '../card-clicks.js';
import { storeChatMessage } from '../chat-messages.js';
import { readRawBody } from '../http.js';
import { resolveOrg, type Services } from '../services.js';

/** Largest accepted callback body; WeCom's encrypted XML messages are a few kilobytes. */
const MAX_CALLBACK_BYTES = 64 * 1024;
/** How long the work after an acknowledged click waits for its outcome. */
const CLICK_OUTCOME_WAIT_MS = 10_000;

/**
 * GET and POST /webhooks/wecom: the callback URL of the WeCom app. Each request is verified
 * and decrypted by the channel before anything is read from it. A URL verification is
 * answered with the bare plaintext; a click or message is stored once and acknowledged with
 * an empty 200 at once, well inside WeCom's 5-second limit, and handled afterwards.
 */
export function wecomRouter(services: Services, channel: WecomChannel): Router {
  const router = new Router();

  const handle = async (ctx: Context) => {
    const rawBody =
      ctx.method === 'POST' ? await readRawBody(ctx, MAX_CALLBACK_BYTES) : Buffer.alloc(0);
    const result = await channel.parseCallback({
      method: ctx.method,
      url: ctx.req.url ?? ctx.url,
      headers: ctx.req.headers,
      rawBody,
    });
    const log: Logger = ctx.state.log.child({ channel: 'wecom' });

    switch (result.kind) {
      case 'rejected':
        log.warn({ status: result.status, reason: result.reason }, 'WeCom callback rejected');
        ctx.status = result.status;
        ctx.type = 'text/plain';
        ctx.body = result.reason;
        return;
      case 'reply':
        log.info('WeCom callback URL verified');
        ctx.status = result.status;
        ctx.type = result.contentType ?? 'text/plain';
        ctx.body = result.body;
        return;
      case 'ignored':
        log.info({ reason: result.reason }, 'WeCom callback needs no work');
        break;
      case 'action': {
        const orgId = result.orgId ?? (await resolveOrg(services, undefined)).id;
        const stored = await storeCardClick(services, orgId, result.dedupeKey, result.event);
        const clickLog = log.child({
          inboxId: stored.id,
          actionId: result.event.actionId,
          cardKey: result.event.cardKey,
          wecomUserId: result.event.actor.wecomUserId,
        });
        if (stored.duplicate) {
          clickLog.info('repeated WeCom click acknowledged');
          break;
        }
        clickLog.info('WeCom click stored');
        void tellRejectedClick(services, orgId, stored.id, result.event, clickLog);
        break;
      }
      case 'message': {
        const orgId = result.orgId ?? (await resolveOrg(services, undefined)).id;
        const stored = await storeChatMessage(services, orgId, result.dedupeKey, {
          channel: 'wecom',
          actor: result.actor,
          event: result.event as 'enter_agent' | 'text' | 'notice',
          ...(result.text !== undefined ? { text: result.text } : {}),
        });
        log.info(
          { inboxId: stored.id, event: result.event, duplicate: stored.duplicate },
          'WeCom message stored',
        );
        break;
      }
    }
    ctx.status = 200;
    ctx.type = 'text/plain';
    ctx.body = '';
  };

  router.get('/webhooks/wecom', handle);
  router.post('/webhooks/wecom', handle);
  return router;
}

/**
 * Runs after the click was acknowledged: waits for its outcome and, when a handler rejected
 * it (not permitted, already decided, invalid choice), queues a notice to the clicker with
 * the reason. Never throws; failures are logged.
 */
async function tellRejectedClick(
  services: Services,
  orgId: string,
  inboxId: number,
  click: CardActionEvent,
  log: Logger,
): Promise<void> {
  try {
    const result = await services.processor.processNow(inboxId, CLICK_OUTCOME_WAIT_MS);
    if (!result) {
      log.info('click still pending after the wait; no notice will be sent');
      return;
    }
    services.sender.wake();
    if (result.status === 'done') return;
    const { code, message } = result.outcome;
    // Failed and retrying clicks are the server's problem, not the clicker's.
    if (code === 'failed' || code === 'retrying') return;
    await storeChatMessage(services, orgId, `notice:${inboxId}`, {
      channel: 'wecom',
      actor: click.actor,
      event: 'notice',
      text: message,
    });
    log.info({ code }, 'click rejected; notice queued for the clicker');
  } catch (error) {
    log.error({ err: error }, 'could not follow up on a WeCom click');
  }
}
