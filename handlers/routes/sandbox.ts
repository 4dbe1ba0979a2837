import { readFile } from 'node:fs/promises';
import Router from '@koa/router';
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { type Card, checkActionValues } from '../../bot/card.js';
import type { CardActionEvent } from '../../bot/channel.js';
import { AppError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { projectPath } from '../../lib/paths.js';
import { findPerson } from '../../models/people.js';
import {
  findSandboxMessage,
  listSandboxMessages,
  type SandboxMessage,
} from '../../models/sandbox.js';
import { people, regions } from '../../models/schema/index.js';
import { storeCardClick } from '../card-clicks.js';
import { parseJson, readRawBody } from '../http.js';
import { resolveOrg, type Services } from '../services.js';

const PAGE_PATH = projectPath('bot', 'sandbox', 'page.html');

/** How long a click request waits for its outcome before the response is 202. */
const CLICK_WAIT_MS = 2500;

const clickBody = z.object({
  as: z.uuid({ error: 'must be the id of a person from /sandbox/api/people' }),
  values: z.record(z.string(), z.string().max(4000)).default({}),
});

function messageJson(message: SandboxMessage) {
  return {
    id: message.id,
    to: message.recipientId,
    cardKey: message.cardKey,
    card: message.card as unknown as Card,
    version: message.version,
    createdAt: message.createdAt.toISOString(),
    updatedAt: message.updatedAt.toISOString(),
  };
}

/**
 * The sandbox chat: a page at /sandbox and its JSON API. Clicks go through the inbox like
 * platform callbacks, and each response carries the click's outcome.
 */
export function sandboxRouter(services: Services): Router {
  const router = new Router();
  let page: string | undefined;

  router.get('/sandbox', async (ctx) => {
    page ??= await readFile(PAGE_PATH, 'utf8');
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = page;
  });

  router.get('/sandbox/api/people', async (ctx) => {
    const org = await resolveOrg(services, (ctx.query.org as string | undefined) ?? undefined);
    const rows = await services.db
      .select({
        id: people.id,
        employeeNo: people.employeeNo,
        name: people.name,
        role: people.role,
        team: people.team,
        isMentor: people.isMentor,
        region: regions.name,
        regionCode: regions.code,
      })
      .from(people)
      .leftJoin(regions, eq(regions.id, people.regionId))
      .where(eq(people.orgId, org.id))
      .orderBy(asc(people.role), asc(people.employeeNo));
    ctx.body = { org: { slug: org.slug, name: org.name }, items: rows };
  });

  router.get('/sandbox/api/messages', async (ctx) => {
    const to = ctx.query.to;
    if (typeof to !== 'string' || !z.uuid().safeParse(to).success) {
      throw new ValidationError('to', 'must be the id of a person from /sandbox/api/people');
    }
    const sinceText = ctx.query.since;
    let since: Date | undefined;
    if (typeof sinceText === 'string' && sinceText !== '') {
      since = new Date(sinceText);
      if (Number.isNaN(since.getTime()))
        throw new ValidationError('since', 'must be an ISO 8601 time');
    }
    const messages = await listSandboxMessages(services.db, to, since);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { items: messages.map(messageJson), serverTime: services.clock.now().toISOString() };
  });

  router.post('/sandbox/api/messages/:id/actions/:actionId', async (ctx) => {
    const messageId = ctx.params.id ?? '';
    const actionId = ctx.params.actionId ?? '';
    const parsed = clickBody.safeParse(parseJson(await readRawBody(ctx, 64 * 1024)));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ValidationError(issue?.path.join('.') || '(body)', issue?.message ?? 'is invalid');
    }
    const { as, values } = parsed.data;
    if (!z.uuid().safeParse(messageId).success) throw new NotFoundError('Message', messageId);
    const message = await findSandboxMessage(services.db, messageId);
    if (!message) throw new NotFoundError('Message', messageId);
    const card = message.card as unknown as Card;
    const action = card.actions.find((candidate) => candidate.id === actionId);
    if (!action) {
      throw new AppError(
        'action_unavailable',
        409,
        `The card has no ${actionId} action (any more).`,
        {
          details: { field: 'actionId' },
        },
      );
    }
    const actor = await findPerson(services.db, message.orgId, as);
    if (!actor) throw new ValidationError('as', 'is not a person of this organisation');
    const problem = checkActionValues(card, action, values);
    if (problem) throw new ValidationError(problem.field, problem.message);

    const click: CardActionEvent = {
      channel: 'sandbox',
      actor: { personId: actor.id },
      cardKey: message.cardKey,
      actionId,
      payload: action.payload ?? {},
      values,
    };
    const stored = await storeCardClick(
      services,
      message.orgId,
      ctx.get('idempotency-key') || newId(),
      click,
    );
    ctx.state.log.info(
      { inboxId: stored.id, messageId, actionId, actorId: actor.id },
      'sandbox click stored',
    );
    const result = await services.processor.processNow(stored.id, CLICK_WAIT_MS);
    if (!result) {
      ctx.status = 202;
      ctx.body = { status: 'accepted', message: 'The click is being processed.' };
      return;
    }
    if (result.status === 'done') {
      services.sender.wake();
      ctx.body = {
        ok: true,
        message: result.outcome.message ?? null,
        data: result.outcome.data ?? {},
      };
      return;
    }
    const { outcome } = result;
    ctx.status = outcome.status;
    ctx.body = {
      error: {
        code: outcome.code,
        message: outcome.message,
        ...(outcome.field ? { field: outcome.field } : {}),
      },
    };
  });

  return router;
}
