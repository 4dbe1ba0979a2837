import type { EventOf } from '../../domain/events.js';
import { findWorkOrderByCode, insertRating } from '../../models/work-orders.js';
import { type HandlerContext, type Outcome, Rejection, RetryLater } from '../context.js';
import { feedbackOnRating } from '../feedback/triggers.js';
import { afterRatingSubmitted } from '../okr/progress.js';

/** Stores a customer rating against the engineer who held the order. */
export async function handleRatingSubmitted(context: HandlerContext): Promise<Outcome> {
  const { data } = context.event.payload as unknown as EventOf<'rating.submitted'>;
  const order = await findWorkOrderByCode(context.tx, context.org.id, data.work_order_id);
  if (!order) {
    throw new RetryLater(
      `Work order ${data.work_order_id} is unknown; send its work_order.created event first.`,
    );
  }
  const rating = await insertRating(context.tx, context.org.id, {
    code: data.rating_id,
    workOrderId: order.id,
    engineerId: order.assignedEngineerId ?? order.offeredEngineerId,
    score: data.score,
    repurchaseIntent: data.repurchase_intent ?? null,
    comment: data.comment ?? null,
    submittedAt: new Date(data.submitted_at),
  });
  if (!rating) {
    throw new Rejection(
      'duplicate_rating',
      `Rating ${data.rating_id} was stored before.`,
      409,
      'data.rating_id',
    );
  }
  await afterRatingSubmitted(context, order, rating);
  await feedbackOnRating(context, rating, order);
  return { ok: true, data: { ratingId: rating.id, engineerId: rating.engineerId } };
}
