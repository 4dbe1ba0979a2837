import { localDayStart } from './calendar.js';
import type { FeedbackRuleKind, Participants, RuleSettings } from './settings.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Values a card shows about the triggering event, such as the order code or the score. */
export type Facts = Record<string, string | number>;

/** A feedback request that a rule decided to make. */
export interface FeedbackTrigger {
  kind: FeedbackRuleKind;
  /** Identifies the triggering event; with giver and receiver it makes the request unique. */
  eventKey: string;
  /** When the triggering event happened; response time is measured from here. */
  occurredAt: Date;
  giverId: string;
  receiverId: string;
  dueAt: Date;
  facts: Facts;
}

export type RuleResult =
  | { fire: true; trigger: FeedbackTrigger }
  | {
      fire: false;
      reason: 'disabled' | 'condition_not_met' | 'no_giver' | 'no_receiver' | 'same_person';
    };

export interface TriggerInput {
  eventKey: string;
  occurredAt: Date;
  participants: Participants;
  facts: Facts;
}

/**
 * Turns a met condition into a request: picks the giver and receiver that the settings name
 * among the participants and sets the due time `dueHours` after `now`. A disabled rule, a
 * missing giver or receiver, or one person in both roles produces no request.
 */
export function buildTrigger(
  kind: FeedbackRuleKind,
  settings: RuleSettings,
  input: TriggerInput,
  now: Date,
): RuleResult {
  if (!settings.enabled) return { fire: false, reason: 'disabled' };
  const giverId = input.participants[settings.giver];
  const receiverId = input.participants[settings.receiver];
  if (!giverId) return { fire: false, reason: 'no_giver' };
  if (!receiverId) return { fire: false, reason: 'no_receiver' };
  if (giverId === receiverId) return { fire: false, reason: 'same_person' };
  return {
    fire: true,
    trigger: {
      kind,
      eventKey: input.eventKey,
      occurredAt: input.occurredAt,
      giverId,
      receiverId,
      dueAt: new Date(now.getTime() + settings.dueHours * HOUR_MS),
      facts: input.facts,
    },
  };
}

/** Low rating: a score below the threshold (default 3, so scores 1 and 2). */
export function isLowRating(score: number, settings: RuleSettings): boolean {
  return score < (settings.threshold ?? 3);
}

/** Shortest comment, in characters after trimming, that counts as praise. */
export const PRAISE_MIN_CHARS = 2;

/** Recognition: a score at or above the threshold (default 5) that comes with a comment. */
export function isPraise(
  score: number,
  comment: string | null | undefined,
  settings: RuleSettings,
) {
  const text = comment?.trim() ?? '';
  return score >= (settings.threshold ?? 5) && [...text].length >= PRAISE_MIN_CHARS;
}

export interface DeviceOrder {
  id: string;
  code: string;
  engineerId: string | null;
  resolvedAt: Date;
}

/**
 * Repeat fault: the latest order on the same device resolved within `threshold` days (default
 * 30) before the new order opened. Returns that earlier order, or undefined.
 */
export function findRepeatFault(
  openedAt: Date,
  earlier: readonly DeviceOrder[],
  settings: RuleSettings,
): DeviceOrder | undefined {
  const windowStart = openedAt.getTime() - (settings.threshold ?? 30) * DAY_MS;
  return earlier
    .filter((order) => {
      const at = order.resolvedAt.getTime();
      return at >= windowStart && at <= openedAt.getTime();
    })
    .sort((a, b) => b.resolvedAt.getTime() - a.resolvedAt.getTime())[0];
}

/** Days over which declined dispatches are counted. */
export const DECLINE_WINDOW_DAYS = 7;

export interface DeclineRecord {
  id: string;
  at: Date;
}

/**
 * Repeated declines: at least `threshold` (default 3) declines in the 7 days up to `now`.
 * Returns the event key, built from the first decline in the window so that further declines
 * in the same window add no second request. Returns undefined below the threshold.
 */
export function repeatedDeclinesKey(
  engineerId: string,
  declines: readonly DeclineRecord[],
  now: Date,
  settings: RuleSettings,
): { eventKey: string; count: number; firstAt: Date } | undefined {
  const from = now.getTime() - DECLINE_WINDOW_DAYS * DAY_MS;
  const inWindow = declines
    .filter((decline) => decline.at.getTime() > from && decline.at.getTime() <= now.getTime())
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.id.localeCompare(b.id));
  const first = inWindow[0];
  if (!first || inWindow.length < (settings.threshold ?? 3)) return undefined;
  return {
    eventKey: `repeated_declines:${engineerId}:${first.id}`,
    count: inWindow.length,
    firstAt: first.at,
  };
}

