import {
  type Card,
  type CardAction,
  type CardField,
  type CardInput,
  type CardTone,
  progressBarText,
} from '../card.js';
import {
  ACTION_QUESTION_KEY,
  CLOSED_KEY,
  encodeActionKey,
  NO_CHOICE,
  SUBMIT_KEY,
} from './action-keys.js';
import { truncateUtf8, utf8Bytes } from './text.js';

/**
 * WeCom template-card limits. Counts, keys, option ids and the task id have documented hard
 * limits. For display text WeCom documents only a suggested number of characters.
 */
export const WECOM_LIMITS = {
  taskIdBytes: 128,
  keyBytes: 1024,
  optionIdBytes: 128,
  buttons: 6,
  horizontalItems: 6,
  jumpItems: 3,
  selects: 3,
  options: 10,
  // NOTE: the display-text byte limits below are the suggested character counts times 3, the
  // UTF-8 size of a Chinese character; WeCom publishes no byte limits for these fields.
  sourceDescBytes: 60,
  titleBytes: 108,
  titleDescBytes: 132,
  subTitleBytes: 480,
  keynameBytes: 15,
  valueBytes: 90,
  jumpTitleBytes: 54,
  buttonTextBytes: 30,
  selectTitleBytes: 60,
  optionTextBytes: 48,
} as const;

export type TemplateCardType = 'text_notice' | 'button_interaction' | 'multiple_interaction';

export interface RenderOptions {
  taskId: string;
  /** Link target of a card without a link of its own, such as the mini-app home page. */
  defaultLinkUrl: string | undefined;
}

export interface RenderedCard {
  cardType: TemplateCardType;
  /** The `template_card` object of message/send and update_template_card. */
  templateCard: Record<string, unknown>;
  /** Parts of the card that WeCom cannot show, for the log. */
  dropped: string[];
}

/** WeCom `source.desc_color`: 0 grey, 2 red, 3 green. */
const TONE_COLOR: Record<CardTone, number> = {
  info: 0,
  neutral: 0,
  warning: 2,
  danger: 2,
  success: 3,
};

// NOTE: WeCom documents button styles 1 to 4 without naming their colours in the sources used.
const BUTTON_STYLE: Record<NonNullable<CardAction['style']>, number> = {
  primary: 1,
  default: 2,
  danger: 3,
};

/** Tells whether a card's title is Chinese, which picks the language of the words Pulse adds. */
export function isChineseCard(card: Card): boolean {
  return /[\u4e00-\u9fff]/.test(card.title);
}

function words(card: Card) {
  return isChineseCard(card)
    ? { choose: '请选择', chooseAction: '请选择操作', action: '操作', submit: '提交' }
    : { choose: 'Choose', chooseAction: 'Choose an action', action: 'Action', submit: 'Submit' };
}

/**
 * Renders the card model as a WeCom `template_card`: `button_interaction` for buttons,
 * `multiple_interaction` when the card has selects, and `text_notice` for a card without
 * actions. Every text is cut to its limit on a character boundary.
 */
export function renderTemplateCard(original: Card, options: RenderOptions): RenderedCard {
  const dropped: string[] = [];
  const card = withoutTextActions(original, dropped);
  const linkUrl = card.link?.url ?? options.defaultLinkUrl;
  const selects = (card.inputs ?? []).filter((input) => input.type === 'select');
  const [onlySelect] = selects;
  if (card.actions.length === 0) {
    if (linkUrl)
      return { cardType: 'text_notice', templateCard: textNotice(card, linkUrl), dropped };
    return { cardType: 'button_interaction', templateCard: closedCard(card, options), dropped };
  }
  // One select beside a link, such as the feedback card's quick assessment next to its form:
  // a button card keeps the link as a button, which a multiple-choice card cannot.
  if (onlySelect && selects.length === 1 && card.link) {
    return {
      cardType: 'button_interaction',
      templateCard: buttonInteraction(card, options, linkUrl, dropped, onlySelect),
      dropped,
    };
  }
  if (selects.length > 0) {
    return {
      cardType: 'multiple_interaction',
      templateCard: multipleInteraction(card, selects, options, dropped),
      dropped,
    };
  }
  return {
    cardType: 'button_interaction',
    templateCard: buttonInteraction(card, options, linkUrl, dropped),
    dropped,
  };
}

/**
 * Leaves out the text inputs and every action or select option that requires one, because
 * WeCom template cards cannot collect text. Such cards carry a link to a form instead.
 */
