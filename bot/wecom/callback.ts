import { createHash } from 'node:crypto';
import type { Db } from '../../models/db.js';
import { findLatestCard, findWecomTask } from '../../models/wecom.js';
import { type Card, checkActionValues } from '../card.js';
import type { CallbackRequest, CallbackResult, CardActionEvent } from '../channel.js';
import {
  ACTION_QUESTION_KEY,
  CLOSED_KEY,
  decodeActionKey,
  NO_CHOICE,
  SUBMIT_KEY,
} from './action-keys.js';
import { type CryptoSettings, parseCallbackQuery, verifyAndDecrypt } from './crypto.js';
import { isChineseCard } from './render.js';
import {
  declaresDtd,
  extractEncrypt,
  parseWecomXml,
  type XmlObject,
  xmlObjects,
  xmlText,
  xmlTexts,
} from './xml.js';

/** A callback result; a click also names the organisation of the card it came from. */
export type WecomCallbackResult = CallbackResult & { orgId?: string };

export interface CallbackSettings extends CryptoSettings {
  agentId: number;
}

const rejected = (status: number, reason: string): WecomCallbackResult => ({
  kind: 'rejected',
  status,
  reason,
});

/**
 * Verifies and reads a WeCom callback. A GET is the URL verification, so the result is a reply
 * with the decrypted echostr. A POST carries an encrypted XML message. Its signature is checked
 * over the ciphertext before any XML is parsed or anything is decrypted, and the message becomes a click, a message from a
 * person, or nothing to do. Nothing is stored here.
 */
export async function parseWecomCallback(
  request: CallbackRequest,
  settings: CallbackSettings,
  db: Db,
): Promise<WecomCallbackResult> {
  const query = parseCallbackQuery(request.url);
  if (!query.ok) return rejected(query.status, query.reason);
  const { params } = query;
  const signed = {
    signature: params.get('msg_signature'),
    timestamp: params.get('timestamp'),
    nonce: params.get('nonce'),
  };

  if (request.method === 'GET') {
    const echostr = params.get('echostr');
    if (!echostr) return rejected(400, 'echostr is missing from the query');
    const verified = verifyAndDecrypt(settings, { ...signed, encrypt: echostr });
    if (!verified.ok) return rejected(verified.status, verified.reason);
    return { kind: 'reply', status: 200, body: verified.plaintext, contentType: 'text/plain' };
  }
  if (request.method !== 'POST') return rejected(405, `method ${request.method} is not allowed`);

  const body = request.rawBody.toString('utf8');
  if (declaresDtd(body)) {
    return rejected(400, 'XML with a DOCTYPE or ENTITY declaration is not accepted');
  }
  const encrypted = extractEncrypt(body);
  if (!encrypted) return rejected(400, 'the body has no <Encrypt> element with base64 text');
  const verified = verifyAndDecrypt(settings, { ...signed, encrypt: encrypted });
  if (!verified.ok) return rejected(verified.status, verified.reason);
  let message: XmlObject;
  try {
    message = parseWecomXml(verified.plaintext);
  } catch (error) {
    return rejected(400, `the decrypted message is not XML: ${(error as Error).message}`);
  }
  return interpretMessage(message, settings, db);
}

async function interpretMessage(
  message: XmlObject,
  settings: CallbackSettings,
  db: Db,
): Promise<WecomCallbackResult> {
  const from = xmlText(message, 'FromUserName');
  const createTime = xmlText(message, 'CreateTime');
  const msgType = xmlText(message, 'MsgType');
  const agentId = xmlText(message, 'AgentID');
  if (!from) return rejected(400, 'FromUserName is missing from the message');
  if (!createTime || !/^\d+$/.test(createTime)) {
    return rejected(400, 'CreateTime is missing from the message or not unix seconds');
  }
  if (agentId !== undefined && agentId !== String(settings.agentId)) {
    return { kind: 'ignored', reason: `message for agent ${agentId}, not WECOM_AGENT_ID` };
  }
  const actor = { wecomUserId: from };

  if (msgType === 'text') {
    const msgId = xmlText(message, 'MsgId');
    return {
      kind: 'message',
      dedupeKey: msgId ? `msg:${msgId}` : `msg:${from}:${createTime}`,
      actor,
      event: 'text',
      text: xmlText(message, 'Content') ?? '',
    };
  }
  if (msgType !== 'event') return { kind: 'ignored', reason: `message type ${msgType}` };

  const event = xmlText(message, 'Event');
  if (event === 'enter_agent') {
    return { kind: 'message', dedupeKey: `event:${from}:${createTime}:enter_agent`, actor, event };
  }
  if (event === 'template_card_event') return readCardClick(message, from, createTime, db);
  return { kind: 'ignored', reason: `event ${event}` };
}

