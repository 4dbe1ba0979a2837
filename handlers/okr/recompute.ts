import { metricValue, progressShare } from '../../domain/okr/metrics.js';
import type { Executor } from '../../models/db.js';
import { type ScopedKeyResult, storeKeyResultValue } from '../../models/okr.js';
import { readMetricInputs } from './metric-readers.js';

export interface Recomputed {
  keyResult: ScopedKeyResult;
  before: number | null;
  changed: boolean;
}

export interface RecomputeCause {
  orgId: string;
  timeZone: string;
  now: Date;
  /** What caused it: an event type, seed, manual or checkin; stored in the history. */
  cause: string;
  workOrderId?: string | null;
  inboxId?: number | null;
}

/**
 * Recomputes each key result's value from its metric's data, and stores the value and a
 * history row where it changed. Returns the key results with their new values.
 */
export async function recomputeKeyResults(
  db: Executor,
  keyResults: readonly ScopedKeyResult[],
  cause: RecomputeCause,
): Promise<Recomputed[]> {
  const results: Recomputed[] = [];
  for (const keyResult of keyResults) {
    const inputs = await readMetricInputs(db, keyResult, cause.timeZone);
    const value = metricValue(keyResult.metric, inputs);
    const progress = progressShare(keyResult.baseline, keyResult.target, value);
    const changed = value !== keyResult.current || progress !== keyResult.progress;
    if (changed) {
      await storeKeyResultValue(db, {
        keyResultId: keyResult.id,
        orgId: cause.orgId,
        value,
        progress,
        cause: cause.cause,
        at: cause.now,
        workOrderId: cause.workOrderId ?? null,
        inboxId: cause.inboxId ?? null,
      });
    }
    results.push({
      keyResult: { ...keyResult, current: value, progress, computedAt: cause.now },
      before: keyResult.current,
      changed,
    });
  }
  return results;
}
