import { METRICS, type MetricId, type MetricSource } from './metrics.js';

/** What decides whether a work order counts towards a key result. */
export interface KeyResultScope {
  id: string;
  metric: MetricId;
  params: Record<string, string>;
  level: 'company' | 'team' | 'person';
  /** The engineer of a person-level key result. */
  personId: string | null;
  /** The region of a team-level key result. */
  regionId: string | null;
  position: number;
}

/** The facts of a work order that the scope of a key result looks at. */
export interface OrderFacts {
  engineerId: string | null;
  regionId: string | null;
  faultType: string;
}

/** Tells whether the order lies inside the key result's scope and matches its parameters. */
export function orderInScope(order: OrderFacts, keyResult: KeyResultScope): boolean {
  const faultType = keyResult.params.faultType;
  if (faultType && faultType !== order.faultType) return false;
  switch (keyResult.level) {
    case 'person':
      return keyResult.personId !== null && keyResult.personId === order.engineerId;
    case 'team':
      return keyResult.regionId !== null && keyResult.regionId === order.regionId;
    case 'company':
      return true;
  }
}

/** Returns the key results, among `candidates`, whose metric of `source` the order moves. */
export function keyResultsMovedBy<T extends KeyResultScope>(
  order: OrderFacts,
  candidates: readonly T[],
  sources: readonly MetricSource[],
): T[] {
  return candidates.filter(
    (keyResult) =>
      sources.includes(METRICS[keyResult.metric].source) && orderInScope(order, keyResult),
  );
}

const LEVEL_RANK = { person: 0, team: 1, company: 2 } as const;

/**
 * Orders key results by how directly an engineer's order moves them: the engineer's own first,
 * then team and company; within a level, one bound to the order's fault type first.
 */
export function byRelevance<T extends KeyResultScope>(keyResults: readonly T[]): T[] {
  return [...keyResults].sort(
    (a, b) =>
      LEVEL_RANK[a.level] - LEVEL_RANK[b.level] ||
      Number(Boolean(b.params.faultType)) - Number(Boolean(a.params.faultType)) ||
      a.position - b.position,
  );
}
