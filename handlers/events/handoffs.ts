import type { EventOf } from '../../domain/events.js';
import { handoffAcceptBy } from '../../domain/feedback/rules.js';
import { findHandoffByCode, insertHandoff, updateHandoff } from '../../models/feedback-sources.js';
import { findPersonByEmployeeNo, type Person } from '../../models/people.js';
import { addHistory, ensureRegion, findWorkOrderByCode } from '../../models/work-orders.js';
import { type HandlerContext, type Outcome, Rejection, RetryLater } from '../context.js';
import { ruleSettings } from '../feedback/requests.js';

async function requirePerson(
  context: HandlerContext,
  employeeNo: string,
  field: string,
): Promise<Person> {
  const person = await findPersonByEmployeeNo(context.tx, context.org.id, employeeNo);
  if (!person) {
    throw new Rejection(
      'unknown_person',
      `No person has employee number ${employeeNo}.`,
      422,
      field,
    );
  }
  return person;
}

async function requireOrder(context: HandlerContext, code: string) {
  const order = await findWorkOrderByCode(context.tx, context.org.id, code);
  if (!order) {
    throw new RetryLater(`Work order ${code} is unknown; send its work_order.created event first.`);
  }
  return order;
}

/**
 * Records a hand-off of an order to another team with the time by which that team must accept
 * it. The hand-off job requests feedback when the time passes without acceptance.
 */
export async function handleHandoffRequested(context: HandlerContext): Promise<Outcome> {
  const { data } = context.event.payload as unknown as EventOf<'work_order.handoff_requested'>;
  const order = await requireOrder(context, data.work_order_id);
  const requester = await requirePerson(context, data.requested_by, 'data.requested_by');
  const requestedAt = new Date(data.requested_at);
  const acceptBy = data.accept_by
    ? new Date(data.accept_by)
    : handoffAcceptBy(requestedAt, await ruleSettings(context, 'handoff_timeout'));
  const handoff = await insertHandoff(context.tx, {
    orgId: context.org.id,
    code: data.handoff_id,
    workOrderId: order.id,
    fromRegionId: await ensureRegion(context.tx, context.org.id, data.from_team),
    toRegionId: await ensureRegion(context.tx, context.org.id, data.to_team),
    requestedById: requester.id,
    requestedAt,
    acceptBy,
  });
  if (!handoff) {
    throw new Rejection(
      'duplicate_handoff',
      `Hand-off ${data.handoff_id} was recorded before; give a new hand-off a new id.`,
      409,
      'data.handoff_id',
    );
  }
  await addHistory(context.tx, {
    orgId: context.org.id,
    workOrderId: order.id,
    status: 'handoff_requested',
    at: requestedAt,
    actorId: requester.id,
    inboxId: context.event.id,
    note: `${data.from_team} → ${data.to_team}`,
  });
  return { ok: true, data: { handoffId: handoff.id, acceptBy: acceptBy.toISOString() } };
}

/** Records that the receiving team accepted a hand-off: the other team's first action. */
export async function handleHandoffAccepted(context: HandlerContext): Promise<Outcome> {
  const { data } = context.event.payload as unknown as EventOf<'work_order.handoff_accepted'>;
  const handoff = await findHandoffByCode(context.tx, context.org.id, data.handoff_id, true);
  if (!handoff) {
    throw new RetryLater(
      `Hand-off ${data.handoff_id} is unknown; send its work_order.handoff_requested event first.`,
    );
  }
  const order = await requireOrder(context, data.work_order_id);
  if (order.id !== handoff.workOrderId) {
    throw new Rejection(
      'handoff_order_mismatch',
      `Hand-off ${data.handoff_id} belongs to another work order.`,
      422,
      'data.work_order_id',
    );
  }
  if (handoff.acceptedAt) {
    throw new Rejection(
      'already_accepted',
      `Hand-off ${data.handoff_id} was accepted before.`,
      409,
      'data.handoff_id',
    );
  }
  const acceptor = await requirePerson(context, data.accepted_by, 'data.accepted_by');
  const acceptedAt = new Date(data.accepted_at);
  await updateHandoff(context.tx, handoff.id, { acceptedAt, acceptedById: acceptor.id });
  await addHistory(context.tx, {
    orgId: context.org.id,
    workOrderId: order.id,
    status: 'handoff_accepted',
    at: acceptedAt,
    actorId: acceptor.id,
    inboxId: context.event.id,
  });
  return {
    ok: true,
    data: { handoffId: handoff.id, late: acceptedAt.getTime() > handoff.acceptBy.getTime() },
  };
}
