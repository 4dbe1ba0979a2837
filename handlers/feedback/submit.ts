import type { CardActionEvent } from '../../bot/channel.js';
import { formatLocal } from '../../domain/feedback/calendar.js';
import { checkFeedbackAnswers, parseAssessment } from '../../domain/feedback/form.js';
import { isOpen } from '../../domain/feedback/lifecycle.js';
import {
  type FeedbackRequest,
  findFeedbackRequest,
  insertDevelopmentRecord,
  updateFeedbackRequest,
} from '../../models/feedback.js';
import type { Person } from '../../models/people.js';
import { type HandlerContext, type Outcome, Rejection } from '../context.js';
import { afterFeedbackSubmitted } from '../okr/progress.js';
import {
  FEEDBACK_ACTIONS,
  giverCardKey,
  giverClosedCard,
  giverRequestCard,
  receiverCard,
  receiverCardKey,
} from './cards.js';
import { feedbackText } from './messages.js';
import { cardSetting, type FeedbackScope, requestPeople } from './requests.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type SubmitChannel = 'sandbox' | 'wecom' | 'feishu' | 'miniapp';

/**
 * Locks the request for its giver. Throws Rejection when it does not exist, when `actor` is not
 * its giver, or when it is no longer open.
 */
async function lockOpenRequest(
  scope: FeedbackScope,
  requestId: string,
  actor: Person,
): Promise<FeedbackRequest> {
  const request = UUID_PATTERN.test(requestId)
    ? await findFeedbackRequest(scope.tx, requestId, true)
    : undefined;
  const { locale } = cardSetting(actor, scope.org);
  if (!request || request.orgId !== scope.org.id) {
    throw new Rejection('not_found', feedbackText(locale, 'error.notFound'), 404);
  }
  if (request.giverId !== actor.id) {
    throw new Rejection('not_permitted', feedbackText(locale, 'error.notGiver'), 403);
  }
  if (!isOpen(request.status)) {
    const submitted = request.status === 'submitted';
    throw new Rejection(
      submitted ? 'already_submitted' : 'expired',
      feedbackText(locale, submitted ? 'error.submitted' : 'error.expired'),
      409,
    );
  }
  return request;
}

/**
 * Submits the giver's answers: checks the person and the values, closes the request, archives
 * the feedback in the receiver's development record, shows it to the receiver and marks the
 * giver's card done. Throws Rejection, with the field where one is at fault, and writes
 * nothing then.
 */
export async function submitFeedback(
  scope: FeedbackScope,
  requestId: string,
  actor: Person,
  values: Record<string, unknown>,
  via: SubmitChannel,
  clickContext?: Record<string, unknown>,
): Promise<{ request: FeedbackRequest; message: string }> {
  const request = await lockOpenRequest(scope, requestId, actor);
  const check = checkFeedbackAnswers(values);
  if (!check.ok) {
    const { locale } = cardSetting(actor, scope.org);
    const label = feedbackText(locale, `input.${check.field.replace(/^values\./, '')}`);
    const { rule, limit = 0, length = 0 } = check.violation;
    const message = feedbackText(locale, `error.${rule}`, { label, limit, length });
    throw new Rejection('invalid_input', message, 400, check.field, { ...check.violation });
  }
  // A quick assessment sent earlier from the card counts when the form leaves it out.
  const answers = {
    ...check.answers,
    assessment: check.answers.assessment ?? parseAssessment(request.assessment) ?? null,
  };
  const submitted = await updateFeedbackRequest(scope.tx, request.id, {
    status: 'submitted',
    submittedAt: scope.now,
    submittedVia: via,
  });
  await insertDevelopmentRecord(scope.tx, {
    orgId: scope.org.id,
    personId: request.receiverId,
    kind: 'feedback',
    sourceId: request.id,
    giverId: request.giverId,
    rule: request.rule,
    workOrderId: request.workOrderId,
    fact: answers.fact,
    impact: answers.impact,
    suggestion: answers.suggestion,
    assessment: answers.assessment,
    recordedAt: scope.now,
  });
  await afterFeedbackSubmitted(scope, actor);

  const { giver, receiver, names } = await requestPeople(scope, submitted);
  const giverSetting = cardSetting(giver, scope.org);
  await scope.cards.update(
    submitted.giverId,
    giverCardKey(submitted.id),
    giverClosedCard(
      submitted,
      names,
      giverSetting,
      feedbackText(giverSetting.locale, 'request.submitted', {
        at: formatLocal(scope.now, scope.org.timezone),
        receiver: names.receiverName,
      }),
    ),
    clickContext,
  );
  await scope.cards.send(
    submitted.receiverId,
    receiverCardKey(submitted.id),
    receiverCard(submitted, names, cardSetting(receiver, scope.org), answers),
  );
  scope.log.info(
    { requestId: submitted.id, rule: submitted.rule, via, receiverId: submitted.receiverId },
    'feedback submitted and archived',
  );
  return {
    request: submitted,
    message: feedbackText(giverSetting.locale, 'outcome.submitted', {
      receiver: names.receiverName,
    }),
  };
}

/**
 * Records the giver's quick assessment without closing the request, for platforms whose cards
 * cannot hold the text fields. The giver's card stays open with a line that names the choice,
 * and a later submission takes the assessment when its form leaves it out.
 */
export async function assessFeedback(
  scope: FeedbackScope,
  requestId: string,
  actor: Person,
  values: Record<string, unknown>,
  clickContext?: Record<string, unknown>,
): Promise<{ request: FeedbackRequest; message: string }> {
  const request = await lockOpenRequest(scope, requestId, actor);
  const assessment = parseAssessment(values.assessment);
  if (!assessment) {
    const { locale } = cardSetting(actor, scope.org);
    const label = feedbackText(locale, 'input.assessment');
    throw new Rejection(
      'invalid_input',
      feedbackText(locale, 'error.choice', { label }),
      400,
      'values.assessment',
      { rule: 'choice' },
    );
  }
  const assessed = await updateFeedbackRequest(scope.tx, request.id, {
    assessment,
    assessedAt: scope.now,
  });
  const { giver, names } = await requestPeople(scope, assessed);
  const setting = cardSetting(giver, scope.org);
  const footer = feedbackText(setting.locale, 'request.assessed', {
    assessment: feedbackText(setting.locale, `assessment.${assessment}`),
  });
  await scope.cards.update(
    assessed.giverId,
    giverCardKey(assessed.id),
    giverRequestCard(assessed, names, setting, assessed.formToken, footer),
    clickContext,
  );
  scope.log.info({ requestId: assessed.id, assessment }, 'quick assessment recorded');
  return { request: assessed, message: feedbackText(setting.locale, 'outcome.assessed') };
}

/**
 * Runs a click on `feedback.submit` or `feedback.assess`; `actor` is the person the platform
 * identified as the clicker.
 */
export async function handleFeedbackAction(
  context: HandlerContext,
  click: CardActionEvent,
  actor: Person,
): Promise<Outcome> {
  const requestId = click.payload.request;
  if (!requestId) {
    throw new Rejection(
      'invalid_input',
      'The card carries no feedback request id.',
      400,
      'payload.request',
    );
  }
  if (click.actionId === FEEDBACK_ACTIONS.assess) {
    const { request, message } = await assessFeedback(
      context,
      requestId,
      actor,
      click.values,
      click.context,
    );
    return { ok: true, message, data: { requestId: request.id } };
  }
  const via = click.channel;
  const { request, message } = await submitFeedback(
    context,
    requestId,
    actor,
    click.values,
    via,
    click.context,
  );
  return { ok: true, message, data: { requestId: request.id } };
}
