import type { CardActionEvent } from '../../bot/channel.js';
import type { Candidate } from '../../domain/dispatch/rank.js';
import {
  candidatesOf,
  insertDecision,
  lockRecommendation,
  type Recommendation,
  updateRecommendation,
} from '../../models/dispatch.js';
import type { Person } from '../../models/people.js';
import {
  addHistory,
  findCustomer,
  findWorkOrder,
  updateWorkOrder,
  type WorkOrder,
} from '../../models/work-orders.js';
import { type HandlerContext, type Outcome, Rejection } from '../context.js';
import { feedbackOnDecline, feedbackOnDispatchOverride } from '../feedback/triggers.js';
import { ACTIONS, REASSIGN_REASONS, type ReassignReason } from './cards.js';
import { dispatchText } from './messages.js';
import {
  closeEngineerCard,
  type DispatchState,
  localeOf,
  offerOrder,
  rankForOrder,
  sendManagerCards,
} from './service.js';

export const DISPATCH_ACTION_IDS: readonly string[] = Object.values(ACTIONS);

/** Builds a rejection worded for the person who clicked, in their language. */
function rejectionFor(
  context: HandlerContext,
  actor: Person,
  rejection: { code: string; key: string; values?: Record<string, string | number> },
  status = 409,
  field?: string,
): Rejection {
  const message = dispatchText(localeOf(actor, context.org), rejection.key, rejection.values);
  return new Rejection(rejection.code, message, status, field);
}

function orderClosed(context: HandlerContext, actor: Person, order: WorkOrder): Rejection {
  const locale = localeOf(actor, context.org);
  return rejectionFor(context, actor, {
    code: 'order_closed',
    key: 'error.orderClosed',
    values: { code: order.code, status: dispatchText(locale, `status.${order.status}`) },
  });
}

/** The maximum length of a reassignment note, in characters. */
const MAX_NOTE_LENGTH = 200;

const notPermitted = (context: HandlerContext, actor: Person) =>
  rejectionFor(context, actor, { code: 'not_permitted', key: 'error.notPermitted' }, 403);

/** Runs a click on a dispatch card; `actor` is the person the platform says clicked. */
export async function handleDispatchAction(
  context: HandlerContext,
  click: CardActionEvent,
  actor: Person,
): Promise<Outcome> {
  const recommendationId = click.payload.recommendation;
  if (!recommendationId) {
    throw new Rejection(
      'invalid_input',
      'The card carries no recommendation id.',
      400,
      'payload.recommendation',
    );
  }
  const recommendation = await lockRecommendation(context.tx, context.org.id, recommendationId);
  if (!recommendation) {
    throw new Rejection('not_found', `Recommendation ${recommendationId} was not found.`, 404);
  }
  const order = await findWorkOrder(context.tx, context.org.id, recommendation.workOrderId, true);
  const customer = order && (await findCustomer(context.tx, order.customerId));
  if (!order || !customer)
    throw new Error(`work order of recommendation ${recommendationId} is missing`);
  const state: DispatchState = { recommendation, order, customer };

  switch (click.actionId) {
    case ACTIONS.accept:
      return accept(context, state, click, actor);
    case ACTIONS.decline:
      return decline(context, state, click, actor);
    case ACTIONS.confirm:
      return confirm(context, state, click, actor);
    case ACTIONS.reassign:
      return reassign(context, state, click, actor);
    default:
      throw new Rejection('unknown_action', `Unknown action ${click.actionId}.`, 400, 'action');
  }
}

/** Checks that the click comes from the engineer the order is offered to, right now. */
function requireOfferedEngineer(
  context: HandlerContext,
  state: DispatchState,
  click: CardActionEvent,
  actor: Person,
): void {
  if (click.payload.engineer !== actor.id) throw notPermitted(context, actor);
  const { recommendation, order } = state;
  if (order.status === 'resolved' || order.status === 'cancelled') {
    throw orderClosed(context, actor, order);
  }
  if (recommendation.offeredEngineerId !== actor.id || order.status !== 'offered') {
    const accepted = order.assignedEngineerId === actor.id && order.status !== 'offered';
    throw rejectionFor(context, actor, {
      code: accepted ? 'already_accepted' : 'offer_withdrawn',
      key: accepted ? 'error.alreadyAccepted' : 'error.offerWithdrawn',
      values: { code: order.code },
    });
  }
}

/** Checks that the actor manages the order's area. */
function requireAreaManager(context: HandlerContext, state: DispatchState, actor: Person): void {
  if (actor.role !== 'manager' || actor.regionId !== state.order.regionId) {
    throw notPermitted(context, actor);
  }
}

