import {
  type Candidate,
  DEFAULT_SETTINGS,
  type DispatchSettings,
  type DispatchWeights,
  describeNoCandidate,
  EXCLUSION_REASONS,
  type ExclusionReason,
  normalizeWeights,
  type Ranking,
  rankEngineers,
  rankManualOptions,
  successWindow,
} from '../../domain/dispatch/rank.js';
import { type Locale, toLocale } from '../../lib/i18n.js';
import {
  candidatesOf,
  countEngineers,
  type Decision,
  insertDecision,
  insertRecommendation,
  loadEngineerPool,
  loadRegionEngineers,
  type Recommendation,
  stampRecommendationComputed,
} from '../../models/dispatch.js';
import type { Organisation } from '../../models/orgs.js';
import { findManagersAndPeople, findPeople, type Person } from '../../models/people.js';
import {
  addHistory,
  type Customer,
  updateWorkOrder,
  type WorkOrder,
} from '../../models/work-orders.js';
import type { HandlerContext } from '../context.js';
import { offerProgressBlocks } from '../okr/progress.js';
import {
  engineerCardKey,
  engineerClosedCard,
  engineerOfferCard,
  managerCard,
  managerCardKey,
} from './cards.js';
import { dispatchText } from './messages.js';

/** Success rate assumed for a fault type with no finished jobs in the window. */
const DEFAULT_PRIOR_RATE = 0.8;

export function dispatchSettingsOf(org: Organisation): DispatchSettings {
  const stored = org.dispatchWeights as Partial<DispatchWeights> | null;
  const weights = { ...DEFAULT_SETTINGS.weights, ...(stored ?? {}) };
  return { ...DEFAULT_SETTINGS, weights: normalizeWeights(weights) };
}

/** Returns the organisation's display name for a fault type code, or the code itself. */
export function faultTypeLabel(org: Organisation, code: string): string {
  const labels = (org.settings as { faultTypeLabels?: Record<string, string> }).faultTypeLabels;
  return labels?.[code] ?? code;
}

export function localeOf(person: Person, org: Organisation) {
  return toLocale(person.locale ?? org.locale);
}

/** Ranks the engineers for an order at time `now`, leaving out `excludeIds`. */
export async function rankForOrder(
  context: HandlerContext,
  order: WorkOrder,
  customer: Customer,
  excludeIds: string[] = [],
): Promise<Ranking> {
  const settings = dispatchSettingsOf(context.org);
  const site = { lat: customer.lat, lng: customer.lng };
  const pool = await loadEngineerPool(
    context.tx,
    context.org.id,
    order.faultType,
    successWindow(context.now),
    {
      site,
      radiusKm: settings.maxDistanceKm,
    },
  );
  // The organisation's own rate on this fault type, itself smoothed towards the default.
  const priorRate = (pool.totalSuccesses + DEFAULT_PRIOR_RATE * 10) / (pool.totalJobs + 10);
  const ranking = rankEngineers(
    { faultType: order.faultType, site, excludeIds },
    pool.engineers,
    priorRate,
    settings,
  );
  if (ranking.candidates.length === 0) {
    // Only an empty ranking is explained, so only then are the unskilled engineers counted.
    const unskilled = (await countEngineers(context.tx, context.org.id)) - pool.engineers.length;
    if (unskilled > 0) ranking.excluded.no_skill = (ranking.excluded.no_skill ?? 0) + unskilled;
    ranking.noCandidateReason = describeNoCandidate(ranking.excluded, order.faultType);
    const regional = order.regionId
      ? await loadRegionEngineers(
          context.tx,
          context.org.id,
          order.regionId,
          order.faultType,
          successWindow(context.now),
        )
      : [];
    ranking.manualOptions = rankManualOptions(
      { faultType: order.faultType, site, excludeIds },
      regional,
      priorRate,
      settings,
    );
  }
  return ranking;
}

/** Everything needed to draw the cards of one recommendation. */
export interface DispatchState {
  recommendation: Recommendation;
  order: WorkOrder;
  customer: Customer;
}

/**
 * Creates the recommendation for a new order, offers it to the first candidate of the ranking
 * (computed here unless `precomputed` is given) and sends the area managers their card.
 * Returns the stored recommendation.
 */
