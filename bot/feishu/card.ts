import {
  type Card,
  type CardAction,
  type CardBlock,
  type CardInput,
  progressBarText,
} from '../card.js';

/**
 * Largest card Feishu accepts in a send, a PATCH or a delayed update, measured here as the
 * UTF-8 bytes of the card JSON (the documented limit is 30 KB).
 */
export const MAX_CARD_BYTES = 30 * 1024;

/** Largest number of components in a card JSON 2.0 (Feishu rejects more with error 11310). */
export const MAX_CARD_ELEMENTS = 200;

/** Maximum characters of a text block in a card shortened to fit the limits. */
const SHORTENED_TEXT_CHARS = 600;

/** Feishu keeps placeholders to 100 characters and input lengths to 1-1000. */
const MAX_PLACEHOLDER_CHARS = 100;
const MAX_INPUT_LENGTH = 1000;

/** Name of the form container; input and button names must differ from it and each other. */
export const FORM_NAME = 'pulse_form';

export type FeishuCardJson = Record<string, unknown>;
type Element = Record<string, unknown>;

const TEMPLATE_BY_TONE: Record<NonNullable<Card['tone']>, string> = {
  info: 'blue',
  success: 'green',
  warning: 'orange',
  danger: 'red',
  neutral: 'grey',
};

const BUTTON_TYPE: Record<NonNullable<CardAction['style']>, string> = {
  primary: 'primary_filled',
  danger: 'danger_filled',
  default: 'default',
};

/** The callback value of a Pulse button: which action, on which logical card, with what payload. */
export interface ActionValue {
  action: string;
  card_key: string;
  payload: Record<string, string>;
}

export function encodeActionValue(action: CardAction, cardKey: string): ActionValue {
  return { action: action.id, card_key: cardKey, payload: action.payload ?? {} };
}

/** Reads a button's callback value back; undefined when it is not a Pulse button value. */
export function decodeActionValue(
  value: unknown,
): { actionId: string; cardKey: string; payload: Record<string, string> } | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { action, card_key: cardKey, payload } = value as Record<string, unknown>;
  if (typeof action !== 'string' || action === '') return undefined;
  if (typeof cardKey !== 'string' || cardKey === '') return undefined;
  const entries =
    payload && typeof payload === 'object' && !Array.isArray(payload)
      ? Object.entries(payload as Record<string, unknown>)
      : [];
  if (entries.some(([, item]) => typeof item !== 'string')) return undefined;
  return {
    actionId: action,
    cardKey,
    payload: Object.fromEntries(entries) as Record<string, string>,
  };
}

export class CardTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly elements: number,
  ) {
    super(
      `The card is ${bytes} bytes with ${elements} components even after shortening; Feishu ` +
        `accepts at most ${MAX_CARD_BYTES} bytes and ${MAX_CARD_ELEMENTS} components. ` +
        'Move long content to a mini-app page and link it from the card.',
    );
    this.name = 'CardTooLargeError';
  }
}

function plain(content: string): Element {
  return { tag: 'plain_text', content };
}

function truncate(text: string, maxChars: number): string {
  const chars = [...text];
  return chars.length <= maxChars ? text : `${chars.slice(0, maxChars - 1).join('')}…`;
}

function renderBlock(block: CardBlock): Element {
  switch (block.type) {
    case 'text':
      return { tag: 'div', text: plain(block.text) };
    case 'fields':
      return {
        tag: 'div',
        fields: block.fields.map((field) => ({
          is_short: true,
          text: plain(`${field.label}\n${field.value}`),
        })),
      };
    case 'progress': {
      const unit = block.unit ? ` ${block.unit}` : '';
      return {
        tag: 'div',
        text: plain(
          `${block.label}  ${block.value}/${block.target}${unit}\n${progressBarText(block)}`,
        ),
      };
    }
    case 'divider':
      return { tag: 'hr' };
  }
}

/** Returns whether every action of the card requires the input, so the client may enforce it. */
function requiredByAll(card: Card, name: string): boolean {
  return card.actions.length > 0 && card.actions.every((a) => a.requires?.includes(name));
}

function renderInput(card: Card, input: CardInput): Element[] {
  const required = requiredByAll(card, input.name);
  if (input.type === 'select') {
    return [
      { tag: 'div', text: plain(input.label) },
      {
        tag: 'select_static',
        name: input.name,
        required,
        width: 'fill',
        placeholder: plain(truncate(input.placeholder ?? input.label, MAX_PLACEHOLDER_CHARS)),
        options: input.options.map((option) => ({
          text: plain(option.label),
          value: option.value,
        })),
      },
    ];
  }
  const element: Element = {
    tag: 'input',
    name: input.name,
    required,
    width: 'fill',
    label: plain(input.label),
    label_position: 'top',
    input_type: input.multiline ? 'multiline_text' : 'text',
  };
  if (input.multiline) element.rows = 3;
  if (input.placeholder) {
    element.placeholder = plain(truncate(input.placeholder, MAX_PLACEHOLDER_CHARS));
  }
  if (input.maxLength !== undefined) {
    element.max_length = Math.max(1, Math.min(MAX_INPUT_LENGTH, input.maxLength));
  }
  return [element];
}