async function accept(
  context: HandlerContext,
  state: DispatchState,
  click: CardActionEvent,
  actor: Person,
): Promise<Outcome> {
  requireOfferedEngineer(context, state, click, actor);
  const order = await updateWorkOrder(context.tx, state.order.id, {
    status: 'accepted',
    assignedEngineerId: actor.id,
    acceptedAt: context.now,
    updatedAt: context.now,
  });
  await addHistory(context.tx, {
    orgId: context.org.id,
    workOrderId: order.id,
    status: 'accepted',
    at: context.now,
    actorId: actor.id,
    inboxId: context.event.id,
  });
  const decision = await insertDecision(context.tx, {
    orgId: context.org.id,
    recommendationId: state.recommendation.id,
    workOrderId: order.id,
    kind: 'accepted',
    actorId: actor.id,
    engineerId: actor.id,
    createdAt: context.now,
  });
  const recommendation = await updateRecommendation(context.tx, state.recommendation.id, {
    status: 'accepted',
    updatedAt: context.now,
  });
  const next = { ...state, recommendation, order };
  await closeEngineerCard(
    context,
    next,
    actor.id,
    'engineer.accepted',
    {},
    'success',
    click.context,
  );
  await sendManagerCards(context, next, 'update', { lastDecision: decision });
  return { ok: true, message: dispatchText(localeOf(actor, context.org), 'engineer.accepted') };
}

async function decline(
  context: HandlerContext,
  state: DispatchState,
  click: CardActionEvent,
  actor: Person,
): Promise<Outcome> {
  requireOfferedEngineer(context, state, click, actor);
  const declinedIds = [...state.recommendation.declinedIds, actor.id];
  const decision = await insertDecision(context.tx, {
    orgId: context.org.id,
    recommendationId: state.recommendation.id,
    workOrderId: state.order.id,
    kind: 'declined',
    actorId: actor.id,
    engineerId: actor.id,
    note: click.values.note?.trim() || null,
    createdAt: context.now,
  });
  await closeEngineerCard(
    context,
    state,
    actor.id,
    'engineer.declined',
    {},
    'neutral',
    click.context,
  );

  const ranking = await rankForOrder(context, state.order, state.customer, declinedIds);
  const next = ranking.candidates[0];
  const recommendation = await updateRecommendation(context.tx, state.recommendation.id, {
    declinedIds,
    candidates:
      ranking.candidates.length > 0 ? ranking.candidates : state.recommendation.candidates,
    status: next ? 'offered' : 'unassigned',
    offeredEngineerId: next?.engineerId ?? null,
    updatedAt: context.now,
  });
  let order = state.order;
  if (next) {
    order = (await offerOrder(context, { ...state, recommendation }, next, 'offered')).order;
  } else {
    order = await updateWorkOrder(context.tx, state.order.id, {
      status: 'unassigned',
      offeredEngineerId: null,
      updatedAt: context.now,
    });
    await addHistory(context.tx, {
      orgId: context.org.id,
      workOrderId: order.id,
      status: 'unassigned',
      at: context.now,
      inboxId: context.event.id,
      note: ranking.noCandidateReason ?? null,
    });
  }
  await sendManagerCards(context, { ...state, recommendation, order }, 'update', {
    lastDecision: decision,
    excluded: next ? undefined : ranking.excluded,
  });
  await feedbackOnDecline(context, actor.id, order);
  return {
    ok: true,
    message: dispatchText(localeOf(actor, context.org), 'engineer.declined'),
    data: { nextEngineerId: next?.engineerId ?? null },
  };
}

async function confirm(
  context: HandlerContext,
  state: DispatchState,
  click: CardActionEvent,
  actor: Person,
): Promise<Outcome> {
  requireAreaManager(context, state, actor);
  const { recommendation, order } = state;
  if (recommendation.confirmedById) {
    throw rejectionFor(context, actor, {
      code: 'already_confirmed',
      key: 'error.alreadyConfirmed',
    });
  }
  if (
    !recommendation.offeredEngineerId ||
    order.status === 'resolved' ||
    order.status === 'cancelled'
  ) {
    throw rejectionFor(context, actor, {
      code: 'nothing_to_confirm',
      key: 'error.nothingToConfirm',
      values: { code: order.code },
    });
  }
  const decision = await insertDecision(context.tx, {
    orgId: context.org.id,
    recommendationId: recommendation.id,
    workOrderId: order.id,
    kind: 'confirmed',
    actorId: actor.id,
    engineerId: order.assignedEngineerId ?? recommendation.offeredEngineerId,
    createdAt: context.now,
  });
  const updated = await updateRecommendation(context.tx, recommendation.id, {
    confirmedById: actor.id,
    updatedAt: context.now,
  });
  await sendManagerCards(context, { ...state, recommendation: updated }, 'update', {
    lastDecision: decision,
    click: { managerId: actor.id, context: click.context },
  });
  return {
    ok: true,
    message: dispatchText(localeOf(actor, context.org), 'manager.confirmed', { name: actor.name }),
  };
}