export interface SlaState {
  respondBy: Date | null;
  resolveBy: Date | null;
  /** First response: when the engineer accepted the order. */
  respondedAt: Date | null;
  resolvedAt: Date | null;
  cancelledAt: Date | null;
}

export type SlaTarget = 'first_response' | 'resolution';

/**
 * Lists the SLA targets an order has missed by `now`: a deadline passed with no response (or
 * resolution) before it. A cancelled order misses nothing after its cancellation.
 */
export function slaBreaches(state: SlaState, now: Date): { target: SlaTarget; dueAt: Date }[] {
  const breaches: { target: SlaTarget; dueAt: Date }[] = [];
  const check = (target: SlaTarget, dueAt: Date | null, doneAt: Date | null) => {
    if (!dueAt || dueAt.getTime() > now.getTime()) return;
    if (doneAt && doneAt.getTime() <= dueAt.getTime()) return;
    if (state.cancelledAt && state.cancelledAt.getTime() <= dueAt.getTime()) return;
    breaches.push({ target, dueAt });
  };
  check('first_response', state.respondBy, state.respondedAt);
  check('resolution', state.resolveBy, state.resolvedAt);
  return breaches;
}

/** Returns whether a hand-off is late: its accept-by time passed with no acceptance before it. */
export function isHandoffLate(acceptBy: Date, acceptedAt: Date | null, now: Date): boolean {
  if (acceptBy.getTime() > now.getTime()) return false;
  return !acceptedAt || acceptedAt.getTime() > acceptBy.getTime();
}

/** Computes the accept-by time of a hand-off that did not state one: `threshold` hours (default 4). */
export function handoffAcceptBy(requestedAt: Date, settings: RuleSettings): Date {
  return new Date(requestedAt.getTime() + (settings.threshold ?? 4) * HOUR_MS);
}

/**
 * A key result as the OKR model reports it. Periods are calendar dates in the organisation's
 * time zone; the period ends at the end of `periodEnd`.
 */
export interface KeyResultSnapshot {
  id: string;
  title: string;
  ownerId: string;
  /** Value at the period start, so that progress counts from it. */
  baseline: number;
  current: number;
  target: number;
  /** YYYY-MM-DD */
  periodStart: string;
  /** YYYY-MM-DD, inclusive. */
  periodEnd: string;
}

export interface OffTrackResult {
  /** Share of the period elapsed at `now`, 0-1. */
  elapsedShare: number;
  /** Share of the way from baseline to target covered, 0-1 (may be negative). */
  progressShare: number;
  midpoint: Date;
  periodStartAt: Date;
  periodEndAt: Date;
}

/**
 * Key result off track at mid period: once the middle of the period has passed and before it
 * ends, progress covers less than `threshold` (default 0.8) of the elapsed share. Returns the
 * shares, or undefined when the result is on track or outside that part of the period.
 */
export function keyResultOffTrack(
  keyResult: KeyResultSnapshot,
  timeZone: string,
  now: Date,
  settings: RuleSettings,
): OffTrackResult | undefined {
  const periodStartAt = localDayStart(keyResult.periodStart, timeZone, 0);
  const periodEndAt = localDayStart(keyResult.periodEnd, timeZone, 1);
  const length = periodEndAt.getTime() - periodStartAt.getTime();
  if (length <= 0) return undefined;
  const midpoint = new Date(periodStartAt.getTime() + length / 2);
  if (now.getTime() < midpoint.getTime() || now.getTime() >= periodEndAt.getTime()) {
    return undefined;
  }
  const span = keyResult.target - keyResult.baseline;
  if (span === 0) return undefined;
  const elapsedShare = (now.getTime() - periodStartAt.getTime()) / length;
  const progressShare = (keyResult.current - keyResult.baseline) / span;
  if (progressShare >= (settings.threshold ?? 0.8) * elapsedShare) return undefined;
  return { elapsedShare, progressShare, midpoint, periodStartAt, periodEndAt };
}
