import type { Ranking } from '../../domain/dispatch/rank.js';
import type { BusinessEventType, EventOf } from '../../domain/events.js';
import { latestRecommendationForOrder, updateRecommendation } from '../../models/dispatch.js';
import { claimMoreInboxEvents, completeInboxEvent, type InboxRow } from '../../models/inbox.js';
import { findPersonByEmployeeNo } from '../../models/people.js';
import {
  addHistory,
  type Customer,
  ensureRegion,
  findCustomer,
  findWorkOrderByCode,
  insertWorkOrder,
  updateWorkOrder,
  upsertCustomer,
  type WorkOrder,
} from '../../models/work-orders.js';
import {
  CardQueue,
  type HandlerContext,
  type Outcome,
  Rejection,
  RetryLater,
  rejectionOutcome,
} from '../context.js';
import { applyJointAssignment } from '../dispatch/batch.js';
import {
  closeEngineerCard,
  dispatchNewOrder,
  rankForOrder,
  sendManagerCards,
} from '../dispatch/service.js';
import {
  feedbackOnWorkOrderCreated,
  feedbackOnWorkOrderReopened,
  feedbackOnWorkOrderResolved,
} from '../feedback/triggers.js';
import { afterOrderReopened, afterOrderResolved } from '../okr/progress.js';

function payloadOf<T extends BusinessEventType>(context: HandlerContext, _type: T): EventOf<T> {
  return context.event.payload as unknown as EventOf<T>;
}

/** Most work_order.created events of one organisation dispatched together. */
const MAX_DISPATCH_BATCH = 20;

/** Stores the customer, region and work order of a created event; rejects a known order. */
async function storeCreatedOrder(
  context: HandlerContext,
  event: InboxRow,
): Promise<{ order: WorkOrder; customer: Customer }> {
  const { data } = event.payload as unknown as EventOf<'work_order.created'>;
  const regionId = await ensureRegion(context.tx, context.org.id, data.customer.region);
  const customer = await upsertCustomer(
    context.tx,
    context.org.id,
    {
      code: data.customer.id,
      name: data.customer.name,
      lat: data.customer.location.lat,
      lng: data.customer.location.lng,
      regionId,
      address: data.customer.address,
    },
    context.now,
  );
  const order = await insertWorkOrder(context.tx, context.org.id, {
    code: data.work_order_id,
    customerId: customer.id,
    regionId,
    faultType: data.fault_type,
    priority: data.priority,
    description: data.description ?? null,
    deviceId: data.device_id ?? null,
    status: 'new',
    openedAt: new Date(data.opened_at),
    updatedAt: context.now,
  });
  if (!order) {
    throw new Rejection(
      'duplicate_work_order',
      `Work order ${data.work_order_id} already exists; a second created event cannot open it again.`,
      409,
      'data.work_order_id',
    );
  }
  await addHistory(context.tx, {
    orgId: context.org.id,
    workOrderId: order.id,
    status: 'new',
    at: new Date(data.opened_at),
    inboxId: event.id,
  });
  return { order, customer };
}

/**
 * Stores a new work order and dispatches it, together with the other created events of the
 * organisation that are waiting: their orders are assigned jointly, and their inbox rows are
 * completed in this transaction.
 */
export async function handleWorkOrderCreated(context: HandlerContext): Promise<Outcome> {
  const own = await storeCreatedOrder(context, context.event);
  const companions = await claimMoreInboxEvents(context.tx, context.now, {
    orgId: context.org.id,
    type: 'work_order.created',
    excludeId: context.event.id,
    limit: MAX_DISPATCH_BATCH - 1,
  });
  const entries: { context: HandlerContext; order: WorkOrder; customer: Customer }[] = [
    { context, ...own },
  ];
  for (const event of companions) {
    const companionContext: HandlerContext = {
      ...context,
      event,
      log: context.log.child({ inboxId: event.id, sourceId: event.sourceId }),
      cards: new CardQueue(context.tx, context.org.id, context.now, event.id, { buffered: true }),
    };
    try {
      const stored = await context.tx.transaction(async (savepoint) =>
        storeCreatedOrder({ ...companionContext, tx: savepoint }, event),
      );
      entries.push({ context: companionContext, ...stored });
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      companionContext.log.info({ code: error.code, reason: error.message }, 'event rejected');
      await completeInboxEvent(
        context.tx,
        event.id,
        'rejected',
        rejectionOutcome(error),
        context.now,
      );
    }
  }

  const rankings: Ranking[] = [];
  for (const entry of entries)
    rankings.push(await rankForOrder(entry.context, entry.order, entry.customer));
  const assigned = applyJointAssignment(
    entries.map((entry, index) => ({ ...entry, ranking: rankings[index] as Ranking })),
  );

  let ownOutcome: Outcome | undefined;
  for (const [index, entry] of entries.entries()) {
    const recommendation = await dispatchNewOrder(
      entry.context,
      entry.order,
      entry.customer,
      assigned[index],
    );
    const { data } = entry.context.event.payload as unknown as EventOf<'work_order.created'>;
    await feedbackOnWorkOrderCreated(entry.context, entry.order, data.sla);
    const outcome: Outcome = {
      ok: true,
      data: {
        workOrderId: entry.order.id,
        recommendationId: recommendation.id,
        offeredEngineerId: recommendation.offeredEngineerId,
        batchSize: entries.length,
      },
    };
    if (entry.context === context) {
      ownOutcome = outcome;
      continue;
    }
    await entry.context.cards.flush();
    await completeInboxEvent(
      context.tx,
      entry.context.event.id,
      'done',
      outcome as unknown as Record<string, unknown>,
      context.now,
    );
    entry.context.log.info({ batchWith: context.event.id }, 'event processed in a dispatch batch');
  }
  return ownOutcome as Outcome;
}

