import type { Card, CardBlock, CardField } from '../../bot/card.js';
import type { Candidate, DispatchWeights } from '../../domain/dispatch/rank.js';
import type { Locale } from '../../lib/i18n.js';
import type { Customer, WorkOrder } from '../../models/work-orders.js';
import { dispatchText } from './messages.js';

export const REASSIGN_REASONS = [
  'customer_preference',
  'skill_fit',
  'workload',
  'travel',
  'other',
] as const;
export type ReassignReason = (typeof REASSIGN_REASONS)[number];

export const ACTIONS = {
  accept: 'dispatch.accept',
  decline: 'dispatch.decline',
  confirm: 'dispatch.confirm',
  reassign: 'dispatch.reassign',
} as const;

export function engineerCardKey(recommendationId: string, engineerId: string): string {
  return `dispatch:${recommendationId}:engineer:${engineerId}`;
}

export function managerCardKey(recommendationId: string, managerId: string): string {
  return `dispatch:${recommendationId}:manager:${managerId}`;
}

const percent = (rate: number) => `${Math.round(rate * 100)}%`;

function distanceText(locale: Locale, candidate: Candidate): string {
  const distance = candidate.factors.distance;
  if (!distance.known) return dispatchText(locale, 'distance.unknown');
  return `${distance.value.toFixed(1)} km`;
}

function orderFields(
  locale: Locale,
  order: WorkOrder,
  customer: Customer,
  faultTypeLabel: string,
): CardField[] {
  const fields: CardField[] = [
    { label: dispatchText(locale, 'field.faultType'), value: faultTypeLabel },
    { label: dispatchText(locale, 'field.customer'), value: customer.name },
    {
      label: dispatchText(locale, 'field.priority'),
      value: dispatchText(locale, `priority.${order.priority}`),
    },
  ];
  if (customer.address)
    fields.push({ label: dispatchText(locale, 'field.address'), value: customer.address });
  return fields;
}

export interface EngineerCardInput {
  locale: Locale;
  /** Display name of the order's fault type, such as "CT 球管故障". */
  faultTypeLabel: string;
  order: WorkOrder;
  customer: Customer;
  candidate: Candidate;
  recommendationId: string;
}

/** The card that offers a work order to an engineer, with Accept and Decline. */
export function engineerOfferCard(input: EngineerCardInput): Card {
  const { locale, order, customer, candidate } = input;
  const factors = candidate.factors;
  const payload = { recommendation: input.recommendationId, engineer: candidate.engineerId };
  return {
    title: dispatchText(locale, 'engineer.title', { code: order.code }),
    tone: order.priority === 'urgent' || order.priority === 'high' ? 'warning' : 'info',
    blocks: [
      {
        type: 'fields',
        fields: [
          ...orderFields(locale, order, customer, input.faultTypeLabel),
          { label: dispatchText(locale, 'field.distance'), value: distanceText(locale, candidate) },
        ],
      },
      {
        type: 'text',
        text: dispatchText(locale, 'engineer.why', {
          rate: percent(factors.successRate.value),
          jobs: factors.successRate.jobs,
          successes: factors.successRate.successes,
          open: factors.workload.openOrders,
          capacity: factors.workload.capacity,
          distance: distanceText(locale, candidate),
        }),
      },
      ...(order.description ? [{ type: 'text' as const, text: order.description }] : []),
    ],
    actions: [
      {
        id: ACTIONS.accept,
        label: dispatchText(locale, 'engineer.accept'),
        style: 'primary',
        payload,
      },
      {
        id: ACTIONS.decline,
        label: dispatchText(locale, 'engineer.decline'),
        style: 'danger',
        payload,
      },
    ],
  };
}

