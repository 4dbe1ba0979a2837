import { timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { formatLocal } from '../../domain/feedback/calendar.js';
import { ASSESSMENTS, FEEDBACK_FIELDS } from '../../domain/feedback/form.js';
import {
  AppError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from '../../lib/errors.js';
import type { Locale } from '../../lib/i18n.js';
import { type FeedbackRequest, findFeedbackRequest } from '../../models/feedback.js';
import { findOrgById, type Organisation } from '../../models/orgs.js';
import { findPerson, type Person } from '../../models/people.js';
import { readSession } from '../auth/sessions.js';
import { CardQueue, Rejection } from '../context.js';
import { summaryOf } from '../feedback/cards.js';
import { feedbackText } from '../feedback/messages.js';
import { cardSetting } from '../feedback/requests.js';
import { submitFeedback } from '../feedback/submit.js';
import { parseJson, readRawBody } from '../http.js';
import type { Services } from '../services.js';

const UUID = z.uuid();
const submitBody = z.object({
  values: z.record(z.string(), z.string().max(4000), { error: 'must be an object of text values' }),
});

interface Opened {
  request: FeedbackRequest;
  org: Organisation;
  giver: Person;
}

function tokenMatches(expected: string, provided: string | undefined): boolean {
  if (!provided) return false;
  const expectedBytes = Buffer.from(expected);
  const providedBytes = Buffer.from(provided);
  return (
    expectedBytes.length === providedBytes.length && timingSafeEqual(expectedBytes, providedBytes)
  );
}

/**
 * Loads the request that `id` names for its giver. The giver is identified by the token of
 * the link their chat card carries, which went only to them, or else by their mini-app
 * session (with its CSRF token for a change).
 */
async function openRequest(
  services: Services,
  ctx: Context,
  id: string,
  token: string | undefined,
): Promise<Opened> {
  if (!UUID.safeParse(id).success) throw new NotFoundError('Feedback request', id);
  const request = await findFeedbackRequest(services.db, id);
  if (!request) throw new NotFoundError('Feedback request', id);
  if (token !== undefined) {
    if (!tokenMatches(request.formToken, token)) {
      throw new UnauthorizedError(
        'The form link is incomplete or wrong; open it again from the feedback card.',
        'invalid_form_token',
      );
    }
  } else {
    const { person } = await readSession(services, ctx);
    if (person.id !== request.giverId) {
      ctx.state.log.warn(
        { requestId: request.id, personId: person.id },
        'feedback form access rejected',
      );
      throw new ForbiddenError('Only the person asked to give this feedback can open its form.');
    }
  }
  const org = await findOrgById(services.db, request.orgId);
  const giver = await findPerson(services.db, request.orgId, request.giverId);
  if (!org || !giver) throw new Error(`feedback request ${id} lost its organisation or giver`);
  return { request, org, giver };
}

function requestJson(opened: Opened, receiverName: string, locale: Locale) {
  const { request, org, giver } = opened;
  return {
    id: request.id,
    rule: request.rule,
    title: feedbackText(locale, 'request.title', {
      rule: feedbackText(locale, `rule.${request.rule}`),
    }),
    summary: summaryOf(request, locale),
    giver: { id: giver.id, name: giver.name },
    receiver: { id: request.receiverId, name: receiverName },
    status: request.status,
    /** The quick assessment chosen on the card, if any; the form starts with it. */
    assessment: request.assessment,
    dueAt: request.dueAt.toISOString(),
    dueLocal: formatLocal(request.dueAt, org.timezone),
    fields: FEEDBACK_FIELDS.map((field) => ({
      ...field,
      label: feedbackText(locale, `input.${field.name}`),
    })),
    assessments: ASSESSMENTS.map((value) => ({
      value,
      label: feedbackText(locale, `assessment.${value}`),
    })),
  };
}

async function loadForm(services: Services, ctx: Context, token: string | undefined) {
  const opened = await openRequest(services, ctx, ctx.params.id ?? '', token);
  const receiver = await findPerson(services.db, opened.org.id, opened.request.receiverId);
  const locale = cardSetting(opened.giver, opened.org).locale;
  return { opened, locale, data: requestJson(opened, receiver?.name ?? '?', locale) };
}

/**
 * Builds the JSON API of the mini-app's feedback form under /api/feedback/<id>. The mini-app
 * serves the form page itself at /app/feedback/<id>.
 */
export function feedbackFormRouter(services: Services): Router {
  const router = new Router();

  router.get('/api/feedback/:id', async (ctx) => {
    const { data } = await loadForm(services, ctx, ctx.get('x-feedback-token') || undefined);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = data;
  });

  router.post('/api/feedback/:id/submit', async (ctx) => {
    const { opened } = await loadForm(services, ctx, ctx.get('x-feedback-token') || undefined);
    const parsed = submitBody.safeParse(parseJson(await readRawBody(ctx, 64 * 1024)));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ValidationError(issue?.path.join('.') || '(body)', issue?.message ?? 'is invalid');
    }
    const log = ctx.state.log.child({ requestId: opened.request.id, orgId: opened.org.id });
    try {
      const outcome = await services.db.transaction(async (tx) => {
        const now = services.clock.now();
        return submitFeedback(
          {
            tx,
            org: opened.org,
            now,
            cards: new CardQueue(tx, opened.org.id, now, undefined),
            log,
          },
          opened.request.id,
          opened.giver,
          parsed.data.values,
          'miniapp',
        );
      });
      services.sender.wake();
      ctx.body = { ok: true, message: outcome.message, data: { requestId: outcome.request.id } };
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      log.info({ code: error.code, field: error.field }, 'feedback submission rejected');
      throw new AppError(error.code, error.status, error.message, {
        details: error.field ? { field: error.field, ...error.details } : {},
      });
    }
  });

  return router;
}