async function requireOrder(context: HandlerContext, code: string): Promise<WorkOrder> {
  const order = await findWorkOrderByCode(context.tx, context.org.id, code, true);
  if (!order) {
    throw new RetryLater(`Work order ${code} is unknown; send its work_order.created event first.`);
  }
  return order;
}

async function resolveEngineerId(
  context: HandlerContext,
  employeeNo: string | undefined,
): Promise<string | undefined> {
  if (!employeeNo) return undefined;
  const person = await findPersonByEmployeeNo(context.tx, context.org.id, employeeNo);
  if (!person) {
    throw new Rejection(
      'unknown_engineer',
      `No person has employee number ${employeeNo}.`,
      422,
      'data.engineer_id',
    );
  }
  return person.id;
}

/** Records a field status reported by the business system, such as on_site. */
export async function handleWorkOrderStatusChanged(context: HandlerContext): Promise<Outcome> {
  const { data } = payloadOf(context, 'work_order.status_changed');
  const order = await requireOrder(context, data.work_order_id);
  if (order.status === 'resolved' || order.status === 'cancelled') {
    throw new Rejection(
      'order_closed',
      `Work order ${order.code} is ${order.status}; its status cannot change.`,
      409,
    );
  }
  const engineerId = await resolveEngineerId(context, data.engineer_id);
  const at = new Date(data.changed_at);
  const changes: Partial<WorkOrder> = { fieldStatus: data.status, updatedAt: context.now };
  if (
    data.status === 'accepted' ||
    data.status === 'en_route' ||
    data.status === 'on_site' ||
    data.status === 'in_progress'
  ) {
    const assignee = engineerId ?? order.assignedEngineerId ?? order.offeredEngineerId;
    if (assignee) {
      changes.assignedEngineerId = assignee;
      changes.status = data.status === 'accepted' ? 'accepted' : 'in_progress';
      changes.acceptedAt = order.acceptedAt ?? at;
    }
  }
  await updateWorkOrder(context.tx, order.id, changes);
  await addHistory(context.tx, {
    orgId: context.org.id,
    workOrderId: order.id,
    status: data.status,
    at,
    actorId: engineerId ?? null,
    inboxId: context.event.id,
    note: data.note ?? null,
  });
  return { ok: true, data: { workOrderId: order.id } };
}

/** Closes an order as resolved and credits the engineer who held it. */
export async function handleWorkOrderResolved(context: HandlerContext): Promise<Outcome> {
  const { data } = payloadOf(context, 'work_order.resolved');
  const order = await requireOrder(context, data.work_order_id);
  const resolvedAt = new Date(data.resolved_at);
  if (resolvedAt < order.openedAt) {
    throw new Rejection(
      'resolved_before_opened',
      `resolved_at ${data.resolved_at} is before the order was opened (${order.openedAt.toISOString()}).`,
      422,
      'data.resolved_at',
    );
  }
  if (order.status === 'resolved') {
    throw new Rejection('already_resolved', `Work order ${order.code} is already resolved.`, 409);
  }
  if (order.status === 'cancelled') {
    throw new Rejection(
      'order_cancelled',
      `Work order ${order.code} was cancelled and cannot be resolved.`,
      409,
    );
  }
  const engineerId =
    (await resolveEngineerId(context, data.engineer_id)) ??
    order.assignedEngineerId ??
    order.offeredEngineerId;
  const firstTimeFix =
    data.first_time_fix ?? (order.reopenCount === 0 ? (order.firstTimeFix ?? true) : false);
  const updated = await updateWorkOrder(context.tx, order.id, {
    status: 'resolved',
    resolvedAt,
    assignedEngineerId: engineerId,
    firstTimeFix,
    updatedAt: context.now,
  });
  await addHistory(context.tx, {
    orgId: context.org.id,
    workOrderId: order.id,
    status: 'resolved',
    at: resolvedAt,
    actorId: engineerId,
    inboxId: context.event.id,
    note: data.resolution ?? null,
  });
  await closeDispatch(context, order, updated);
  await afterOrderResolved(context, updated, engineerId);
  await feedbackOnWorkOrderResolved(context, updated, data.first_time_fix);
  return { ok: true, data: { workOrderId: order.id, engineerId, firstTimeFix } };
}

