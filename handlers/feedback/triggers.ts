import {
  DECLINE_WINDOW_DAYS,
  findRepeatFault,
  isLowRating,
  isPraise,
  repeatedDeclinesKey,
} from '../../domain/feedback/rules.js';
import { toLocale } from '../../lib/i18n.js';
import { insertSla, listDeclines, listResolvedOnDevice } from '../../models/feedback-sources.js';
import type { Rating, WorkOrder } from '../../models/work-orders.js';
import { dispatchText } from '../dispatch/messages.js';
import { engineerCircle } from './participants.js';
import { type FeedbackScope, ruleSettings, triggerFeedback } from './requests.js';

/*
 * The hooks that event and card-action handlers call after their own work, in their
 * transaction. Each evaluates the rules its event can trigger and requests feedback.
 */

const DAY_MS = 86_400_000;

/** Maximum characters of a customer's text that a card quotes. */
const QUOTE_CHARS = 300;

/** Shortens a customer's text for a card, by characters, marking a cut with an ellipsis. */
export function quote(text: string | null | undefined): string {
  const characters = [...(text?.trim() ?? '')];
  if (characters.length === 0) return '—';
  if (characters.length <= QUOTE_CHARS) return characters.join('');
  return `${characters.slice(0, QUOTE_CHARS).join('')}…`;
}

/** Low rating and recognition, after a rating was stored. */
export async function feedbackOnRating(
  scope: FeedbackScope,
  rating: Rating,
  order: WorkOrder,
): Promise<void> {
  const low = await ruleSettings(scope, 'low_rating');
  const praise = await ruleSettings(scope, 'recognition');
  const kinds = [
    ...(low.enabled && isLowRating(rating.score, low) ? (['low_rating'] as const) : []),
    ...(praise.enabled && isPraise(rating.score, rating.comment, praise)
      ? (['recognition'] as const)
      : []),
  ];
  if (kinds.length === 0) return;
  const { participants } = await engineerCircle(scope, rating.engineerId);
  for (const kind of kinds) {
    const settings = kind === 'low_rating' ? low : praise;
    await triggerFeedback(
      scope,
      kind,
      settings,
      {
        eventKey: `${kind}:rating:${rating.id}`,
        occurredAt: rating.submittedAt,
        participants,
        facts: { order: order.code, score: rating.score, comment: quote(rating.comment) },
      },
      {
        workOrderId: order.id,
        teamId: order.regionId,
      },
    );
  }
}

/** Stores a new order's SLA deadlines and checks for a repeat fault on its device. */
export async function feedbackOnWorkOrderCreated(
  scope: FeedbackScope,
  order: WorkOrder,
  sla: { respond_by?: string | undefined; resolve_by?: string | undefined } | undefined,
): Promise<void> {
  if (sla?.respond_by || sla?.resolve_by) {
    await insertSla(scope.tx, {
      orgId: scope.org.id,
      workOrderId: order.id,
      respondBy: sla.respond_by ? new Date(sla.respond_by) : null,
      resolveBy: sla.resolve_by ? new Date(sla.resolve_by) : null,
    });
  }
  if (!order.deviceId) return;
  const settings = await ruleSettings(scope, 'repeat_fault');
  if (!settings.enabled) return;
  const days = settings.threshold ?? 30;
  const earlier = await listResolvedOnDevice(
    scope.tx,
    scope.org.id,
    order.deviceId,
    order.id,
    new Date(order.openedAt.getTime() - days * DAY_MS),
  );
  const previous = findRepeatFault(order.openedAt, earlier, settings);
  if (!previous) return;
  const { participants } = await engineerCircle(scope, previous.engineerId);
  const elapsedDays = Math.floor(
    (order.openedAt.getTime() - previous.resolvedAt.getTime()) / DAY_MS,
  );
  await triggerFeedback(
    scope,
    'repeat_fault',
    settings,
    {
      eventKey: `repeat_fault:${order.id}`,
      occurredAt: order.openedAt,
      participants,
      facts: {
        order: order.code,
        previousOrder: previous.code,
        device: order.deviceId,
        days: elapsedDays,
      },
    },
    {
      workOrderId: order.id,
      teamId: order.regionId,
    },
  );
}

/**
 * First-time fix failed (the business system reported `first_time_fix: false`) and the mentor
 * review of an apprentice, after an order was resolved.
 */
