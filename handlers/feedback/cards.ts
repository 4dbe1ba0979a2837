import type { Card, CardBlock } from '../../bot/card.js';
import { formatLocal } from '../../domain/feedback/calendar.js';
import { ASSESSMENTS, FEEDBACK_FIELDS } from '../../domain/feedback/form.js';
import type { Locale } from '../../lib/i18n.js';
import type { FeedbackRequest } from '../../models/feedback.js';
import { feedbackText } from './messages.js';

export const FEEDBACK_ACTIONS = { submit: 'feedback.submit', assess: 'feedback.assess' } as const;

export const giverCardKey = (requestId: string) => `feedback:${requestId}:giver`;
export const receiverCardKey = (requestId: string) => `feedback:${requestId}:receiver`;
export const reminderCardKey = (requestId: string, hours: number) =>
  `feedback:${requestId}:reminder:${hours}h`;
export const escalationCardKey = (requestId: string) => `feedback:${requestId}:escalation`;

/** Returns the request id of a giver card's key, or undefined for any other card. */
export function requestIdOfGiverCard(cardKey: string): string | undefined {
  return /^feedback:([0-9a-f-]{36}):giver$/.exec(cardKey)?.[1];
}

/** Path of the mini-app form; a channel makes it absolute with PULSE_PUBLIC_URL. */
export function formPath(requestId: string, token: string): string {
  return `/app/feedback/${requestId}?token=${encodeURIComponent(token)}`;
}

export interface CardPeople {
  giverName: string;
  receiverName: string;
}

export interface CardSetting {
  locale: Locale;
  timeZone: string;
}

/** Describes the triggering event in one line, in the reader's language. */
export function summaryOf(request: FeedbackRequest, locale: Locale): string {
  const facts: Record<string, string | number> = { ...request.facts };
  if (typeof facts.target === 'string') {
    facts.target = feedbackText(locale, `target.${facts.target}`);
  }
  return feedbackText(locale, `summary.${request.rule}`, facts).replace(/\{\w+\}/g, '—');
}

const ruleLabel = (request: FeedbackRequest, locale: Locale) =>
  feedbackText(locale, `rule.${request.rule}`);

function headerBlocks(request: FeedbackRequest, people: CardPeople, setting: CardSetting) {
  const { locale, timeZone } = setting;
  const blocks: CardBlock[] = [
    { type: 'text', text: summaryOf(request, locale) },
    {
      type: 'fields',
      fields: [
        { label: feedbackText(locale, 'field.receiver'), value: people.receiverName },
        { label: feedbackText(locale, 'field.due'), value: formatLocal(request.dueAt, timeZone) },
      ],
    },
  ];
  return blocks;
}

/**
 * Builds the giver's card: the event, the receiver, the due time and the form. Platforms that
 * cannot show text inputs (WeCom) show the quick assessment with its own button and the
 * mini-app link, and leave out `feedback.submit` because it requires the text inputs.
 */
export function giverRequestCard(
  request: FeedbackRequest,
  people: CardPeople,
  setting: CardSetting,
  token: string,
  footer?: string,
): Card {
  const { locale } = setting;
  const [first] = FEEDBACK_FIELDS;
  return {
    title: feedbackText(locale, 'request.title', { rule: ruleLabel(request, locale) }),
    tone: request.rule === 'recognition' ? 'success' : 'warning',
    blocks: [
      ...headerBlocks(request, people, setting),
      {
        type: 'text',
        text: feedbackText(locale, 'request.instructions', {
          min: first.minLength,
          max: first.maxLength,
        }),
      },
    ],
    inputs: [
      {
        type: 'select',
        name: 'assessment',
        label: feedbackText(locale, 'input.assessment'),
        options: ASSESSMENTS.map((value) => ({
          value,
          label: feedbackText(locale, `assessment.${value}`),
        })),
      },
      ...FEEDBACK_FIELDS.map((field) => ({
        type: 'text' as const,
        name: field.name,
        label: feedbackText(locale, `input.${field.name}`),
        multiline: true,
        minLength: field.minLength,
        maxLength: field.maxLength,
      })),
    ],
    actions: [
      {
        id: FEEDBACK_ACTIONS.submit,
        label: feedbackText(locale, 'action.submit'),
        style: 'primary',
        payload: { request: request.id },
        requires: FEEDBACK_FIELDS.map((field) => field.name),
      },
      {
        id: FEEDBACK_ACTIONS.assess,
        label: feedbackText(locale, 'action.assess'),
        payload: { request: request.id },
        requires: ['assessment'],
      },
    ],
    link: { label: feedbackText(locale, 'link.form'), url: formPath(request.id, token) },
    ...(footer ? { footer } : {}),
  };
}