function withoutTextActions(card: Card, dropped: string[]): Card {
  const textInputs = new Set(
    (card.inputs ?? []).filter((input) => input.type === 'text').map((input) => input.name),
  );
  if (textInputs.size === 0) return card;
  for (const name of textInputs) dropped.push(`text input ${name}`);
  const actions = card.actions.filter((action) => {
    const needsText = (action.requires ?? []).some((name) => textInputs.has(name));
    if (needsText) dropped.push(`action ${action.id}, which needs text`);
    return !needsText;
  });
  const inputs = (card.inputs ?? [])
    .filter((input) => input.type !== 'text')
    .map((input) => {
      if (input.type !== 'select') return input;
      const options = input.options.filter((option) => {
        const needsText = (option.requires ?? []).some((name) => textInputs.has(name));
        if (needsText) dropped.push(`option ${input.name}=${option.value}, which needs text`);
        return !needsText;
      });
      return { ...input, options };
    });
  return { ...card, actions, inputs };
}

function header(card: Card): Record<string, unknown> {
  const mainTitle: Record<string, string> = {
    title: truncateUtf8(card.title, WECOM_LIMITS.titleBytes),
  };
  if (card.subtitle) mainTitle.desc = truncateUtf8(card.subtitle, WECOM_LIMITS.titleDescBytes);
  return {
    source: {
      desc: truncateUtf8('Pulse', WECOM_LIMITS.sourceDescBytes),
      desc_color: TONE_COLOR[card.tone ?? 'info'],
    },
    main_title: mainTitle,
  };
}

function cardFields(card: Card): CardField[] {
  return card.blocks.flatMap((block) => (block.type === 'fields' ? block.fields : []));
}

function horizontalContent(fields: CardField[]): Record<string, unknown>[] {
  return fields.slice(0, WECOM_LIMITS.horizontalItems).map((field) => ({
    keyname: truncateUtf8(field.label, WECOM_LIMITS.keynameBytes),
    value: truncateUtf8(field.value, WECOM_LIMITS.valueBytes),
  }));
}

/**
 * Joins the card's text, progress bars and the fields that did not fit the horizontal list, one
 * per line, and cuts the result so that the footer always shows in full at the end.
 */
function bodyText(card: Card, extraFields: CardField[]): string | undefined {
  const lines: string[] = [];
  for (const block of card.blocks) {
    if (block.type === 'text') lines.push(block.text);
    if (block.type === 'progress') lines.push(`${block.label} ${progressBarText(block)}`);
  }
  for (const field of extraFields) lines.push(`${field.label}: ${field.value}`);
  const footer = card.footer ? truncateUtf8(card.footer, WECOM_LIMITS.subTitleBytes) : '';
  const room = WECOM_LIMITS.subTitleBytes - (footer ? utf8Bytes(footer) + 1 : 0);
  const body = lines.length > 0 && room > 0 ? truncateUtf8(lines.join('\n'), room) : '';
  const text = [body, footer].filter((part) => part !== '').join('\n');
  return text === '' ? undefined : text;
}

function withBody(card: Card, target: Record<string, unknown>): void {
  const fields = cardFields(card);
  if (fields.length > 0) target.horizontal_content_list = horizontalContent(fields);
  const text = bodyText(card, fields.slice(WECOM_LIMITS.horizontalItems));
  if (text) target.sub_title_text = text;
}

function textNotice(card: Card, linkUrl: string): Record<string, unknown> {
  const templateCard: Record<string, unknown> = { card_type: 'text_notice', ...header(card) };
  withBody(card, templateCard);
  if (card.link) {
    templateCard.jump_list = [
      {
        type: 1,
        title: truncateUtf8(card.link.label, WECOM_LIMITS.jumpTitleBytes),
        url: card.link.url,
      },
    ];
  }
  templateCard.card_action = { type: 1, url: linkUrl };
  return templateCard;
}

/**
 * Renders a card without actions and without a link as a button card whose only button is
 * replaced by greyed-out text, because a text_notice card needs a URL to open.
 */
function closedCard(card: Card, options: RenderOptions): Record<string, unknown> {
  const label = card.footer ?? card.title;
  const templateCard: Record<string, unknown> = {
    card_type: 'button_interaction',
    ...header(card),
    task_id: options.taskId,
  };
  withBody(card, templateCard);
  templateCard.button_list = [
    { type: 0, text: truncateUtf8(label, WECOM_LIMITS.buttonTextBytes), style: 2, key: CLOSED_KEY },
  ];
  templateCard.replace_text = truncateUtf8(label, WECOM_LIMITS.buttonTextBytes);
  return templateCard;
}