export async function feedbackOnWorkOrderResolved(
  scope: FeedbackScope,
  order: WorkOrder,
  reportedFirstTimeFix: boolean | undefined,
): Promise<void> {
  const resolvedAt = order.resolvedAt ?? scope.now;
  const { engineer, participants } = await engineerCircle(scope, order.assignedEngineerId);
  const facts = { order: order.code, engineer: engineer?.name ?? '—' };
  const links = { workOrderId: order.id, teamId: order.regionId };
  if (reportedFirstTimeFix === false) {
    const settings = await ruleSettings(scope, 'first_time_fix_failed');
    await triggerFeedback(
      scope,
      'first_time_fix_failed',
      settings,
      {
        eventKey: `first_time_fix_failed:${order.id}:${resolvedAt.toISOString()}`,
        occurredAt: resolvedAt,
        participants,
        facts,
      },
      links,
    );
  }
  if (engineer?.mentorId) {
    const settings = await ruleSettings(scope, 'shadow_review');
    await triggerFeedback(
      scope,
      'shadow_review',
      settings,
      {
        eventKey: `shadow_review:${order.id}:${resolvedAt.toISOString()}`,
        occurredAt: resolvedAt,
        participants,
        facts,
      },
      links,
    );
  }
}

/** Work order reopened: feedback to the engineer who resolved it. */
export async function feedbackOnWorkOrderReopened(
  scope: FeedbackScope,
  order: WorkOrder,
  reopenedAt: Date,
  reason: string | undefined,
): Promise<void> {
  const settings = await ruleSettings(scope, 'work_order_reopened');
  if (!settings.enabled) return;
  const { participants } = await engineerCircle(scope, order.assignedEngineerId);
  await triggerFeedback(
    scope,
    'work_order_reopened',
    settings,
    {
      eventKey: `work_order_reopened:${order.id}:${order.reopenCount + 1}`,
      occurredAt: reopenedAt,
      participants,
      facts: { order: order.code, reason: quote(reason) },
    },
    {
      workOrderId: order.id,
      teamId: order.regionId,
    },
  );
}

export interface OverrideFacts {
  order: WorkOrder;
  decisionId: string;
  managerId: string;
  previousEngineerId: string;
  chosenEngineerId: string;
  chosenName: string;
  reason: string;
}

/** Dispatch overridden: the manager who reassigned explains it to the passed-over engineer. */
export async function feedbackOnDispatchOverride(
  scope: FeedbackScope,
  override: OverrideFacts,
): Promise<void> {
  if (override.previousEngineerId === override.chosenEngineerId) return;
  const settings = await ruleSettings(scope, 'dispatch_overridden');
  if (!settings.enabled) return;
  const { engineer, participants } = await engineerCircle(scope, override.previousEngineerId, {
    actor: override.managerId,
  });
  const locale = toLocale(scope.org.locale);
  await triggerFeedback(
    scope,
    'dispatch_overridden',
    settings,
    {
      eventKey: `dispatch_overridden:${override.decisionId}`,
      occurredAt: scope.now,
      participants,
      facts: {
        order: override.order.code,
        engineer: engineer?.name ?? '—',
        chosen: override.chosenName,
        reason: dispatchText(locale, `reason.${override.reason}`),
      },
    },
    {
      workOrderId: override.order.id,
      teamId: override.order.regionId,
    },
  );
}

/** Repeated declines: counted after each decline, including the one just stored. */
export async function feedbackOnDecline(
  scope: FeedbackScope,
  engineerId: string,
  order: WorkOrder,
): Promise<void> {
  const settings = await ruleSettings(scope, 'repeated_declines');
  if (!settings.enabled) return;
  const declines = await listDeclines(
    scope.tx,
    scope.org.id,
    engineerId,
    new Date(scope.now.getTime() - DECLINE_WINDOW_DAYS * DAY_MS),
  );
  const found = repeatedDeclinesKey(engineerId, declines, scope.now, settings);
  if (!found) return;
  const { engineer, participants } = await engineerCircle(scope, engineerId);
  await triggerFeedback(
    scope,
    'repeated_declines',
    settings,
    {
      eventKey: found.eventKey,
      occurredAt: scope.now,
      participants,
      facts: { engineer: engineer?.name ?? '—', count: found.count, order: order.code },
    },
    {
      workOrderId: order.id,
      teamId: engineer?.regionId ?? order.regionId,
    },
  );
}

/** Complaint received: feedback to the engineer complained about. */
export async function feedbackOnComplaint(
  scope: FeedbackScope,
  complaint: {
    id: string;
    receivedAt: Date;
    description: string;
    engineerId: string | null;
    order: WorkOrder | undefined;
  },
): Promise<boolean> {
  const settings = await ruleSettings(scope, 'complaint_received');
  const { engineer, participants } = await engineerCircle(scope, complaint.engineerId);
  const input = {
    eventKey: `complaint_received:${complaint.id}`,
    occurredAt: complaint.receivedAt,
    participants,
    facts: {
      complaint: complaint.id,
      order: complaint.order?.code ?? '—',
      description: quote(complaint.description),
    },
  };
  const request = await triggerFeedback(scope, 'complaint_received', settings, input, {
    workOrderId: complaint.order?.id ?? null,
    teamId: complaint.order?.regionId ?? engineer?.regionId ?? null,
  });
  return request !== undefined;
}