/** Collects the selected option of each question, leaving out "please choose" entries. */
function selectedValues(message: XmlObject): Record<string, string> {
  const values: Record<string, string> = {};
  const container = message.SelectedItems;
  const items =
    typeof container === 'object' && !Array.isArray(container)
      ? xmlObjects(container, 'SelectedItem')
      : [];
  for (const item of items) {
    const question = xmlText(item, 'QuestionKey');
    const optionIds = item.OptionIds;
    const [first] =
      typeof optionIds === 'object' && !Array.isArray(optionIds)
        ? xmlTexts(optionIds, 'OptionId')
        : [];
    if (question && first && first !== NO_CHOICE) values[question] = first;
  }
  return values;
}

function clickDedupeKey(parts: string[], from: string, createTime: string): string {
  // Retries of one callback repeat every part, while WeCom issues a new ResponseCode per click.
  const digest = createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
  return `click:${from}:${createTime}:${digest}`;
}

function incompleteClick(card: Card | undefined, field: string | undefined) {
  const chinese = card ? isChineseCard(card) : true;
  const input = card?.inputs?.find((candidate) => `values.${candidate.name}` === field);
  if (!input) return chinese ? '请先选择操作，再提交。' : 'Choose an action, then submit.';
  return chinese ? `请先选择“${input.label}”，再提交。` : `Choose ${input.label}, then submit.`;
}

async function readCardClick(
  message: XmlObject,
  from: string,
  createTime: string,
  db: Db,
): Promise<WecomCallbackResult> {
  const taskId = xmlText(message, 'TaskId');
  const eventKey = xmlText(message, 'EventKey');
  const responseCode = xmlText(message, 'ResponseCode');
  if (!taskId) return rejected(400, 'TaskId is missing from the template_card_event');
  if (!eventKey) return rejected(400, 'EventKey is missing from the template_card_event');
  if (eventKey === CLOSED_KEY) return { kind: 'ignored', reason: 'click on a closed card' };
  const task = await findWecomTask(db, taskId);
  if (!task) return { kind: 'ignored', reason: `task ${taskId} was not sent by Pulse` };

  const values = selectedValues(message);
  const dedupeKey = clickDedupeKey(
    [taskId, eventKey, responseCode ?? '', JSON.stringify(Object.entries(values).sort())],
    from,
    createTime,
  );
  const latest = (await findLatestCard(db, task.orgId, task.cardKey)) as Card | undefined;
  const notice = (field: string | undefined): WecomCallbackResult => ({
    kind: 'message',
    dedupeKey,
    actor: { wecomUserId: from },
    event: 'notice',
    text: incompleteClick(latest, field),
    orgId: task.orgId,
  });

  let key = eventKey;
  if (eventKey === SUBMIT_KEY) {
    const chosen = values[ACTION_QUESTION_KEY];
    if (!chosen) return notice(undefined);
    key = chosen;
  }
  delete values[ACTION_QUESTION_KEY];
  const decoded = decodeActionKey(key);
  const action = latest?.actions.find((candidate) => candidate.id === decoded.actionId);
  if (latest && action) {
    const problem = checkActionValues(latest, action, values);
    if (problem) return notice(problem.field);
  }
  const click: CardActionEvent = {
    channel: 'wecom',
    actor: { wecomUserId: from },
    cardKey: task.cardKey,
    actionId: decoded.actionId,
    // The key's own payload is what this copy of the card showed; older cards may lack it.
    payload: decoded.payload ?? action?.payload ?? {},
    values,
    context: { taskId, ...(responseCode ? { responseCode } : {}) },
  };
  return { kind: 'action', dedupeKey, event: click, orgId: task.orgId };
}
