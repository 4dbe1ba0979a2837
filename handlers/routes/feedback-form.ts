import { timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { formatLocal } from '../../domain/feedback/calendar.js';
import { ASSESSMENTS, FEEDBACK_FIELDS } from '../../domain/feedback/form.js';
import { AppError, NotFoundError, UnauthorizedError, ValidationError } from '../../lib/errors.js';
import type { Locale } from '../../lib/i18n.js';
import { type FeedbackRequest, findFeedbackRequest } from '../../models/feedback.js';
import { findOrgById, type Organisation } from '../../models/orgs.js';
import { findPerson, type Person } from '../../models/people.js';
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
 * Loads the request that `id` names, if `token` is the one its giver's link carries. The link
 * went only to the giver through their chat platform, so it stands for the giver until the
 * mini-app has sessions of its own.
 */
async function openRequest(
  services: Services,
  id: string,
  token: string | undefined,
): Promise<Opened> {
  if (!UUID.safeParse(id).success) throw new NotFoundError('Feedback request', id);
  const request = await findFeedbackRequest(services.db, id);
  if (!request) throw new NotFoundError('Feedback request', id);
  if (!tokenMatches(request.formToken, token)) {
    throw new UnauthorizedError(
      'The form link is incomplete or wrong; open it again from the feedback card.',
      'invalid_form_token',
    );
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

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

/** Renders the form page; a few lines of script post the fields as JSON. */
function formPage(data: ReturnType<typeof requestJson>, locale: Locale): string {
  const inputs = data.fields
    .map(
      (field) => `<label>${escapeHtml(field.label)}
  <textarea name="${field.name}" minlength="${field.minLength}" maxlength="${field.maxLength}" required></textarea>
</label>`,
    )
    .join('\n');
  const options = data.assessments
    .map((option) => {
      const selected = option.value === data.assessment ? ' selected' : '';
      return `<option value="${option.value}"${selected}>${escapeHtml(option.label)}</option>`;
    })
    .join('');
  return `<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:1rem;max-width:40rem}label{display:block;margin:.8rem 0}textarea,select{display:block;width:100%;box-sizing:border-box}textarea{min-height:5rem}#result{margin-top:1rem;font-weight:bold}</style>
</head>
<body>
<h1>${escapeHtml(data.title)}</h1>
<p>${escapeHtml(data.summary)}</p>
<p>${escapeHtml(feedbackText(locale, 'field.receiver'))}: ${escapeHtml(data.receiver.name)} · ${escapeHtml(feedbackText(locale, 'field.due'))}: ${escapeHtml(data.dueLocal)}</p>
<form id="feedback" data-request="${data.id}">
<label>${escapeHtml(feedbackText(locale, 'input.assessment'))}
  <select name="assessment"><option value=""></option>${options}</select>
</label>
${inputs}
<button type="submit">${escapeHtml(feedbackText(locale, 'action.submit'))}</button>
</form>
<p id="result" role="status"></p>
<script>
const form = document.getElementById('feedback');
const token = new URLSearchParams(location.search).get('token') || '';
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const values = Object.fromEntries(new FormData(form));
  const response = await fetch('/api/feedback/' + form.dataset.request + '/submit', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-feedback-token': token },
    body: JSON.stringify({ values }),
  });
  const body = await response.json();
  document.getElementById('result').textContent = response.ok ? body.message : body.error.message;
  if (response.ok) form.remove();
});
</script>
</body>
</html>`;
}

async function loadForm(services: Services, ctx: Context, token: string | undefined) {
  const opened = await openRequest(services, ctx.params.id ?? '', token);
  const receiver = await findPerson(services.db, opened.org.id, opened.request.receiverId);
  const locale = cardSetting(opened.giver, opened.org).locale;
  return { opened, locale, data: requestJson(opened, receiver?.name ?? '?', locale) };
}

/**
 * Builds the routes of the mini-app's feedback form: the page at /app/feedback/<id>?token=…
 * and its JSON API under /api/feedback. The token of the giver's link authorises both.
 */
export function feedbackFormRouter(services: Services): Router {
  const router = new Router();

  router.get('/app/feedback/:id', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : undefined;
    const { data, locale } = await loadForm(services, ctx, token);
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.body = formPage(data, locale);
  });

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
        details: error.field ? { field: error.field } : {},
      });
    }
  });

  return router;
}