/** An engineer's card after the offer ended: no buttons, one line saying why. */
export function engineerClosedCard(
  input: Omit<EngineerCardInput, 'recommendationId'>,
  footer: string,
  tone: Card['tone'],
): Card {
  const { locale, order, customer, candidate } = input;
  return {
    title: dispatchText(locale, 'engineer.title', { code: order.code }),
    tone,
    blocks: [
      {
        type: 'fields',
        fields: [
          ...orderFields(locale, order, customer, input.faultTypeLabel),
          { label: dispatchText(locale, 'field.distance'), value: distanceText(locale, candidate) },
        ],
      },
    ],
    actions: [],
    footer,
  };
}

export interface ManagerCardInput {
  locale: Locale;
  faultTypeLabel: string;
  order: WorkOrder;
  customer: Customer;
  recommendationId: string;
  candidates: Candidate[];
  weights: DispatchWeights;
  /** Engineer the order is offered to or assigned to now, if any. */
  currentEngineerId: string | undefined;
  statusLine: string;
  tone: Card['tone'];
  canConfirm: boolean;
  canReassign: boolean;
}

/** The area manager's card: the recommendation with its factor breakdown, Confirm and Reassign. */
export function managerCard(input: ManagerCardInput): Card {
  const { locale, order, customer, candidates, weights } = input;
  const breakdown = candidates.map((candidate, index) => {
    const line = dispatchText(locale, 'manager.breakdown', {
      rank: index + 1,
      name: candidate.name,
      score: candidate.score.toFixed(2),
      rate: percent(candidate.factors.successRate.value),
      open: candidate.factors.workload.openOrders,
      capacity: candidate.factors.workload.capacity,
      distance: distanceText(locale, candidate),
    });
    return candidate.exception
      ? `${line} · ${dispatchText(locale, `exception.${candidate.exception}`)}`
      : line;
  });
  // Engineers marked with an exception are offered only for assignment by hand.
  const manual = candidates.some((candidate) => candidate.exception);
  if (manual) breakdown.unshift(dispatchText(locale, 'manager.manualOptions'));
  const blocks: CardBlock[] = [
    { type: 'fields', fields: orderFields(locale, order, customer, input.faultTypeLabel) },
    { type: 'text', text: input.statusLine },
  ];
  if (breakdown.length > 0) {
    blocks.push({ type: 'text', text: breakdown.join('\n') });
    blocks.push({
      type: 'text',
      text: dispatchText(locale, 'manager.factors', {
        wRate: percent(weights.successRate),
        wLoad: percent(weights.workload),
        wDistance: percent(weights.distance),
      }),
    });
  }

  const alternatives = candidates.filter((c) => c.engineerId !== input.currentEngineerId);
  const payload = { recommendation: input.recommendationId };
  const card: Card = {
    title: dispatchText(locale, 'manager.title', { code: order.code }),
    tone: input.tone,
    blocks,
    actions: [],
  };
  if (input.canConfirm) {
    card.actions.push({
      id: ACTIONS.confirm,
      label: dispatchText(locale, 'manager.confirm'),
      style: 'primary',
      payload,
    });
  }
  if (input.canReassign && alternatives.length > 0) {
    card.inputs = [
      {
        type: 'select',
        name: 'engineer',
        label: dispatchText(locale, 'input.engineer'),
        options: alternatives.map((c) => ({
          value: c.engineerId,
          label: `${c.name} (${c.score.toFixed(2)})`,
        })),
      },
      {
        type: 'select',
        name: 'reason',
        label: dispatchText(locale, 'input.reason'),
        options: REASSIGN_REASONS.map((reason) => ({
          value: reason,
          label: dispatchText(locale, `reason.${reason}`),
          // "Other" is explained in the note, so a platform without text inputs leaves it out.
          ...(reason === 'other' ? { requires: ['note'] } : {}),
        })),
      },
      { type: 'text', name: 'note', label: dispatchText(locale, 'input.note'), maxLength: 200 },
    ];
    card.actions.push({
      id: ACTIONS.reassign,
      label: dispatchText(locale, input.currentEngineerId ? 'manager.reassign' : 'manager.assign'),
      payload,
      requires: ['engineer', 'reason'],
    });
  }
  return card;
}
