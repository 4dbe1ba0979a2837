import { type Locale, translate } from '../lib/i18n.js';

/**
 * The platform-neutral card model. Handlers build cards from it; each channel renders it in
 * its platform's format (WeCom template cards, Feishu card JSON 2.0, the sandbox page).
 */
export interface Card {
  title: string;
  subtitle?: string;
  /** Header colour: the card's mood at a glance. */
  tone?: CardTone;
  blocks: CardBlock[];
  /** Selects and text inputs; their values arrive with the next button click. */
  inputs?: CardInput[];
  actions: CardAction[];
  /** A page of the mini-app, for what the platform's card cannot hold. */
  link?: { label: string; url: string };
  /** A closing line for a card that needs nothing more, such as "Accepted by Li Wei". */
  footer?: string;
}

export type CardTone = 'info' | 'success' | 'warning' | 'danger' | 'neutral';

export type CardBlock =
  | { type: 'text'; text: string }
  | { type: 'fields'; fields: CardField[] }
  | { type: 'progress'; label: string; value: number; target: number; unit?: string }
  | { type: 'divider' };

export interface CardField {
  label: string;
  value: string;
}

export interface CardAction {
  /** Stable action id, such as dispatch.accept, that selects the handler. */
  id: string;
  label: string;
  style?: 'primary' | 'danger' | 'default';
  /** Values the handler needs, echoed back with the click. */
  payload?: Record<string, string>;
  /** Names of inputs that must be filled for this action. */
  requires?: string[];
}

export type CardInput =
  | {
      type: 'select';
      name: string;
      label: string;
      /** `requires` names the text inputs an option needs, such as a note for "other". */
      options: { value: string; label: string; requires?: string[] }[];
      placeholder?: string;
    }
  | {
      type: 'text';
      name: string;
      label: string;
      placeholder?: string;
      multiline?: boolean;
      minLength?: number;
      maxLength?: number;
    };

/** Percentage of a progress block, clamped to 0-100 and rounded. */
export function progressPercent(block: Extract<CardBlock, { type: 'progress' }>): number {
  if (block.target <= 0) return 0;
  return Math.max(0, Math.min(100, Math.round((block.value / block.target) * 100)));
}

/** Text bar for platforms without a progress element, such as ▓▓▓▓▓░░░░░ 50%. */
export function progressBarText(
  block: Extract<CardBlock, { type: 'progress' }>,
  cells = 10,
): string {
  const percent = progressPercent(block);
  const filled = Math.round((percent / 100) * cells);
  return `${'▓'.repeat(filled)}${'░'.repeat(cells - filled)} ${percent}%`;
}

/** The first problem with a click's values: the field, an English message and the rule. */
export interface ValueProblem {
  field: string;
  message: string;
  rule: 'required' | 'choice' | 'min_length' | 'max_length';
  limit?: number;
}

/**
 * Validates the values of a click against the card's inputs and the action's required names.
 * Returns one problem for each field at fault, in the card's order, or none when the values fit.
 */
export function listValueProblems(
  card: Card,
  action: CardAction,
  values: Record<string, string>,
): ValueProblem[] {
  const problems: ValueProblem[] = [];
  const missing = new Set<string>();
  for (const name of action.requires ?? []) {
    const value = values[name];
    if (value === undefined || value.trim() === '') {
      missing.add(name);
      problems.push({
        field: `values.${name}`,
        message: 'is required for this action',
        rule: 'required',
      });
    }
  }
  for (const input of card.inputs ?? []) {
    const value = values[input.name];
    if (value === undefined || value === '' || missing.has(input.name)) continue;
    const field = `values.${input.name}`;
    if (input.type === 'select' && !input.options.some((option) => option.value === value)) {
      problems.push({ field, message: 'is not one of the offered options', rule: 'choice' });
    }
    if (input.type === 'text') {
      const length = [...value.trim()].length;
      if (input.minLength !== undefined && length < input.minLength) {
        problems.push({
          field,
          message: `must be at least ${input.minLength} characters`,
          rule: 'min_length',
          limit: input.minLength,
        });
      } else if (input.maxLength !== undefined && length > input.maxLength) {
        problems.push({
          field,
          message: `must be at most ${input.maxLength} characters`,
          rule: 'max_length',
          limit: input.maxLength,
        });
      }
    }
  }
  return problems;
}

/** Returns the first problem with a click's values, or undefined when they fit. */
export function checkActionValues(
  card: Card,
  action: CardAction,
  values: Record<string, string>,
): ValueProblem | undefined {
  return listValueProblems(card, action, values)[0];
}

const VALUE_PROBLEM_TEXTS: Record<Locale, Record<ValueProblem['rule'], string>> = {
  'zh-CN': {
    required: '请先填写或选择“{label}”。',
    choice: '“{label}”不是卡片提供的选项。',
    min_length: '“{label}”至少 {limit} 个字。',
    max_length: '“{label}”最多 {limit} 个字。',
  },
  en: {
    required: 'Fill in or choose "{label}" first.',
    choice: '"{label}" is not one of the options on the card.',
    min_length: '"{label}" needs at least {limit} characters.',
    max_length: '"{label}" takes at most {limit} characters.',
  },
};

/** Words a value problem for the person who clicked, naming the input by its label. */
export function describeValueProblem(card: Card, problem: ValueProblem, locale: Locale): string {
  const name = problem.field.replace(/^values\./, '');
  const label = card.inputs?.find((input) => input.name === name)?.label ?? name;
  return translate(VALUE_PROBLEM_TEXTS, locale, problem.rule, {
    label,
    limit: problem.limit ?? 0,
  });
}

/**
 * Makes a card's relative link (such as /app/feedback/1) absolute against `baseUrl`, the
 * address people reach Pulse at. Without a base URL the link is removed, because a chat
 * platform cannot open a relative link; `removed` tells the caller so it can log it.
 */
export function withAbsoluteLink(
  card: Card,
  baseUrl: string | undefined,
): { card: Card; removed: boolean } {
  if (!card.link?.url.startsWith('/')) return { card, removed: false };
  if (!baseUrl) {
    const { link: _link, ...rest } = card;
    return { card: rest, removed: true };
  }
  const url = new URL(card.link.url, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();
  return { card: { ...card, link: { ...card.link, url } }, removed: false };
}
