import { and, desc, eq, sql } from 'drizzle-orm';
import {
  ACTION_QUESTION_KEY,
  decodeActionKey,
  NO_CHOICE,
  SUBMIT_KEY,
} from '../../bot/wecom/action-keys.js';
import type { Db } from '../../models/db.js';
import { inbox, people } from '../../models/schema/index.js';
import type { FakeCardMessage, FakeWecomServer } from '../fakes/wecom-server.js';
import { waitFor } from './pulse.js';

/** The address that cards link to in tests; nothing is ever requested from it. */
export const TEST_PUBLIC_URL = 'http://127.0.0.1:9/pulse';

/** Environment for a Pulse instance that talks to the fake WeCom server, without the sandbox. */
export function wecomEnv(fake: FakeWecomServer): Record<string, string> {
  const { corpId, agentId, secret, token, encodingAesKey } = fake.settings;
  return {
    WECOM_CORP_ID: corpId,
    WECOM_AGENT_ID: String(agentId),
    WECOM_SECRET: secret,
    WECOM_TOKEN: token,
    WECOM_ENCODING_AES_KEY: encodingAesKey,
    WECOM_API_BASE: fake.url,
    PULSE_PUBLIC_URL: TEST_PUBLIC_URL,
    PULSE_SANDBOX: 'off',
  };
}

/** Gives every person the WeCom user id `<employee number>`, as a directory sync would. */
export async function mapPeopleToWecom(db: Db): Promise<void> {
  await db.update(people).set({ wecomUserId: sql`${people.employeeNo}` });
}

export async function wecomUserIdOf(db: Db, personId: string): Promise<string> {
  const [row] = await db
    .select({ wecomUserId: people.wecomUserId })
    .from(people)
    .where(eq(people.id, personId));
  if (!row?.wecomUserId) throw new Error(`person ${personId} has no WeCom user id`);
  return row.wecomUserId;
}

interface SelectList {
  question_key: string;
  option_list: { id: string; text: string }[];
}

/** A WeCom card read back from the fake: its title, actions and selects. */
export interface WecomCardView {
  taskId: string;
  cardType: string;
  title: string;
  actionIds: string[];
  selectOptions: Record<string, string[]>;
  message: FakeCardMessage;
}

export function viewCard(message: FakeCardMessage): WecomCardView {
  const card = message.templateCard;
  const cardType = String(card.card_type);
  const title = String((card.main_title as { title?: string } | undefined)?.title ?? '');
  const selects = [
    ...((card.select_list as SelectList[] | undefined) ?? []),
    ...(card.button_selection ? [card.button_selection as SelectList] : []),
  ];
  let actionIds: string[] = [];
  if (cardType === 'button_interaction' && card.replace_text === undefined) {
    // Buttons of type 1 open a URL and have no key.
    const buttons = (card.button_list as { key?: string }[] | undefined) ?? [];
    actionIds = buttons.flatMap((button) =>
      button.key ? [decodeActionKey(button.key).actionId] : [],
    );
  }
  if (cardType === 'multiple_interaction') {
    const chooser = selects.find((select) => select.question_key === ACTION_QUESTION_KEY);
    const submitKey = (card.submit_button as { key: string }).key;
    actionIds = chooser
      ? chooser.option_list
          .filter((option) => option.id !== NO_CHOICE)
          .map((option) => decodeActionKey(option.id).actionId)
      : [decodeActionKey(submitKey).actionId];
  }
  const selectOptions = Object.fromEntries(
    selects
      .filter((select) => select.question_key !== ACTION_QUESTION_KEY)
      .map((select) => [
        select.question_key,
        select.option_list.filter((option) => option.id !== NO_CHOICE).map((option) => option.id),
      ]),
  );
  return { taskId: message.taskId, cardType, title, actionIds, selectOptions, message };
}

/**
 * Builds the template_card_event WeCom would send when `userId` clicks `actionId` on the card
 * with `values` chosen in its selects, and returns its XML and response code.
 */
export function clickEvent(
  fake: FakeWecomServer,
  view: WecomCardView,
  userId: string,
  actionId: string,
  values: Record<string, string> = {},
): { xml: string; responseCode: string } {
  const card = view.message.templateCard;
  const selected: Record<string, string> = { ...values };
  let eventKey: string;
  if (view.cardType === 'multiple_interaction') {
    eventKey = (card.submit_button as { key: string }).key;
    if (eventKey === SUBMIT_KEY) {
      const chooser = (card.select_list as SelectList[]).find(
        (select) => select.question_key === ACTION_QUESTION_KEY,
      );
      const option = chooser?.option_list.find(
        (candidate) => decodeActionKey(candidate.id).actionId === actionId,
      );
      if (!option) throw new Error(`the card offers no ${actionId} action`);
      selected[ACTION_QUESTION_KEY] = option.id;
    }
    // Selects left alone submit their preselected "please choose" entry.
    for (const select of card.select_list as SelectList[]) {
      selected[select.question_key] ??= select.option_list[0]?.id ?? NO_CHOICE;
    }
  } else {
    const buttons = (card.button_list as { key?: string }[] | undefined) ?? [];
    const button = buttons.find(
      (candidate) => candidate.key && decodeActionKey(candidate.key).actionId === actionId,
    );
    if (!button?.key) throw new Error(`the card offers no ${actionId} button`);
    eventKey = button.key;
  }
  const responseCode = fake.issueResponseCode(view.taskId);
  const xml = fake.clickXml({
    userId,
    taskId: view.taskId,
    eventKey,
    responseCode,
    cardType: view.cardType,
    selected,
  });
  return { xml, responseCode };
}

/** Waits until the click with this response code was processed; returns its inbox row. */
export async function clickOutcome(db: Db, responseCode: string) {
  return waitFor(
    async () => {
      const [row] = await db
        .select()
        .from(inbox)
        .where(
          and(
            eq(inbox.source, 'wecom'),
            sql`${inbox.payload}->'context'->>'responseCode' = ${responseCode}`,
          ),
        )
        .orderBy(desc(inbox.id))
        .limit(1);
      return row && row.status !== 'pending' ? row : undefined;
    },
    8000,
    `outcome of click ${responseCode}`,
  );
}
