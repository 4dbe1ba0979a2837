import { formatLocal } from '../domain/feedback/calendar.js';
import { REMINDER_HOURS, remindersDue } from '../domain/feedback/lifecycle.js';
import {
  escalationCard,
  escalationCardKey,
  formPath,
  giverCardKey,
  giverClosedCard,
  reminderCard,
  reminderCardKey,
} from '../handlers/feedback/cards.js';
import { feedbackText } from '../handlers/feedback/messages.js';
import { cardSetting, requestPeople } from '../handlers/feedback/requests.js';
import { lockExpirable, lockRemindable, updateFeedbackRequest } from '../models/feedback.js';
import { findHrPartner, findManagerOf } from '../models/feedback-sources.js';
import type { Job } from './runner.js';
import { JOB_BATCH, orgScopes } from './scope.js';

const HOUR_MS = 3_600_000;

/** Reminds givers 24 and 4 hours before their feedback is due. */
export const feedbackRemindersJob: Job = {
  name: 'feedback-reminders',
  schedule: '*/5 * * * *',
  description: 'Sends the reminders due 24 and 4 hours before a feedback request is due.',
  async run(context) {
    const { scopeFor } = await orgScopes(context);
    const rows = await lockRemindable(
      context.tx,
      context.now,
      Math.max(...REMINDER_HOURS) * HOUR_MS,
      JOB_BATCH,
    );
    let sent = 0;
    for (const row of rows) {
      const due = remindersDue(
        {
          requestedAt: row.requestedAt,
          dueAt: row.dueAt,
          remindedAt: { 24: row.reminded24At, 4: row.reminded4At },
        },
        context.now,
      );
      if (due.send === undefined) continue;
      const scope = scopeFor(row.orgId);
      const request = await updateFeedbackRequest(context.tx, row.id, {
        status: 'reminded',
        ...(due.record.includes(24) ? { reminded24At: context.now } : {}),
        ...(due.record.includes(4) ? { reminded4At: context.now } : {}),
      });
      const { giver, names } = await requestPeople(scope, request);
      await scope.cards.send(
        request.giverId,
        reminderCardKey(request.id, due.send),
        reminderCard(
          request,
          names,
          cardSetting(giver, scope.org),
          due.send,
          formPath(request.id, request.formToken),
        ),
      );
      scope.log.info(
        { requestId: request.id, hours: due.send, recorded: due.record },
        'feedback reminder queued',
      );
      sent += 1;
    }
    return { examined: rows.length, reminders: sent };
  },
};

/**
 * Expires requests past their due time, closes the giver's card and escalates to the giver's
 * manager, or to the organisation's HR partner when the giver has no manager.
 */
export const feedbackExpiryJob: Job = {
  name: 'feedback-expiry',
  schedule: '*/5 * * * *',
  description: 'Expires overdue feedback requests and escalates them to the giver’s manager.',
  async run(context) {
    const { scopeFor } = await orgScopes(context);
    const rows = await lockExpirable(context.tx, context.now, JOB_BATCH);
    let escalated = 0;
    for (const row of rows) {
      const scope = scopeFor(row.orgId);
      const { giver, names } = await requestPeople(scope, row);
      const manager =
        (await findManagerOf(context.tx, giver)) ?? (await findHrPartner(context.tx, row.orgId));
      const target = manager && manager.id !== row.giverId ? manager : undefined;
      const request = await updateFeedbackRequest(context.tx, row.id, {
        status: 'expired',
        expiredAt: context.now,
        escalatedAt: target ? context.now : null,
        escalatedToId: target?.id ?? null,
      });
      const setting = cardSetting(giver, scope.org);
      const at = formatLocal(context.now, scope.org.timezone);
      const footer = target
        ? feedbackText(setting.locale, 'request.expired', { at, manager: target.name })
        : feedbackText(setting.locale, 'request.expiredNoManager', { at });
      await scope.cards.update(
        request.giverId,
        giverCardKey(request.id),
        giverClosedCard(request, names, setting, footer),
      );
      const log = scope.log.child({ requestId: request.id, giverId: request.giverId });
      if (!target) {
        log.warn('feedback request expired; the giver has no manager and there is no HR partner');
        continue;
      }
      await scope.cards.send(
        target.id,
        escalationCardKey(request.id),
        escalationCard(request, names, cardSetting(target, scope.org)),
      );
      log.info({ escalatedToId: target.id }, 'feedback request expired and escalated');
      escalated += 1;
    }
    return { expired: rows.length, escalated };
  },
};
