import type { OrderAggregates, RatingAggregates } from './metrics.js';
import type { OrderFacts } from './trace.js';

/** A resolved work order, as the order metrics count it. */
export interface ResolvedOrder extends OrderFacts {
  openedAt: Date;
  resolvedAt: Date;
  firstTimeFix: boolean | null;
}

/** A rating with the facts of its order; `engineerId` is the engineer the rating names. */
export interface RatedOrder extends OrderFacts {
  score: number;
  repurchaseIntent: number | null;
  submittedAt: Date;
}

/** Sums resolved orders the way the order metrics' query does. */
export function summariseOrders(orders: readonly ResolvedOrder[]): OrderAggregates {
  let firstTimeFixes = 0;
  let resolutionHours = 0;
  for (const order of orders) {
    if (order.firstTimeFix) firstTimeFixes += 1;
    resolutionHours += (order.resolvedAt.getTime() - order.openedAt.getTime()) / 3_600_000;
  }
  return { resolved: orders.length, firstTimeFixes, resolutionHours };
}

/** Sums ratings the way the rating metrics' query does. */
export function summariseRatings(ratings: readonly RatedOrder[]): RatingAggregates {
  let scoreSum = 0;
  let intentCount = 0;
  let intentSum = 0;
  for (const rating of ratings) {
    scoreSum += rating.score;
    if (rating.repurchaseIntent !== null) {
      intentCount += 1;
      intentSum += rating.repurchaseIntent;
    }
  }
  return { count: ratings.length, scoreSum, intentCount, intentSum };
}
