import type { KeyResultSnapshot } from '../domain/feedback/rules.js';
import type { Executor } from '../models/db.js';

/** Lists an organisation's key results with their progress, for the mid-period check. */
export interface KeyResultSource {
  listKeyResults(db: Executor, orgId: string, now: Date): Promise<KeyResultSnapshot[]>;
}

/**
 * The source used until Pulse stores OKRs: it lists no key results, so the mid-period job
 * requests nothing.
 */
// TODO: read key results from the OKR tables once they exist (owner, baseline, current value,
// target, period dates), and make this the default source in handlers/runtime.ts.
export const noKeyResults: KeyResultSource = {
  async listKeyResults() {
    return [];
  },
};