function buttonInteraction(
  card: Card,
  options: RenderOptions,
  linkUrl: string | undefined,
  dropped: string[],
  select?: SelectInput,
): Record<string, unknown> {
  const templateCard: Record<string, unknown> = {
    card_type: 'button_interaction',
    ...header(card),
    task_id: options.taskId,
  };
  withBody(card, templateCard);
  if (linkUrl) templateCard.card_action = { type: 1, url: linkUrl };
  if (select) {
    const required = card.actions.some((action) => action.requires?.includes(select.name));
    const placeholder = select.placeholder ?? (required ? words(card).choose : undefined);
    const choices = select.options.map((option) => ({ id: option.value, text: option.label }));
    templateCard.button_selection = selectList(
      select.name,
      select.label,
      choices,
      placeholder,
      dropped,
    );
  }
  const keys = new Set<string>();
  const buttons: Record<string, unknown>[] = [];
  for (const action of card.actions) {
    const key = encodeActionKey(action, WECOM_LIMITS.keyBytes);
    if (buttons.length >= WECOM_LIMITS.buttons || keys.has(key)) {
      dropped.push(`action ${action.id}`);
      continue;
    }
    keys.add(key);
    buttons.push({
      type: 0,
      text: truncateUtf8(action.label, WECOM_LIMITS.buttonTextBytes),
      style: BUTTON_STYLE[action.style ?? 'default'],
      key,
    });
  }
  if (select && card.link && buttons.length < WECOM_LIMITS.buttons) {
    buttons.push({
      type: 1,
      text: truncateUtf8(card.link.label, WECOM_LIMITS.buttonTextBytes),
      style: BUTTON_STYLE.primary,
      url: card.link.url,
    });
  }
  templateCard.button_list = buttons;
  return templateCard;
}

type SelectInput = Extract<CardInput, { type: 'select' }>;

function selectList(
  questionKey: string,
  title: string,
  choices: { id: string; text: string }[],
  placeholder: string | undefined,
  dropped: string[],
): Record<string, unknown> {
  const optionList: { id: string; text: string }[] = [];
  if (placeholder !== undefined) {
    optionList.push({
      id: NO_CHOICE,
      text: truncateUtf8(placeholder, WECOM_LIMITS.optionTextBytes),
    });
  }
  for (const choice of choices) {
    if (
      optionList.length >= WECOM_LIMITS.options ||
      utf8Bytes(choice.id) > WECOM_LIMITS.optionIdBytes
    ) {
      dropped.push(`option ${choice.id} of ${questionKey}`);
      continue;
    }
    optionList.push({
      id: choice.id,
      text: truncateUtf8(choice.text, WECOM_LIMITS.optionTextBytes),
    });
  }
  return {
    question_key: questionKey,
    title: truncateUtf8(title, WECOM_LIMITS.selectTitleBytes),
    ...(placeholder !== undefined ? { selected_id: NO_CHOICE } : {}),
    option_list: optionList,
  };
}

/**
 * Renders a card with selects. WeCom's multiple-choice card has one submit button and no body
 * text, so several actions become a first select that picks the action, and the first text
 * block becomes the title's description. A select that an action requires starts on a "please
 * choose" entry, because WeCom would otherwise preselect its first option.
 */
function multipleInteraction(
  card: Card,
  selects: SelectInput[],
  options: RenderOptions,
  dropped: string[],
): Record<string, unknown> {
  const text = words(card);
  const templateCard: Record<string, unknown> = {
    card_type: 'multiple_interaction',
    ...header(card),
    task_id: options.taskId,
  };
  const mainTitle = templateCard.main_title as Record<string, string>;
  const firstText = card.blocks.find((block) => block.type === 'text');
  const desc = mainTitle.desc ? undefined : (card.footer ?? firstText?.text);
  if (desc) mainTitle.desc = truncateUtf8(desc, WECOM_LIMITS.titleDescBytes);
  const hidden = card.blocks.filter((block) => block !== firstText && block.type !== 'divider');
  if (hidden.length > 0) dropped.push(`${hidden.length} body blocks`);

  const lists: Record<string, unknown>[] = [];
  const single = card.actions.length === 1 ? card.actions[0] : undefined;
  if (!single) {
    const choices = card.actions.map((action) => ({
      id: encodeActionKey(action, WECOM_LIMITS.optionIdBytes),
      text: action.label,
    }));
    lists.push(selectList(ACTION_QUESTION_KEY, text.action, choices, text.chooseAction, dropped));
  }
  const required = new Set(card.actions.flatMap((action) => action.requires ?? []));
  for (const input of selects) {
    if (lists.length >= WECOM_LIMITS.selects) {
      dropped.push(`select ${input.name}`);
      continue;
    }
    const placeholder = input.placeholder ?? (required.has(input.name) ? text.choose : undefined);
    const choices = input.options.map((option) => ({ id: option.value, text: option.label }));
    lists.push(selectList(input.name, input.label, choices, placeholder, dropped));
  }
  templateCard.select_list = lists;
  templateCard.submit_button = {
    text: truncateUtf8(single?.label ?? text.submit, WECOM_LIMITS.buttonTextBytes),
    key: single ? encodeActionKey(single, WECOM_LIMITS.keyBytes) : SUBMIT_KEY,
  };
  return templateCard;
}
