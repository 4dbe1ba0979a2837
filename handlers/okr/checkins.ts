import type { CardActionEvent } from '../../bot/channel.js';
import { CONFIDENCE_LEVELS, progressShare } from '../../domain/okr/metrics.js';
import { localDate, weekStart } from '../../domain/okr/period.js';
import { toLocale } from '../../lib/i18n.js';
import type { Logger } from '../../lib/logger.js';
import type { Db, Tx } from '../../models/db.js';
import {
  answerCheckinPrompt,
  type Checkin,
  claimCheckinPrompt,
  findOwnedKeyResultsActiveOn,
  findScopedKeyResult,
  insertCheckin,
  type ScopedKeyResult,
  storeKeyResultValue,
} from '../../models/okr.js';
import { listOrgs, type Organisation } from '../../models/orgs.js';
import { findPeople, type Person } from '../../models/people.js';
import { CardQueue, type HandlerContext, type Outcome, Rejection } from '../context.js';
import { localeOf } from '../dispatch/service.js';
import { checkinAnsweredCard, checkinCard, checkinCardKey } from './cards.js';
import { okrText } from './messages.js';

/** Maximum length of a check-in comment, in characters. */
export const MAX_CHECKIN_COMMENT = 500;

export interface CheckinInput {
  confidence: unknown;
  comment?: unknown;
  /** A new value, accepted only for manual key results. */
  value?: unknown;
}

/** The transaction, organisation, time and card queue a check-in writes with. */
export interface CheckinContext {
  tx: Tx;
  org: Organisation;
  now: Date;
  cards: CardQueue;
}

/** Builds the rejection of one field, with the rule it broke for clients that word errors. */
function invalid(field: string, message: string, violation: Record<string, unknown>): Rejection {
  return new Rejection('invalid_input', `${field}: ${message}`, 400, field, violation);
}

/** Validates a check-in; throws a Rejection naming the first invalid field. */
export function parseCheckin(
  input: CheckinInput,
  keyResult: ScopedKeyResult,
  prefix = '',
): { confidence: number; comment: string | null; value: number | undefined } {
  const confidence = Number(input.confidence);
  if (!CONFIDENCE_LEVELS.includes(confidence as (typeof CONFIDENCE_LEVELS)[number])) {
    throw invalid(
      `${prefix}confidence`,
      'must be a whole number from 1 (will miss) to 5 (will meet)',
      { rule: 'confidence' },
    );
  }
  let comment: string | null = null;
  if (input.comment !== undefined && input.comment !== null) {
    if (typeof input.comment !== 'string')
      throw invalid(`${prefix}comment`, 'must be text', { rule: 'text' });
    comment = input.comment.trim() || null;
    const length = comment ? [...comment].length : 0;
    if (length > MAX_CHECKIN_COMMENT) {
      throw invalid(`${prefix}comment`, `must be at most ${MAX_CHECKIN_COMMENT} characters`, {
        rule: 'max_length',
        limit: MAX_CHECKIN_COMMENT,
        length,
      });
    }
  }
  let value: number | undefined;
  if (input.value !== undefined && input.value !== null && input.value !== '') {
    if (keyResult.metric !== 'manual') {
      throw invalid(
        `${prefix}value`,
        'can be entered only on a manual key result; this one is computed from work orders',
        { rule: 'manual_only' },
      );
    }
    value = Number(input.value);
    if (!Number.isFinite(value))
      throw invalid(`${prefix}value`, 'must be a number', { rule: 'number' });
  }
  return { confidence, comment, value };
}

/**
 * Records a check-in by the key result's owner. A manual key result takes the entered value.
 * When this week's check-in card is still open, it is marked answered and loses its buttons.
 */