/** Builds the giver's card of a closed request: no form, and a footer with how it ended. */
export function giverClosedCard(
  request: FeedbackRequest,
  people: CardPeople,
  setting: CardSetting,
  footer: string,
): Card {
  const { locale } = setting;
  return {
    title: feedbackText(locale, 'request.title', { rule: ruleLabel(request, locale) }),
    tone: request.status === 'submitted' ? 'success' : 'neutral',
    blocks: headerBlocks(request, people, setting),
    actions: [],
    footer,
  };
}

/** Builds the receiver's card with the submitted feedback. */
export function receiverCard(
  request: FeedbackRequest,
  people: CardPeople,
  setting: CardSetting,
  answers: { fact: string; impact: string; suggestion: string; assessment: string | null },
): Card {
  const { locale } = setting;
  const fields = [{ label: feedbackText(locale, 'field.giver'), value: people.giverName }];
  if (answers.assessment) {
    fields.push({
      label: feedbackText(locale, 'input.assessment'),
      value: feedbackText(locale, `assessment.${answers.assessment}`),
    });
  }
  return {
    title: feedbackText(locale, 'received.title', { rule: ruleLabel(request, locale) }),
    tone: request.rule === 'recognition' ? 'success' : 'info',
    blocks: [
      { type: 'text', text: summaryOf(request, locale) },
      { type: 'fields', fields },
      { type: 'divider' },
      {
        type: 'fields',
        fields: FEEDBACK_FIELDS.map((field) => ({
          label: feedbackText(locale, `input.${field.name}`),
          value: answers[field.name],
        })),
      },
    ],
    actions: [],
  };
}

/** Builds a reminder to the giver, with the link to the form. */
export function reminderCard(
  request: FeedbackRequest,
  people: CardPeople,
  setting: CardSetting,
  hours: number,
  formUrl: string | undefined,
): Card {
  const { locale, timeZone } = setting;
  const card: Card = {
    title: feedbackText(locale, 'reminder.title', { hours }),
    tone: hours <= 4 ? 'danger' : 'warning',
    blocks: [
      {
        type: 'text',
        text: feedbackText(locale, 'reminder.text', {
          receiver: people.receiverName,
          rule: ruleLabel(request, locale),
          due: formatLocal(request.dueAt, timeZone),
          summary: summaryOf(request, locale),
        }),
      },
    ],
    actions: [],
  };
  if (formUrl) card.link = { label: feedbackText(locale, 'link.form'), url: formUrl };
  return card;
}

/** Builds the card that informs the giver's manager that a request expired. */
export function escalationCard(
  request: FeedbackRequest,
  people: CardPeople,
  setting: CardSetting,
): Card {
  const { locale, timeZone } = setting;
  return {
    title: feedbackText(locale, 'escalation.title', { rule: ruleLabel(request, locale) }),
    tone: 'danger',
    blocks: [
      {
        type: 'text',
        text: feedbackText(locale, 'escalation.text', {
          giver: people.giverName,
          receiver: people.receiverName,
          due: formatLocal(request.dueAt, timeZone),
          summary: summaryOf(request, locale),
        }),
      },
    ],
    actions: [],
  };
}
