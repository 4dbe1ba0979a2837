import { assignJointly } from '../../domain/dispatch/assign.js';
import type { Ranking } from '../../domain/dispatch/rank.js';
import type { Customer, WorkOrder } from '../../models/work-orders.js';

export interface BatchEntry {
  order: WorkOrder;
  customer: Customer;
  ranking: Ranking;
}

/**
 * Reorders each ranking so that its first candidate is the engineer the joint assignment gave
 * the order. Orders that arrived together are thereby assigned for the best total score
 * within every engineer's free capacity, not one after another. An order that the joint
 * assignment leaves without anyone, because the batch used up its candidates' capacity, keeps
 * only the candidates that still have room; with none, it goes unassigned.
 */
export function applyJointAssignment(entries: readonly BatchEntry[]): Ranking[] {
  if (entries.length < 2) return entries.map((entry) => entry.ranking);
  const freeSlots = new Map<string, number>();
  for (const { ranking } of entries) {
    for (const candidate of ranking.candidates) {
      const { openOrders, capacity } = candidate.factors.workload;
      freeSlots.set(candidate.engineerId, Math.max(0, capacity - openOrders));
    }
  }
  const assignments = assignJointly(
    entries.map((entry) => ({ orderId: entry.order.id, candidates: entry.ranking.candidates })),
    freeSlots,
  );
  const taken = new Map<string, number>();
  for (const assignment of assignments) {
    if (assignment.engineerId)
      taken.set(assignment.engineerId, (taken.get(assignment.engineerId) ?? 0) + 1);
  }
  return entries.map((entry, index) => {
    const chosen = assignments[index]?.engineerId;
    const { ranking } = entry;
    if (chosen) {
      const first = ranking.candidates.filter((c) => c.engineerId === chosen);
      const rest = ranking.candidates.filter((c) => c.engineerId !== chosen);
      return { ...ranking, candidates: [...first, ...rest] };
    }
    const withRoom = ranking.candidates.filter(
      (c) => (freeSlots.get(c.engineerId) ?? 0) > (taken.get(c.engineerId) ?? 0),
    );
    if (withRoom.length > 0) return { ...ranking, candidates: withRoom };
    return {
      candidates: [],
      excluded: {
        ...ranking.excluded,
        at_capacity: (ranking.excluded.at_capacity ?? 0) + ranking.candidates.length,
      },
      noCandidateReason: `Every eligible engineer for fault type ${entry.order.faultType} was given another order that arrived at the same time.`,
    };
  });
}