function renderButton(action: CardAction, cardKey: string, index: number, inForm: boolean) {
  const button: Element = {
    tag: 'button',
    text: plain(action.label),
    type: BUTTON_TYPE[action.style ?? 'default'],
    behaviors: [{ type: 'callback', value: encodeActionValue(action, cardKey) }],
  };
  if (inForm) {
    // A button inside a form needs a card-wide unique name and submits the form's values.
    button.name = `pulse_action_${index}`;
    button.form_action_type = 'submit';
  }
  return button;
}

/** Lays buttons out side by side, one auto-width column each. */
function buttonRow(buttons: Element[]): Element {
  return {
    tag: 'column_set',
    horizontal_spacing: '8px',
    columns: buttons.map((button) => ({ tag: 'column', width: 'auto', elements: [button] })),
  };
}

/**
 * Builds the card JSON 2.0 for a card model. Inputs and the action buttons go into one form
 * container whenever the card has inputs. A select or text input outside a form sends its own
 * callback when it changes, so only a form delivers the inputs' values with the button click,
 * as `form_value`.
 */
function buildCard(card: Card, cardKey: string): FeishuCardJson {
  const elements: Element[] = card.blocks.map(renderBlock);
  const inputs = card.inputs ?? [];
  const inForm = inputs.length > 0;
  const buttons = card.actions.map((action, index) => renderButton(action, cardKey, index, inForm));
  if (inForm) {
    const formElements = inputs.flatMap((input) => renderInput(card, input));
    if (buttons.length > 0) formElements.push(buttonRow(buttons));
    elements.push({ tag: 'form', name: FORM_NAME, elements: formElements });
  } else if (buttons.length > 0) {
    elements.push(buttonRow(buttons));
  }
  if (card.link) {
    elements.push({
      tag: 'button',
      text: plain(card.link.label),
      type: 'default',
      behaviors: [{ type: 'open_url', default_url: card.link.url }],
    });
  }
  if (card.footer) {
    elements.push({
      tag: 'div',
      text: { tag: 'plain_text', content: card.footer, text_size: 'notation', text_color: 'grey' },
    });
  }
  const header: Element = {
    title: plain(card.title),
    template: TEMPLATE_BY_TONE[card.tone ?? 'info'],
  };
  if (card.subtitle) header.subtitle = plain(card.subtitle);
  return {
    schema: '2.0',
    // Card JSON 2.0 allows only shared cards; saying so keeps PATCH possible later.
    config: { update_multi: true, summary: { content: card.title } },
    header,
    body: { elements },
  };
}

/**
 * Counts the components of a card JSON: every object with a tag except text and icon objects.
 * NOTE: Feishu does not document how it counts components; this rule is an assumption.
 */
export function countElements(value: unknown): number {
  if (Array.isArray(value))
    return value.reduce<number>((sum, item) => sum + countElements(item), 0);
  if (!value || typeof value !== 'object') return 0;
  const record = value as Record<string, unknown>;
  const tag = record.tag;
  const isComponent =
    typeof tag === 'string' && !['plain_text', 'lark_md', 'standard_icon'].includes(tag);
  let count = isComponent ? 1 : 0;
  for (const item of Object.values(record)) count += countElements(item);
  return count;
}

export function cardBytes(json: FeishuCardJson): number {
  return Buffer.byteLength(JSON.stringify(json), 'utf8');
}

function fits(json: FeishuCardJson): boolean {
  return cardBytes(json) <= MAX_CARD_BYTES && countElements(json.body) <= MAX_CARD_ELEMENTS;
}

function shortenBlock(block: CardBlock): CardBlock {
  if (block.type === 'text') return { ...block, text: truncate(block.text, SHORTENED_TEXT_CHARS) };
  if (block.type === 'fields') {
    return {
      ...block,
      fields: block.fields.map((field) => ({
        label: truncate(field.label, 60),
        value: truncate(field.value, 200),
      })),
    };
  }
  return block;
}

/**
 * Renders a card model as Feishu card JSON 2.0 within Feishu's size and component limits.
 * A card over a limit first loses the tail of its long texts, then its last blocks (a "…" line
 * marks the cut). Inputs, buttons, the link and the footer are always kept, so a card whose
 * inputs alone are over a limit throws CardTooLargeError.
 */
export function renderFeishuCard(card: Card, cardKey: string): FeishuCardJson {
  const full = buildCard(card, cardKey);
  if (fits(full)) return full;
  const shortened = card.blocks.map(shortenBlock);
  for (let keep = shortened.length; keep >= 0; keep--) {
    const blocks = shortened.slice(0, keep);
    if (keep < shortened.length) blocks.push({ type: 'text', text: '…' });
    const candidate = buildCard({ ...card, blocks }, cardKey);
    if (fits(candidate)) return candidate;
  }
  const minimal = buildCard({ ...card, blocks: [] }, cardKey);
  throw new CardTooLargeError(cardBytes(minimal), countElements(minimal.body));
}
