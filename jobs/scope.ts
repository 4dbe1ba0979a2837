import { CardQueue } from '../handlers/context.js';
import type { FeedbackScope } from '../handlers/feedback/requests.js';
import { listOrgs, type Organisation } from '../models/orgs.js';
import type { JobContext } from './runner.js';

/** Most rows one fire of a job handles; the rest wait for the next fire. */
export const JOB_BATCH = 500;

/** Gives a job a feedback scope per organisation, sharing the job's transaction. */
export async function orgScopes(context: JobContext) {
  const orgs = new Map((await listOrgs(context.tx)).map((org) => [org.id, org]));
  const scopes = new Map<string, FeedbackScope>();
  return {
    orgs: [...orgs.values()],
    scopeFor(orgOrId: string | Organisation): FeedbackScope {
      const org = typeof orgOrId === 'string' ? orgs.get(orgOrId) : orgOrId;
      if (!org) throw new Error(`organisation ${String(orgOrId)} not found`);
      let scope = scopes.get(org.id);
      if (!scope) {
        scope = {
          tx: context.tx,
          org,
          now: context.now,
          cards: new CardQueue(context.tx, org.id, context.now, undefined),
          log: context.log.child({ orgId: org.id }),
        };
        scopes.set(org.id, scope);
      }
      return scope;
    },
  };
}