export async function dispatchNewOrder(
  context: HandlerContext,
  order: WorkOrder,
  customer: Customer,
  precomputed?: Ranking,
): Promise<Recommendation> {
  const ranking = precomputed ?? (await rankForOrder(context, order, customer));
  const best = ranking.candidates[0];
  const settings = dispatchSettingsOf(context.org);
  const recommendation = await insertRecommendation(context.tx, {
    orgId: context.org.id,
    workOrderId: order.id,
    // With no engineer eligible, the manager's card offers the region's engineers to assign by hand.
    candidates: best ? ranking.candidates : (ranking.manualOptions ?? []),
    excluded: ranking.excluded,
    weights: { ...settings.weights },
    status: best ? 'offered' : 'unassigned',
    offeredEngineerId: best?.engineerId ?? null,
    inboxId: context.event.id,
    eventReceivedAt: context.event.receivedAt,
    computedAt: context.now,
    updatedAt: context.now,
  });

  let updatedOrder = order;
  if (best) {
    updatedOrder = (await offerOrder(context, { recommendation, order, customer }, best, 'offered'))
      .order;
  } else {
    updatedOrder = await updateWorkOrder(context.tx, order.id, {
      status: 'unassigned',
      updatedAt: context.now,
    });
    await addHistory(context.tx, {
      orgId: context.org.id,
      workOrderId: order.id,
      status: 'unassigned',
      at: context.now,
      inboxId: context.event.id,
      note: ranking.noCandidateReason ?? null,
    });
    await insertDecision(context.tx, {
      orgId: context.org.id,
      recommendationId: recommendation.id,
      workOrderId: order.id,
      kind: 'unassigned',
      reason: ranking.noCandidateReason ?? null,
      createdAt: context.now,
    });
  }
  await sendManagerCards(context, { recommendation, order: updatedOrder, customer }, 'send', {
    excluded: best ? undefined : ranking.excluded,
  });
  await stampRecommendationComputed(context.tx, recommendation.id);
  return recommendation;
}

/** Details of a reassignment: the manager, the reason, and both engineers' factors. */
export interface OfferDetails {
  actorId?: string;
  reason?: string;
  note?: string;
  previousEngineerId?: string;
  /** Factor values of the recommended and the chosen engineer, kept for learning the weights. */
  features?: Record<string, unknown>;
}

/**
 * Offers the order to `candidate`: records the offer, moves the order to `offered` and sends
 * the engineer a card with Accept and Decline.
 */
export async function offerOrder(
  context: HandlerContext,
  state: DispatchState,
  candidate: Candidate,
  kind: 'offered' | 'reassigned',
  extra: OfferDetails = {},
): Promise<{ order: WorkOrder; decision: Decision }> {
  const order = await updateWorkOrder(context.tx, state.order.id, {
    status: 'offered',
    offeredEngineerId: candidate.engineerId,
    assignedEngineerId: null,
    acceptedAt: null,
    updatedAt: context.now,
  });
  await addHistory(context.tx, {
    orgId: context.org.id,
    workOrderId: order.id,
    status: 'offered',
    at: context.now,
    actorId: extra.actorId ?? null,
    inboxId: context.event.id,
    note: candidate.name,
  });
  const decision = await insertDecision(context.tx, {
    orgId: context.org.id,
    recommendationId: state.recommendation.id,
    workOrderId: order.id,
    kind,
    actorId: extra.actorId ?? null,
    engineerId: candidate.engineerId,
    previousEngineerId: extra.previousEngineerId ?? null,
    reason: extra.reason ?? null,
    note: extra.note ?? null,
    features: extra.features ?? null,
    createdAt: context.now,
  });
  const [engineer] = await findPeople(context.tx, context.org.id, [candidate.engineerId]);
  if (!engineer) throw new Error(`engineer ${candidate.engineerId} vanished during dispatch`);
  const card = engineerOfferCard({
    locale: localeOf(engineer, context.org),
    faultTypeLabel: faultTypeLabel(context.org, order.faultType),
    order,
    customer: state.customer,
    candidate,
    recommendationId: state.recommendation.id,
  });
  card.blocks.push(...(await offerProgressBlocks(context, order, engineer)));
  await context.cards.send(
    engineer.id,
    engineerCardKey(state.recommendation.id, engineer.id),
    card,
  );
  return { order, decision };
}

/**
 * Replaces an engineer's offer card with a closed one that states why, such as "you accepted".
 * `clickContext` is passed when this engineer's own click caused the change.
 */
export async function closeEngineerCard(
  context: HandlerContext,
  state: DispatchState,
  engineerId: string,
  footerKey: string,
  values: Record<string, string | number>,
  tone: 'success' | 'neutral' | 'warning',
  clickContext?: Record<string, unknown>,
): Promise<void> {
  const [engineer] = await findPeople(context.tx, context.org.id, [engineerId]);
  if (!engineer) return;
  const candidate =
    candidatesOf(state.recommendation).find((c) => c.engineerId === engineerId) ??
    candidatesOf(state.recommendation)[0];
  if (!candidate) return;
  const locale = localeOf(engineer, context.org);
  if (typeof values.status === 'string') {
    values = { ...values, status: dispatchText(locale, `status.${values.status}`) };
  }
  const card = engineerClosedCard(
    {
      locale,
      faultTypeLabel: faultTypeLabel(context.org, state.order.faultType),
      order: state.order,
      customer: state.customer,
      candidate,
    },
    dispatchText(locale, footerKey, values),
    tone,
  );
  await context.cards.update(
    engineer.id,
    engineerCardKey(state.recommendation.id, engineerId),
    card,
    clickContext,
  );
}

export interface ManagerCardOptions {
  /** Counts of engineers left out, by reason, when this update leaves the order unassigned. */
  excluded?: Partial<Record<ExclusionReason, number>> | undefined;
  /** The decision that caused this update; it picks the status line. */
  lastDecision?: Decision | undefined;
  /** The manager whose click caused the update, with the click's platform context. */
  click?: { managerId: string; context?: Record<string, unknown> | undefined } | undefined;
}

