/**
 * Key-result metrics: what each one measures, where its numbers come from, and how its value
 * follows from aggregates that the storage layer computes over a scope and a period.
 */

export const METRIC_IDS = [
  'orders_resolved',
  'first_time_fix_rate',
  'mean_resolution_hours',
  'mean_rating',
  'repurchase_intent',
  'feedback_completed',
  'courses_completed',
  'manual',
] as const;
export type MetricId = (typeof METRIC_IDS)[number];

/** Where a metric's numbers come from; each source has one aggregate query. */
export type MetricSource = 'orders' | 'ratings' | 'feedback' | 'courses' | 'manual';

export interface MetricDefinition {
  id: MetricId;
  source: MetricSource;
  /** Whether a higher value is better (most metrics) or a lower one (resolution time). */
  direction: 'increase' | 'decrease';
  /** Unit of the value: count, percent, hours, score (1-5) or intent (0-10). */
  unit: 'count' | 'percent' | 'hours' | 'score' | 'intent' | 'value';
  /** Parameters the metric accepts. */
  params: readonly string[];
}

export const METRICS: Record<MetricId, MetricDefinition> = {
  orders_resolved: {
    id: 'orders_resolved',
    source: 'orders',
    direction: 'increase',
    unit: 'count',
    params: ['faultType'],
  },
  first_time_fix_rate: {
    id: 'first_time_fix_rate',
    source: 'orders',
    direction: 'increase',
    unit: 'percent',
    params: ['faultType'],
  },
  mean_resolution_hours: {
    id: 'mean_resolution_hours',
    source: 'orders',
    direction: 'decrease',
    unit: 'hours',
    params: ['faultType'],
  },
  mean_rating: {
    id: 'mean_rating',
    source: 'ratings',
    direction: 'increase',
    unit: 'score',
    params: [],
  },
  repurchase_intent: {
    id: 'repurchase_intent',
    source: 'ratings',
    direction: 'increase',
    unit: 'intent',
    params: [],
  },
  feedback_completed: {
    id: 'feedback_completed',
    source: 'feedback',
    direction: 'increase',
    unit: 'count',
    params: [],
  },
  courses_completed: {
    id: 'courses_completed',
    source: 'courses',
    direction: 'increase',
    unit: 'count',
    params: [],
  },
  manual: { id: 'manual', source: 'manual', direction: 'increase', unit: 'value', params: [] },
};

export function isMetricId(value: string): value is MetricId {
  return (METRIC_IDS as readonly string[]).includes(value);
}

/** Resolved orders of a scope and period. */
export interface OrderAggregates {
  resolved: number;
  firstTimeFixes: number;
  /** Sum over the resolved orders of (resolved_at - opened_at), in hours. */
  resolutionHours: number;
}

/** Ratings of a scope and period. */
export interface RatingAggregates {
  count: number;
  scoreSum: number;
  /** Ratings that carried a repurchase intent, and the sum of those intents. */
  intentCount: number;
  intentSum: number;
}

/** What a metric's value is computed from; only the field of its source is read. */
export interface MetricInputs {
  orders?: OrderAggregates;
  ratings?: RatingAggregates;
  /** A plain count, for the feedback and courses sources. */
  count?: number;
  /** The last value entered by hand, for manual key results. */
  manual?: number | null;
}

const round = (value: number, digits: number) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/**
 * Computes a metric's value. Returns null when the scope has nothing to average yet, such as a
 * first-time-fix rate with no resolved order; a count of nothing is 0.
 */
export function metricValue(metric: MetricId, inputs: MetricInputs): number | null {
  const orders = inputs.orders ?? { resolved: 0, firstTimeFixes: 0, resolutionHours: 0 };
  const ratings = inputs.ratings ?? { count: 0, scoreSum: 0, intentCount: 0, intentSum: 0 };
  switch (metric) {
    case 'orders_resolved':
      return orders.resolved;
    case 'first_time_fix_rate':
      return orders.resolved === 0
        ? null
        : round((orders.firstTimeFixes / orders.resolved) * 100, 1);
    case 'mean_resolution_hours':
      return orders.resolved === 0 ? null : round(orders.resolutionHours / orders.resolved, 1);
    case 'mean_rating':
      return ratings.count === 0 ? null : round(ratings.scoreSum / ratings.count, 2);
    case 'repurchase_intent':
      return ratings.intentCount === 0 ? null : round(ratings.intentSum / ratings.intentCount, 2);
    case 'feedback_completed':
    case 'courses_completed':
      return inputs.count ?? 0;
    case 'manual':
      return inputs.manual ?? null;
  }
}

/**
 * Share of the way from `baseline` to `target` that `current` covers, clamped to 0-1. It works
 * for metrics where lower is better too, because then the target lies below the baseline.
 */
export function progressShare(baseline: number, target: number, current: number | null): number {
  if (current === null) return 0;
  const span = target - baseline;
  if (span === 0) return current === target ? 1 : 0;
  return Math.max(0, Math.min(1, (current - baseline) / span));
}

/** Weighted mean of key-result progress; 0 for an objective without key results. */
export function objectiveProgress(keyResults: { progress: number; weight: number }[]): number {
  const totalWeight = keyResults.reduce((sum, kr) => sum + Math.max(0, kr.weight), 0);
  if (totalWeight === 0) return 0;
  const weighted = keyResults.reduce((sum, kr) => sum + kr.progress * Math.max(0, kr.weight), 0);
  return weighted / totalWeight;
}

/** Returns the metric sources whose numbers an inbound event type changes. */
export function sourcesChangedBy(eventType: string): MetricSource[] {
  switch (eventType) {
    case 'work_order.resolved':
    case 'work_order.reopened':
      return ['orders'];
    case 'rating.submitted':
      return ['ratings'];
    default:
      return [];
  }
}

/** Check-in confidence: 1 (will miss) to 5 (will meet). */
export const CONFIDENCE_LEVELS = [1, 2, 3, 4, 5] as const;