export async function recordCheckin(
  context: CheckinContext,
  keyResult: ScopedKeyResult,
  person: Person,
  input: CheckinInput,
  via: 'chat' | 'miniapp',
  clickContext?: Record<string, unknown>,
): Promise<Checkin> {
  if (keyResult.ownerId !== person.id) {
    const message = okrText(localeOf(person, context.org), 'error.notOwner');
    throw new Rejection('not_permitted', message, 403);
  }
  const parsed = parseCheckin(input, keyResult, via === 'chat' ? 'values.' : '');
  const week = weekStart(context.now, context.org.timezone);
  let current = keyResult;
  if (parsed.value !== undefined) {
    const progress = progressShare(keyResult.baseline, keyResult.target, parsed.value);
    await storeKeyResultValue(context.tx, {
      keyResultId: keyResult.id,
      orgId: context.org.id,
      value: parsed.value,
      progress,
      cause: 'manual',
      at: context.now,
    });
    current = { ...keyResult, current: parsed.value, progress, computedAt: context.now };
  }
  const checkin = await insertCheckin(context.tx, {
    orgId: context.org.id,
    keyResultId: keyResult.id,
    personId: person.id,
    week,
    confidence: parsed.confidence,
    comment: parsed.comment,
    value: current.current,
    via,
    createdAt: context.now,
  });
  if (await answerCheckinPrompt(context.tx, keyResult.id, week, context.now)) {
    await context.cards.update(
      person.id,
      checkinCardKey(keyResult.id, week),
      checkinAnsweredCard(localeOf(person, context.org), current, parsed.confidence),
      clickContext,
    );
  } else if (via === 'chat') {
    throw new Rejection(
      'already_checked_in',
      okrText(localeOf(person, context.org), 'error.alreadyCheckedIn'),
      409,
    );
  }
  return checkin;
}

/** Runs a click on a weekly check-in card; `actor` is the person the platform identified. */
export async function handleOkrAction(
  context: HandlerContext,
  click: CardActionEvent,
  actor: Person,
): Promise<Outcome> {
  const keyResultId = click.payload.keyResult;
  if (!keyResultId) {
    throw new Rejection(
      'invalid_input',
      'The card carries no key result id.',
      400,
      'payload.keyResult',
    );
  }
  const keyResult = await findScopedKeyResult(context.tx, context.org.id, keyResultId, true);
  if (!keyResult) throw new Rejection('not_found', `Key result ${keyResultId} was not found.`, 404);
  if (click.payload.week && click.payload.week !== weekStart(context.now, context.org.timezone)) {
    throw new Rejection(
      'checkin_closed',
      okrText(localeOf(actor, context.org), 'error.checkinClosed', { week: click.payload.week }),
      409,
    );
  }
  const checkin = await recordCheckin(
    context,
    keyResult,
    actor,
    { confidence: click.values.confidence, comment: click.values.comment },
    'chat',
    click.context,
  );
  return {
    ok: true,
    message: okrText(localeOf(actor, context.org), 'checkin.recorded'),
    data: { checkinId: checkin.id },
  };
}

export const OKR_ACTION_IDS: readonly string[] = ['okr.checkin'];

export interface CheckinRunResult {
  week: string;
  orgs: number;
  keyResults: number;
  sent: number;
}

/**
 * Queues this week's check-in card for every owned key result of `org` whose period contains
 * `now`, in the caller's transaction. A key result already prompted this week is skipped, so a
 * repeated run sends each card once. Returns what was queued.
 */
export async function queueWeeklyCheckins(
  tx: Tx,
  org: Organisation,
  now: Date,
): Promise<CheckinRunResult> {
  const week = weekStart(now, org.timezone);
  const keyResults = await findOwnedKeyResultsActiveOn(tx, org.id, localDate(now, org.timezone));
  const ownerIds = [...new Set(keyResults.map((keyResult) => keyResult.ownerId as string))];
  const owners = new Map(
    (await findPeople(tx, org.id, ownerIds)).map((person) => [person.id, person]),
  );
  const cards = new CardQueue(tx, org.id, now, undefined);
  let sent = 0;
  for (const keyResult of keyResults) {
    const owner = owners.get(keyResult.ownerId as string);
    if (!owner) continue;
    const claimed = await claimCheckinPrompt(tx, {
      keyResultId: keyResult.id,
      week,
      orgId: org.id,
      personId: owner.id,
      sentAt: now,
    });
    if (!claimed) continue;
    const locale = toLocale(owner.locale ?? org.locale);
    await cards.send(
      owner.id,
      checkinCardKey(keyResult.id, week),
      checkinCard(locale, keyResult, week),
    );
    sent += 1;
  }
  await cards.flush();
  return { week, orgs: 1, keyResults: keyResults.length, sent };
}

/** Queues this week's check-in cards of every organisation, or only `orgId`, one transaction each. */
export async function sendWeeklyCheckins(
  db: Db,
  now: Date,
  log: Logger,
  options: { orgId?: string } = {},
): Promise<CheckinRunResult[]> {
  const orgs = (await listOrgs(db)).filter((org) => !options.orgId || org.id === options.orgId);
  const results: CheckinRunResult[] = [];
  for (const org of orgs) {
    const result = await db.transaction((tx) => queueWeeklyCheckins(tx, org, now));
    log.info({ orgId: org.id, ...result }, 'weekly OKR check-in cards queued');
    results.push(result);
  }
  return results;
}
