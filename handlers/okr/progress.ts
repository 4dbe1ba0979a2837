import type { CardBlock } from '../../bot/card.js';
import { METRICS, type MetricSource, sourcesChangedBy } from '../../domain/okr/metrics.js';
import { localDate } from '../../domain/okr/period.js';
import { byRelevance, keyResultsMovedBy, orderInScope } from '../../domain/okr/trace.js';
import {
  findKeyResultsForWork,
  linkWorkOrder,
  listStrategies,
  type ScopedKeyResult,
} from '../../models/okr.js';
import { findPeople, type Person } from '../../models/people.js';
import { findCustomer, type WorkOrder } from '../../models/work-orders.js';
import type { HandlerContext } from '../context.js';
import { faultTypeLabel, localeOf } from '../dispatch/service.js';
import { completionCard, completionCardKey, keyResultProgressBlock } from './cards.js';
import { okrText } from './messages.js';
import { recomputeKeyResults } from './recompute.js';

/** Most key results a completion card shows. */
const MAX_CARD_KEY_RESULTS = 3;

interface WorkChange {
  order: WorkOrder;
  /** The engineer whose work it is; person-level key results of this engineer count it. */
  engineerId: string | null;
  sources: readonly MetricSource[];
  /** The times the change concerns. Key results whose period contains one are recomputed. */
  instants: Date[];
}

/**
 * Recomputes, in the handler's transaction, the key results a work change moves, and links
 * the order to the key results it counts towards. Returns those key results, most relevant
 * to the engineer first.
 */
async function applyWorkChange(
  context: HandlerContext,
  change: WorkChange,
): Promise<ScopedKeyResult[]> {
  const { order, engineerId } = change;
  const timeZone = context.org.timezone;
  const days = [...new Set(change.instants.map((instant) => localDate(instant, timeZone)))];
  const candidates = await findKeyResultsForWork(
    context.tx,
    context.org.id,
    { engineerId, regionId: order.regionId, days },
    true,
  );
  const moved = keyResultsMovedBy(
    { engineerId, regionId: order.regionId, faultType: order.faultType },
    candidates,
    change.sources,
  );
  if (moved.length === 0) return [];
  const recomputed = await recomputeKeyResults(context.tx, moved, {
    orgId: context.org.id,
    timeZone,
    now: context.now,
    cause: context.event.type,
    workOrderId: order.id,
    inboxId: context.event.id,
  });
  await linkWorkOrder(
    context.tx,
    moved.map((keyResult) => ({
      orgId: context.org.id,
      workOrderId: order.id,
      keyResultId: keyResult.id,
      strategyId: keyResult.strategyId,
      engineerId,
      linkedAt: context.now,
    })),
  );
  context.log.debug(
    { workOrderId: order.id, keyResults: recomputed.filter((r) => r.changed).length },
    'key results recomputed',
  );
  const byId = new Map(recomputed.map((result) => [result.keyResult.id, result.keyResult]));
  return byRelevance(moved).map((keyResult) => byId.get(keyResult.id) ?? keyResult);
}

/**
 * Recomputes the key results a resolved order moves and sends the engineer a completion card
 * with their progress bars and the strategies they support.
 */
export async function afterOrderResolved(
  context: HandlerContext,
  order: WorkOrder,
  engineerId: string | null,
): Promise<void> {
  const moved = await applyWorkChange(context, {
    order,
    engineerId,
    sources: sourcesChangedBy('work_order.resolved'),
    instants: [order.resolvedAt ?? context.now],
  });
  if (!engineerId) return;
  const [engineer] = await findPeople(context.tx, context.org.id, [engineerId]);
  const customer = await findCustomer(context.tx, order.customerId);
  if (!engineer || !customer) return;
  const shown = moved
    .filter((keyResult) => keyResult.level === 'person')
    .slice(0, MAX_CARD_KEY_RESULTS);
  const shownOrAny = shown.length > 0 ? shown : moved.slice(0, MAX_CARD_KEY_RESULTS);
  const strategies = await listStrategies(context.tx, context.org.id);
  const strategyIds = new Set(shownOrAny.map((keyResult) => keyResult.strategyId));
  const card = completionCard({
    locale: localeOf(engineer, context.org),
    code: order.code,
    faultTypeLabel: faultTypeLabel(context.org, order.faultType),
    customerName: customer.name,
    moved: shownOrAny,
    strategyTitles: strategies.filter((s) => strategyIds.has(s.id)).map((s) => s.title),
  });
  await context.cards.send(
    engineer.id,
    completionCardKey(order.id, engineer.id, order.reopenCount),
    card,
  );
}

/** Recomputes the key results of a reopened order: it no longer counts as resolved. */
export async function afterOrderReopened(
  context: HandlerContext,
  before: WorkOrder,
  after: WorkOrder,
): Promise<void> {
  await applyWorkChange(context, {
    order: after,
    engineerId: before.assignedEngineerId,
    sources: sourcesChangedBy('work_order.reopened'),
    instants: [before.resolvedAt ?? context.now, context.now],
  });
}

/** Recomputes the rating key results a new rating moves. */
export async function afterRatingSubmitted(
  context: HandlerContext,
  order: WorkOrder,
  rating: { engineerId: string | null; submittedAt: Date },
): Promise<void> {
  await applyWorkChange(context, {
    order,
    engineerId: rating.engineerId,
    sources: sourcesChangedBy('rating.submitted'),
    instants: [rating.submittedAt],
  });
}

/**
 * The progress block of the key result that an offered order moves once resolved: the
 * engineer's own first. Returns no block when the order counts towards none.
 */
export async function offerProgressBlocks(
  context: HandlerContext,
  order: WorkOrder,
  engineer: Person,
): Promise<CardBlock[]> {
  const candidates = await findKeyResultsForWork(context.tx, context.org.id, {
    engineerId: engineer.id,
    regionId: order.regionId,
    days: [localDate(context.now, context.org.timezone)],
  });
  const [first] = byRelevance(
    keyResultsMovedBy(
      { engineerId: engineer.id, regionId: order.regionId, faultType: order.faultType },
      candidates,
      ['orders'],
    ),
  );
  if (!first) return [];
  const locale = localeOf(engineer, context.org);
  return [
    { type: 'text', text: okrText(locale, 'dispatch.moves', { title: first.title }) },
    keyResultProgressBlock(locale, first),
  ];
}

/** What a feedback submission writes with: the transaction, organisation, time and log. */
export interface FeedbackChange {
  tx: HandlerContext['tx'];
  org: HandlerContext['org'];
  now: Date;
  log: HandlerContext['log'];
}

/** Recomputes the feedback key results that the giver's submission moves. */
export async function afterFeedbackSubmitted(scope: FeedbackChange, giver: Person): Promise<void> {
  const candidates = await findKeyResultsForWork(
    scope.tx,
    scope.org.id,
    {
      engineerId: giver.id,
      regionId: giver.regionId,
      days: [localDate(scope.now, scope.org.timezone)],
    },
    true,
  );
  const moved = candidates.filter(
    (keyResult) =>
      METRICS[keyResult.metric].source === 'feedback' &&
      orderInScope({ engineerId: giver.id, regionId: giver.regionId, faultType: '' }, keyResult),
  );
  const recomputed = await recomputeKeyResults(scope.tx, moved, {
    orgId: scope.org.id,
    timeZone: scope.org.timezone,
    now: scope.now,
    cause: 'feedback.submitted',
  });
  scope.log.debug(
    { keyResults: recomputed.filter((r) => r.changed).length },
    'feedback key results recomputed',
  );
}