/** Reopens a resolved order; it no longer counts as fixed the first time. */
export async function handleWorkOrderReopened(context: HandlerContext): Promise<Outcome> {
  const { data } = payloadOf(context, 'work_order.reopened');
  const order = await requireOrder(context, data.work_order_id);
  if (order.status !== 'resolved') {
    throw new Rejection(
      'not_resolved',
      `Work order ${order.code} is ${order.status}; only a resolved order can be reopened.`,
      409,
    );
  }
  const reopened = await updateWorkOrder(context.tx, order.id, {
    status: order.assignedEngineerId ? 'in_progress' : 'unassigned',
    reopenCount: order.reopenCount + 1,
    firstTimeFix: false,
    resolvedAt: null,
    updatedAt: context.now,
  });
  await addHistory(context.tx, {
    orgId: context.org.id,
    workOrderId: order.id,
    status: 'reopened',
    at: new Date(data.reopened_at),
    inboxId: context.event.id,
    note: data.reason ?? null,
  });
  await refreshManagerCards(context, reopened);
  await afterOrderReopened(context, order, reopened);
  await feedbackOnWorkOrderReopened(context, order, new Date(data.reopened_at), data.reason);
  return { ok: true, data: { workOrderId: order.id, reopenCount: order.reopenCount + 1 } };
}

export async function handleWorkOrderCancelled(context: HandlerContext): Promise<Outcome> {
  const { data } = payloadOf(context, 'work_order.cancelled');
  const order = await requireOrder(context, data.work_order_id);
  if (order.status === 'resolved' || order.status === 'cancelled') {
    throw new Rejection(
      'order_closed',
      `Work order ${order.code} is already ${order.status}.`,
      409,
    );
  }
  const cancelledAt = new Date(data.cancelled_at);
  const updated = await updateWorkOrder(context.tx, order.id, {
    status: 'cancelled',
    cancelledAt,
    updatedAt: context.now,
  });
  await addHistory(context.tx, {
    orgId: context.org.id,
    workOrderId: order.id,
    status: 'cancelled',
    at: cancelledAt,
    inboxId: context.event.id,
    note: data.reason ?? null,
  });
  await closeDispatch(context, order, updated);
  return { ok: true, data: { workOrderId: order.id } };
}

/** Closes an order's open recommendation and takes the buttons off its cards. */
async function closeDispatch(
  context: HandlerContext,
  before: WorkOrder,
  after: WorkOrder,
): Promise<void> {
  const recommendation = await latestRecommendationForOrder(
    context.tx,
    context.org.id,
    before.id,
    true,
  );
  if (!recommendation) return;
  if (recommendation.status === 'closed') {
    // The dispatch closed when the order was resolved, and the order has been reopened since.
    await refreshManagerCards(context, after);
    return;
  }
  const closed = await updateRecommendation(context.tx, recommendation.id, {
    status: 'closed',
    updatedAt: context.now,
  });
  const customer = await findCustomer(context.tx, after.customerId);
  if (!customer) return;
  const state = { recommendation: closed, order: after, customer };
  if (before.status === 'offered' && before.offeredEngineerId) {
    await closeEngineerCard(
      context,
      state,
      before.offeredEngineerId,
      'engineer.closed',
      {
        status: after.status,
      },
      'neutral',
    );
  }
  await sendManagerCards(context, state, 'update');
}

/** Redraws the managers' dispatch cards of an order that changed outside the dispatch. */
async function refreshManagerCards(context: HandlerContext, order: WorkOrder): Promise<void> {
  const recommendation = await latestRecommendationForOrder(
    context.tx,
    context.org.id,
    order.id,
    true,
  );
  const customer = await findCustomer(context.tx, order.customerId);
  if (!recommendation || !customer) return;
  await sendManagerCards(context, { recommendation, order, customer }, 'update');
}