function parseReassignValues(
  context: HandlerContext,
  actor: Person,
  recommendation: Recommendation,
  values: Record<string, string>,
  currentEngineerId: string | null,
): { chosen: Candidate; reason: ReassignReason; note: string | undefined } {
  const invalid = (key: string, field: string, extra: Record<string, string | number> = {}) =>
    rejectionFor(context, actor, { code: 'invalid_input', key, values: extra }, 400, field);
  const chosen = candidatesOf(recommendation).find((c) => c.engineerId === values.engineer);
  if (!values.engineer) throw invalid('error.chooseEngineer', 'values.engineer');
  if (!chosen) throw invalid('error.notAlternative', 'values.engineer');
  if (chosen.engineerId === currentEngineerId) {
    throw invalid('error.sameEngineer', 'values.engineer');
  }
  const reason = values.reason as ReassignReason;
  if (!REASSIGN_REASONS.includes(reason)) {
    throw invalid('error.chooseReason', 'values.reason', { reasons: REASSIGN_REASONS.join(', ') });
  }
  const note = values.note?.trim() || undefined;
  if (reason === 'other' && (!note || note.length < 2)) {
    throw invalid('error.noteRequired', 'values.note');
  }
  if (note && [...note].length > MAX_NOTE_LENGTH) {
    throw invalid('error.noteTooLong', 'values.note', { max: MAX_NOTE_LENGTH });
  }
  return { chosen, reason, note };
}

async function reassign(
  context: HandlerContext,
  state: DispatchState,
  click: CardActionEvent,
  actor: Person,
): Promise<Outcome> {
  requireAreaManager(context, state, actor);
  const { recommendation, order } = state;
  if (order.status === 'resolved' || order.status === 'cancelled') {
    throw orderClosed(context, actor, order);
  }
  const currentId = order.assignedEngineerId ?? recommendation.offeredEngineerId;
  const { chosen, reason, note } = parseReassignValues(
    context,
    actor,
    recommendation,
    click.values,
    currentId,
  );
  const candidates = candidatesOf(recommendation);
  // An order that no engineer held had no recommendation to override.
  const recommended = currentId
    ? (candidates.find((c) => c.engineerId === currentId) ?? candidates[0])
    : undefined;

  const updated = await updateRecommendation(context.tx, recommendation.id, {
    status: 'offered',
    offeredEngineerId: chosen.engineerId,
    updatedAt: context.now,
  });
  const next = { ...state, recommendation: updated };
  const { order: newOrder, decision } = await offerOrder(context, next, chosen, 'reassigned', {
    actorId: actor.id,
    reason,
    ...(note ? { note } : {}),
    ...(currentId ? { previousEngineerId: currentId } : {}),
    features: { recommended: recommended ?? null, chosen, weights: recommendation.weights },
  });
  if (currentId) {
    await closeEngineerCard(
      context,
      { ...next, order: newOrder },
      currentId,
      'engineer.reassigned',
      { name: chosen.name, reason: dispatchText(localeOf(actor, context.org), `reason.${reason}`) },
      'warning',
    );
  }
  await sendManagerCards(context, { ...next, order: newOrder }, 'update', {
    lastDecision: decision,
    click: { managerId: actor.id, context: click.context },
  });
  if (currentId) {
    await feedbackOnDispatchOverride(context, {
      order: newOrder,
      decisionId: decision.id,
      managerId: actor.id,
      previousEngineerId: currentId,
      chosenEngineerId: chosen.engineerId,
      chosenName: chosen.name,
      reason,
    });
  }
  return {
    ok: true,
    message: dispatchText(localeOf(actor, context.org), 'manager.reassigned', {
      name: chosen.name,
      reason: dispatchText(localeOf(actor, context.org), `reason.${reason}`),
    }),
    data: { engineerId: chosen.engineerId },
  };
}
