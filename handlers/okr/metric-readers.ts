import { METRICS, type MetricInputs, type MetricSource } from '../../domain/okr/metrics.js';
import { periodWindow } from '../../domain/okr/period.js';
import type { Executor } from '../../models/db.js';
import {
  feedbackCompleted,
  lastManualValue,
  orderAggregates,
  ratingAggregates,
  type ScopedKeyResult,
  type WorkScope,
} from '../../models/okr.js';

/** Reads the inputs of a metric source for one key result's scope and period. */
export type MetricReader = (
  db: Executor,
  scope: WorkScope,
  keyResult: ScopedKeyResult,
) => Promise<MetricInputs>;

// NOTE: courses_completed reads 0 until the course feature registers its reader with
// registerMetricReader.
const readers = new Map<MetricSource, MetricReader>([
  ['orders', async (db, scope) => ({ orders: await orderAggregates(db, scope) })],
  ['ratings', async (db, scope) => ({ ratings: await ratingAggregates(db, scope) })],
  ['feedback', async (db, scope) => ({ count: await feedbackCompleted(db, scope) })],
  ['courses', async () => ({ count: 0 })],
  [
    'manual',
    async (db, _scope, keyResult) => ({ manual: await lastManualValue(db, keyResult.id) }),
  ],
]);

/**
 * Replaces the reader of a metric source, so that a feature with its own tables (feedback,
 * courses) feeds the key results bound to it. Applies to the whole process.
 */
export function registerMetricReader(source: MetricSource, reader: MetricReader): void {
  readers.set(source, reader);
}

/** The work scope of a key result: its objective's level, owner or region, and period. */
export function scopeOf(keyResult: ScopedKeyResult, timeZone: string, upTo?: Date): WorkScope {
  const window = periodWindow(keyResult.periodStart, keyResult.periodEnd, timeZone);
  return {
    orgId: keyResult.orgId,
    level: keyResult.level,
    engineerId: keyResult.personId,
    regionId: keyResult.level === 'team' ? keyResult.regionId : null,
    faultType: keyResult.params.faultType,
    from: window.from,
    to: upTo && upTo < window.to ? upTo : window.to,
  };
}

/** Reads the inputs that a key result's metric is computed from. */
export async function readMetricInputs(
  db: Executor,
  keyResult: ScopedKeyResult,
  timeZone: string,
): Promise<MetricInputs> {
  const reader = readers.get(METRICS[keyResult.metric].source);
  if (!reader) throw new Error(`no reader for metric ${keyResult.metric}`);
  return reader(db, scopeOf(keyResult, timeZone), keyResult);
}
