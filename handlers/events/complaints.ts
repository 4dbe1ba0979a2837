import type { EventOf } from '../../domain/events.js';
import { findPersonByEmployeeNo } from '../../models/people.js';
import { findWorkOrderByCode } from '../../models/work-orders.js';
import { type HandlerContext, type Outcome, Rejection, RetryLater } from '../context.js';
import { feedbackOnComplaint } from '../feedback/triggers.js';

/** Turns a customer complaint into a feedback request for the engineer it concerns. */
export async function handleComplaintReceived(context: HandlerContext): Promise<Outcome> {
  const { data } = context.event.payload as unknown as EventOf<'complaint.received'>;
  const order = data.work_order_id
    ? await findWorkOrderByCode(context.tx, context.org.id, data.work_order_id)
    : undefined;
  if (data.work_order_id && !order) {
    throw new RetryLater(
      `Work order ${data.work_order_id} is unknown; send its work_order.created event first.`,
    );
  }
  let engineerId = order?.assignedEngineerId ?? order?.offeredEngineerId ?? null;
  if (data.engineer_id) {
    const person = await findPersonByEmployeeNo(context.tx, context.org.id, data.engineer_id);
    if (!person) {
      throw new Rejection(
        'unknown_engineer',
        `No person has employee number ${data.engineer_id}.`,
        422,
        'data.engineer_id',
      );
    }
    engineerId = person.id;
  }
  const requested = await feedbackOnComplaint(context, {
    id: data.complaint_id,
    receivedAt: new Date(data.received_at),
    description: data.description,
    engineerId,
    order,
  });
  return { ok: true, data: { complaintId: data.complaint_id, engineerId, requested } };
}
