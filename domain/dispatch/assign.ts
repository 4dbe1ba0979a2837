import { munkres } from 'munkres';
import type { Candidate } from './rank.js';

export interface OrderCandidates {
  orderId: string;
  /** Eligible engineers for the order, with their scores. */
  candidates: readonly Candidate[];
}

export interface Assignment {
  orderId: string;
  /** Undefined when the order could not be given anyone without exceeding capacity. */
  engineerId: string | undefined;
  score: number;
}

/**
 * Assigns several orders at once so that the total score is maximal, rather than giving each
 * order its best engineer in turn. `freeSlots` is how many more orders each engineer can take;
 * an engineer missing from it has one slot.
 */
export function assignJointly(
  orders: readonly OrderCandidates[],
  freeSlots: ReadonlyMap<string, number> = new Map(),
): Assignment[] {
  if (orders.length === 0) return [];

  // One column per free slot of each engineer, capped at the number of orders.
  const columns: string[] = [];
  const engineerIds = new Set(orders.flatMap((order) => order.candidates.map((c) => c.engineerId)));
  for (const engineerId of engineerIds) {
    const slots = Math.min(freeSlots.get(engineerId) ?? 1, orders.length);
    for (let slot = 0; slot < slots; slot++) columns.push(engineerId);
  }
  if (columns.length === 0) {
    return orders.map((order) => ({ orderId: order.orderId, engineerId: undefined, score: 0 }));
  }

  // Scores lie in [0, 1]; an ineligible pair costs more than any set of eligible ones.
  const ineligibleCost = orders.length + 1;
  const cost = orders.map((order) => {
    const scoreById = new Map(order.candidates.map((c) => [c.engineerId, c.score]));
    return columns.map((engineerId) => {
      const score = scoreById.get(engineerId);
      return score === undefined ? ineligibleCost : 1 - score;
    });
  });

  const result: Assignment[] = orders.map((order) => ({
    orderId: order.orderId,
    engineerId: undefined,
    score: 0,
  }));
  for (const [row, column] of munkres(cost)) {
    const engineerId = columns[column];
    const order = orders[row];
    if (engineerId === undefined || order === undefined) continue;
    const candidate = order.candidates.find((c) => c.engineerId === engineerId);
    if (!candidate) continue;
    result[row] = { orderId: order.orderId, engineerId, score: candidate.score };
  }
  return result;
}
