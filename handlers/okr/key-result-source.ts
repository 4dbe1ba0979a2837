import type { KeyResultSnapshot } from '../../domain/feedback/rules.js';
import { localDate } from '../../domain/okr/period.js';
import type { KeyResultSource } from '../../jobs/key-results.js';
import { findOwnedKeyResultsActiveOn } from '../../models/okr.js';
import { findOrgById } from '../../models/orgs.js';

/**
 * Lists the owned key results whose period contains today, for the job that requests feedback
 * on key results off track at mid period. A key result without data yet counts as at baseline.
 */
export const okrKeyResultSource: KeyResultSource = {
  async listKeyResults(db, orgId, now): Promise<KeyResultSnapshot[]> {
    const org = await findOrgById(db, orgId);
    if (!org) return [];
    const keyResults = await findOwnedKeyResultsActiveOn(db, orgId, localDate(now, org.timezone));
    return keyResults.map((keyResult) => ({
      id: keyResult.id,
      title: keyResult.title,
      ownerId: keyResult.ownerId as string,
      baseline: keyResult.baseline,
      current: keyResult.current ?? keyResult.baseline,
      target: keyResult.target,
      periodStart: keyResult.periodStart,
      periodEnd: keyResult.periodEnd,
    }));
  },
};
