import { formatLocal, localHour } from '../domain/feedback/calendar.js';
import { isHandoffLate, keyResultOffTrack, slaBreaches } from '../domain/feedback/rules.js';
import { engineerCircle } from '../handlers/feedback/participants.js';
import { ruleSettings, triggerFeedback } from '../handlers/feedback/requests.js';
import {
  findManagerOf,
  lockDueHandoffs,
  lockSlaCandidates,
  markSlaChecked,
  updateHandoff,
} from '../models/feedback-sources.js';
import { findPeople, findRegion, findRegionManagers } from '../models/people.js';
import { findWorkOrder } from '../models/work-orders.js';
import type { KeyResultSource } from './key-results.js';
import type { Job } from './runner.js';
import { JOB_BATCH, orgScopes } from './scope.js';

/**
 * Checks SLA deadlines that have passed: a first response (acceptance) or resolution that did
 * not happen by its deadline becomes feedback from the manager to the order's engineer.
 */
export const slaBreachesJob: Job = {
  name: 'sla-breaches',
  schedule: '*/5 * * * *',
  description: 'Requests feedback on work orders that missed a first-response or resolution SLA.',
  async run(context) {
    const { scopeFor } = await orgScopes(context);
    const rows = await lockSlaCandidates(context.tx, context.now, JOB_BATCH);
    let requested = 0;
    for (const { sla, order } of rows) {
      const scope = scopeFor(order.orgId);
      const breaches = slaBreaches(
        {
          respondBy: sla.respondCheckedAt ? null : sla.respondBy,
          resolveBy: sla.resolveCheckedAt ? null : sla.resolveBy,
          respondedAt: order.acceptedAt,
          resolvedAt: order.resolvedAt,
          cancelledAt: order.cancelledAt,
        },
        context.now,
      );
      const passed = (deadline: Date | null, checked: Date | null) =>
        !checked && deadline !== null && deadline.getTime() <= context.now.getTime();
      await markSlaChecked(context.tx, order.id, {
        ...(passed(sla.respondBy, sla.respondCheckedAt) ? { respondCheckedAt: context.now } : {}),
        ...(passed(sla.resolveBy, sla.resolveCheckedAt) ? { resolveCheckedAt: context.now } : {}),
      });
      if (breaches.length === 0) continue;
      const settings = await ruleSettings(scope, 'sla_breached');
      const { participants } = await engineerCircle(
        scope,
        order.assignedEngineerId ?? order.offeredEngineerId,
      );
      for (const breach of breaches) {
        const request = await triggerFeedback(
          scope,
          'sla_breached',
          settings,
          {
            eventKey: `sla_breached:${breach.target}:${order.id}`,
            occurredAt: breach.dueAt,
            participants,
            facts: {
              order: order.code,
              target: breach.target,
              dueAt: formatLocal(breach.dueAt, scope.org.timezone),
            },
          },
          {
            workOrderId: order.id,
            teamId: order.regionId,
          },
        );
        if (request) requested += 1;
      }
    }
    return { checked: rows.length, requested };
  },
};

/**
 * Checks hand-offs whose accept-by time has passed: one not accepted by then becomes feedback
 * from the person who handed it over to the manager of the receiving team.
 */
export const handoffTimeoutsJob: Job = {
  name: 'handoff-timeouts',
  schedule: '*/5 * * * *',
  description: 'Requests feedback on cross-team hand-offs not accepted in time.',
  async run(context) {
    const { scopeFor } = await orgScopes(context);
    const rows = await lockDueHandoffs(context.tx, context.now, JOB_BATCH);
    let requested = 0;
    for (const handoff of rows) {
      await updateHandoff(context.tx, handoff.id, { checkedAt: context.now });
      if (!isHandoffLate(handoff.acceptBy, handoff.acceptedAt, context.now)) continue;
      const scope = scopeFor(handoff.orgId);
      const [requester] = await findPeople(context.tx, handoff.orgId, [handoff.requestedById]);
      const [teamManager] = await findRegionManagers(context.tx, handoff.orgId, handoff.toRegionId);
      const manager = await findManagerOf(context.tx, requester);
      const fromTeam = await findRegion(context.tx, handoff.fromRegionId);
      const toTeam = await findRegion(context.tx, handoff.toRegionId);
      const order = await findWorkOrder(context.tx, handoff.orgId, handoff.workOrderId);
      const request = await triggerFeedback(
        scope,
        'handoff_timeout',
        await ruleSettings(scope, 'handoff_timeout'),
        {
          eventKey: `handoff_timeout:${handoff.id}`,
          occurredAt: handoff.acceptBy,
          participants: {
            actor: handoff.requestedById,
            team_manager: teamManager?.id ?? null,
            manager: manager?.id ?? null,
          },
          facts: {
            order: order?.code ?? '—',
            fromTeam: fromTeam?.name ?? '—',
            toTeam: toTeam?.name ?? '—',
            acceptBy: formatLocal(handoff.acceptBy, scope.org.timezone),
          },
        },
        {
          workOrderId: handoff.workOrderId,
          // The team that handed over owns the problem; the receiving team's acceptance is
          // then the other team's first action that the response time measures.
          teamId: handoff.fromRegionId,
        },
      );
      if (request) requested += 1;
    }
    return { checked: rows.length, requested };
  },
};

/** Local hour at which scheduled runs check key results, in each organisation's time zone. */
export const KEY_RESULT_CHECK_HOUR = 9;

/**
 * Checks key results once a day at 09:00 in each organisation's time zone, or at once when run
 * by hand. A key result past the middle of its period with too little progress becomes feedback
 * from the owner's manager to the owner, once per period.
 */
export function keyResultsMidpointJob(source: KeyResultSource): Job {
  return {
    name: 'key-results-midpoint',
    schedule: '0 * * * *',
    description: 'Requests feedback on key results off track after the middle of their period.',
    async run(context) {
      const { orgs, scopeFor } = await orgScopes(context);
      let checked = 0;
      let requested = 0;
      for (const org of orgs) {
        if (
          context.trigger === 'cron' &&
          localHour(context.fireTime, org.timezone) !== KEY_RESULT_CHECK_HOUR
        ) {
          continue;
        }
        const scope = scopeFor(org);
        const settings = await ruleSettings(scope, 'key_result_off_track');
        if (!settings.enabled) continue;
        const keyResults = await source.listKeyResults(context.tx, org.id, context.now);
        for (const keyResult of keyResults) {
          checked += 1;
          const offTrack = keyResultOffTrack(keyResult, org.timezone, context.now, settings);
          if (!offTrack) continue;
          const { engineer, participants } = await engineerCircle(scope, keyResult.ownerId);
          const request = await triggerFeedback(
            scope,
            'key_result_off_track',
            settings,
            {
              eventKey: `key_result_off_track:${keyResult.id}:${keyResult.periodStart}`,
              occurredAt: context.now,
              participants,
              facts: {
                keyResult: keyResult.title,
                progress: Math.round(offTrack.progressShare * 100),
                elapsed: Math.round(offTrack.elapsedShare * 100),
              },
            },
            {
              teamId: engineer?.regionId ?? null,
            },
          );
          if (request) requested += 1;
        }
      }
      return { checked, requested };
    },
  };
}