/**
 * Sends (on a new recommendation) or updates the area managers' cards from the current state.
 */
export async function sendManagerCards(
  context: HandlerContext,
  state: DispatchState,
  mode: 'send' | 'update',
  options: ManagerCardOptions = {},
): Promise<void> {
  const { lastDecision, click } = options;
  const { recommendation, order } = state;
  const involvedIds = [
    recommendation.offeredEngineerId,
    order.assignedEngineerId,
    recommendation.confirmedById,
    lastDecision?.engineerId,
    ...recommendation.declinedIds,
  ].filter((id): id is string => Boolean(id));
  const { managers, byId: involved } = await findManagersAndPeople(
    context.tx,
    context.org.id,
    order.regionId,
    involvedIds,
  );
  if (managers.length === 0) {
    context.log.warn(
      { workOrderId: state.order.id, regionId: state.order.regionId },
      'no area manager to send the dispatch card to',
    );
    return;
  }
  const nameOf = (id: string | null | undefined) => (id ? (involved.get(id)?.name ?? '?') : '?');

  for (const manager of managers) {
    const locale = localeOf(manager, context.org);
    let statusLine: string;
    let tone: 'info' | 'success' | 'warning' | 'danger' | 'neutral' = 'info';
    // A closed recommendation of an order that is open again belongs to a reopened order: the
    // dispatch is over, so the card only reports it.
    const dispatchClosed = recommendation.status === 'closed';
    const open =
      !dispatchClosed &&
      (order.status === 'offered' || order.status === 'accepted' || order.status === 'in_progress');
    if (order.status === 'resolved' || order.status === 'cancelled') {
      statusLine = dispatchText(locale, 'manager.closed', {
        status: dispatchText(locale, `status.${order.status}`),
      });
      tone = 'neutral';
    } else if (dispatchClosed) {
      statusLine = order.assignedEngineerId
        ? dispatchText(locale, 'manager.reopened', {
            count: order.reopenCount,
            name: nameOf(order.assignedEngineerId),
          })
        : dispatchText(locale, 'manager.reopenedUnassigned', { count: order.reopenCount });
      tone = 'warning';
    } else if (recommendation.status === 'unassigned') {
      statusLine = noCandidateText(
        locale,
        options.excluded ?? recommendation.excluded,
        faultTypeLabel(context.org, order.faultType),
      );
      tone = 'danger';
    } else if (recommendation.status === 'accepted') {
      statusLine = dispatchText(locale, 'manager.accepted', {
        name: nameOf(order.assignedEngineerId),
      });
      tone = 'success';
    } else if (lastDecision?.kind === 'declined') {
      statusLine = dispatchText(locale, 'manager.declinedNext', {
        declined: nameOf(lastDecision.engineerId),
        name: nameOf(recommendation.offeredEngineerId),
      });
      tone = 'warning';
    } else if (lastDecision?.kind === 'reassigned') {
      statusLine = dispatchText(locale, 'manager.reassigned', {
        name: nameOf(recommendation.offeredEngineerId),
        reason: dispatchText(locale, `reason.${lastDecision.reason}`),
      });
    } else {
      statusLine = dispatchText(locale, 'manager.offered', {
        name: nameOf(recommendation.offeredEngineerId),
      });
    }
    if (recommendation.confirmedById) {
      statusLine += `\n${dispatchText(locale, 'manager.confirmed', { name: nameOf(recommendation.confirmedById) })}`;
    }
    const card = managerCard({
      locale,
      faultTypeLabel: faultTypeLabel(context.org, order.faultType),
      order,
      customer: state.customer,
      recommendationId: recommendation.id,
      candidates: candidatesOf(recommendation),
      weights: recommendation.weights as unknown as DispatchWeights,
      currentEngineerId: order.assignedEngineerId ?? recommendation.offeredEngineerId ?? undefined,
      statusLine,
      tone,
      canConfirm:
        open && recommendation.confirmedById === null && recommendation.offeredEngineerId !== null,
      canReassign: open || recommendation.status === 'unassigned',
    });
    const key = managerCardKey(recommendation.id, manager.id);
    if (mode === 'send') {
      await context.cards.send(manager.id, key, card);
    } else {
      const clickContext = click?.managerId === manager.id ? click.context : undefined;
      await context.cards.update(manager.id, key, card, clickContext);
    }
  }
}

/** Explains in the manager's language why no engineer can take an order, counted by reason. */
function noCandidateText(
  locale: Locale,
  excluded: Partial<Record<ExclusionReason, number>>,
  faultType: string,
): string {
  const parts = EXCLUSION_REASONS.filter((reason) => (excluded[reason] ?? 0) > 0).map((reason) =>
    dispatchText(locale, `excluded.${reason}`, { count: excluded[reason] ?? 0 }),
  );
  if (parts.length === 0) return dispatchText(locale, 'manager.nobodySkilled', { faultType });
  return dispatchText(locale, 'manager.unassigned', {
    faultType,
    reasons: parts.join(dispatchText(locale, 'list.separator')),
  });
}
