import type { Card, CardBlock } from '../../bot/card.js';
import { CONFIDENCE_LEVELS, METRICS } from '../../domain/okr/metrics.js';
import type { Locale } from '../../lib/i18n.js';
import type { ScopedKeyResult } from '../../models/okr.js';
import { dispatchText } from '../dispatch/messages.js';
import { formatMetricValue, okrText } from './messages.js';

export const OKR_ACTIONS = { checkin: 'okr.checkin' } as const;

export function completionCardKey(workOrderId: string, engineerId: string, resolution: number) {
  return `okr-done:${workOrderId}:${engineerId}:${resolution}`;
}

/** Card key of a weekly check-in; the click ordering key is then per key result. */
export function checkinCardKey(keyResultId: string, week: string): string {
  return `okr-checkin:${keyResultId}:${week}`;
}

/** Returns the mini-app path of a key result; the outbox sender makes it absolute. */
export function keyResultPath(keyResultId: string): string {
  return `/app/okr/kr/${keyResultId}`;
}

/**
 * Builds a key result's card progress block. The bar shows the share of the way from baseline to
 * target, and the label the value itself, so a "lower is better" metric reads right too.
 */
export function keyResultProgressBlock(
  locale: Locale,
  keyResult: Pick<ScopedKeyResult, 'title' | 'metric' | 'current' | 'target' | 'progress'>,
): Extract<CardBlock, { type: 'progress' }> {
  const unit = METRICS[keyResult.metric].unit;
  const current = formatMetricValue(locale, keyResult.current, unit);
  const target = formatMetricValue(locale, keyResult.target, unit);
  return {
    type: 'progress',
    label: `${keyResult.title} · ${current} / ${target}`,
    value: Math.round(keyResult.progress * 100),
    target: 100,
    unit: '%',
  };
}

export interface CompletionCardInput {
  locale: Locale;
  code: string;
  faultTypeLabel: string;
  customerName: string;
  moved: ScopedKeyResult[];
  strategyTitles: string[];
}

/** Builds the card an engineer gets when their order is resolved, with what it moved. */
export function completionCard(input: CompletionCardInput): Card {
  const { locale } = input;
  const blocks: CardBlock[] = [
    {
      type: 'fields',
      fields: [
        { label: dispatchText(locale, 'field.faultType'), value: input.faultTypeLabel },
        { label: dispatchText(locale, 'field.customer'), value: input.customerName },
      ],
    },
  ];
  if (input.moved.length === 0) {
    blocks.push({ type: 'text', text: okrText(locale, 'done.none') });
  } else {
    blocks.push({ type: 'text', text: okrText(locale, 'done.intro') });
    for (const keyResult of input.moved) blocks.push(keyResultProgressBlock(locale, keyResult));
    if (input.strategyTitles.length > 0) {
      blocks.push({
        type: 'text',
        text: okrText(locale, 'done.strategy', {
          strategies: input.strategyTitles.join(locale === 'en' ? '; ' : '；'),
        }),
      });
    }
  }
  const [first] = input.moved;
  return {
    title: okrText(locale, 'done.title', { code: input.code }),
    tone: 'success',
    blocks,
    actions: [],
    link: { label: okrText(locale, 'link.okr'), url: first ? keyResultPath(first.id) : '/app/okr' },
  };
}

/** Builds the weekly card that requests a confidence level and a comment from the owner. */
export function checkinCard(locale: Locale, keyResult: ScopedKeyResult, week: string): Card {
  return {
    title: okrText(locale, 'checkin.title', { title: keyResult.title }),
    tone: 'info',
    blocks: [
      keyResultProgressBlock(locale, keyResult),
      { type: 'text', text: okrText(locale, 'checkin.ask') },
    ],
    inputs: [
      {
        type: 'select',
        name: 'confidence',
        label: okrText(locale, 'checkin.confidence'),
        options: CONFIDENCE_LEVELS.map((level) => ({
          value: String(level),
          label: okrText(locale, `confidence.${level}`),
        })),
      },
      {
        type: 'text',
        name: 'comment',
        label: okrText(locale, 'checkin.comment'),
        multiline: true,
        maxLength: 500,
      },
    ],
    link: { label: okrText(locale, 'link.okr'), url: keyResultPath(keyResult.id) },
    actions: [
      {
        id: OKR_ACTIONS.checkin,
        label: okrText(locale, 'checkin.submit'),
        style: 'primary',
        payload: { keyResult: keyResult.id, week },
        requires: ['confidence'],
      },
    ],
  };
}

/** Builds the check-in card after the check-in, made in chat or in the mini-app. */
export function checkinAnsweredCard(
  locale: Locale,
  keyResult: ScopedKeyResult,
  confidence: number,
): Card {
  return {
    title: okrText(locale, 'checkin.title', { title: keyResult.title }),
    tone: 'success',
    blocks: [keyResultProgressBlock(locale, keyResult)],
    actions: [],
    footer: okrText(locale, 'checkin.done', { confidence }),
  };
}
