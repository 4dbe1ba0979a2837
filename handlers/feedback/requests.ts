import { randomBytes } from 'node:crypto';
import {
  buildTrigger,
  type FeedbackTrigger,
  type RuleResult,
  type TriggerInput,
} from '../../domain/feedback/rules.js';
import {
  effectiveSettings,
  type FeedbackRuleKind,
  type RuleSettings,
} from '../../domain/feedback/settings.js';
import { type Locale, toLocale } from '../../lib/i18n.js';
import type { Logger } from '../../lib/logger.js';
import type { Tx } from '../../models/db.js';
import {
  type FeedbackRequest,
  findRuleSettings,
  insertFeedbackRequest,
} from '../../models/feedback.js';
import type { Organisation } from '../../models/orgs.js';
import { findPeople, type Person } from '../../models/people.js';
import type { CardQueue } from '../context.js';
import { type CardPeople, type CardSetting, giverCardKey, giverRequestCard } from './cards.js';

/** The context of feedback work: an open transaction, the organisation, the time and the outbox. */
export interface FeedbackScope {
  tx: Tx;
  org: Organisation;
  now: Date;
  cards: CardQueue;
  log: Logger;
}

/** Loads the organisation's current settings of one rule. */
export async function ruleSettings(
  scope: FeedbackScope,
  kind: FeedbackRuleKind,
): Promise<RuleSettings> {
  const stored = await findRuleSettings(scope.tx, scope.org.id, kind);
  return effectiveSettings(kind, stored);
}

export function cardSetting(person: Person | undefined, org: Organisation): CardSetting {
  return { locale: localeOf(person, org), timeZone: org.timezone };
}

function localeOf(person: Person | undefined, org: Organisation): Locale {
  return toLocale(person?.locale ?? org.locale);
}

/** Loads the giver and receiver of a request, for the names and languages of its cards. */
export async function requestPeople(
  scope: FeedbackScope,
  request: FeedbackRequest,
): Promise<{ giver: Person | undefined; receiver: Person | undefined; names: CardPeople }> {
  const found = await findPeople(scope.tx, scope.org.id, [request.giverId, request.receiverId]);
  const giver = found.find((person) => person.id === request.giverId);
  const receiver = found.find((person) => person.id === request.receiverId);
  return {
    giver,
    receiver,
    names: { giverName: giver?.name ?? '?', receiverName: receiver?.name ?? '?' },
  };
}

export interface RequestLinks {
  workOrderId?: string | null | undefined;
  /** Region of the work order; the receiver's or giver's region is used without it. */
  teamId?: string | null | undefined;
}

/**
 * Stores the request a rule decided on and queues the giver's card, in the caller's
 * transaction. Returns the new request, or undefined when the rule did not fire or this event
 * already produced a request for the same giver and receiver.
 */
export async function requestFeedback(
  scope: FeedbackScope,
  result: RuleResult,
  kind: FeedbackRuleKind,
  links: RequestLinks = {},
): Promise<FeedbackRequest | undefined> {
  if (!result.fire) {
    scope.log.info({ rule: kind, reason: result.reason }, 'feedback rule did not fire');
    return undefined;
  }
  const trigger: FeedbackTrigger = result.trigger;

  const found = await findPeople(scope.tx, scope.org.id, [trigger.giverId, trigger.receiverId]);
  const giver = found.find((person) => person.id === trigger.giverId);
  const receiver = found.find((person) => person.id === trigger.receiverId);
  const token = randomBytes(24).toString('base64url');
  const request = await insertFeedbackRequest(scope.tx, {
    orgId: scope.org.id,
    rule: trigger.kind,
    eventKey: trigger.eventKey,
    giverId: trigger.giverId,
    receiverId: trigger.receiverId,
    workOrderId: links.workOrderId ?? null,
    teamId: links.teamId ?? receiver?.regionId ?? giver?.regionId ?? null,
    facts: trigger.facts,
    occurredAt: trigger.occurredAt,
    requestedAt: scope.now,
    dueAt: trigger.dueAt,
    formToken: token,
  });

  const log = scope.log.child({ rule: kind, eventKey: trigger.eventKey });
  if (!request) {
    log.info('feedback request exists for this event and pair; nothing sent');
    return undefined;
  }

  const names = { giverName: giver?.name ?? '?', receiverName: receiver?.name ?? '?' };
  await scope.cards.send(
    trigger.giverId,
    giverCardKey(request.id),
    giverRequestCard(request, names, cardSetting(giver, scope.org), token),
  );
  log.info(
    { requestId: request.id, giverId: request.giverId, receiverId: request.receiverId },
    'feedback requested',
  );
  return request;
}

/** Applies a rule whose condition is met (see buildTrigger) and requests the feedback. */
export async function triggerFeedback(
  scope: FeedbackScope,
  kind: FeedbackRuleKind,
  settings: RuleSettings,
  input: TriggerInput,
  links: RequestLinks = {},
): Promise<FeedbackRequest | undefined> {
  return requestFeedback(scope, buildTrigger(kind, settings, input, scope.now), kind, links);
}
