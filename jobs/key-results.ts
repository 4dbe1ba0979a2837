import type { KeyResultSnapshot } from '../domain/feedback/rules.js';
import type { Executor } from '../models/db.js';

/** Lists an organisation's key results with their progress, for the mid-period check. */
export interface KeyResultSource {
  listKeyResults(db: Executor, orgId: string, now: Date): Promise<KeyResultSnapshot[]>;
}
