import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encrypt, getSignature } from '@wecom/crypto';
import { cdata } from '../../bot/wecom/xml.js';

export interface FakeWecomSettings {
  corpId: string;
  agentId: number;
  secret: string;
  token: string;
  encodingAesKey: string;
}

/** Test credentials; the AES key is 43 letters and digits as WeCom issues them. */
export const FAKE_WECOM: FakeWecomSettings = {
  corpId: 'ww0123456789abcdef',
  agentId: 1000002,
  secret: 'fake-app-secret-for-tests',
  token: 'PulseTestToken',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

/** A template card as WeCom stores it: the latest state after updates, and every state before. */
export interface FakeCardMessage {
  msgid: string;
  touser: string;
  taskId: string;
  templateCard: Record<string, unknown>;
  history: Record<string, unknown>[];
  /** True when WeCom would have dropped it for exceeding 30 messages a minute to one member. */
  dropped: boolean;
}

export interface FakeFault {
  /** Only requests to this path, such as /cgi-bin/message/send; any path when unset. */
  path?: string;
  /** HTTP status of the response, which then has no JSON body. */
  status?: number;
  /** errcode of an HTTP 200 response. */
  errcode?: number;
  /** Delay before the response in milliseconds. */
  delayMs?: number;
}

interface TokenState {
  expiresAt: number;
  revoked: boolean;
}

interface ResponseCodeState {
  taskId: string;
  issuedAt: number;
  used: boolean;
}

const HOUR = 3_600_000;
const TASK_ID = /^[0-9A-Za-z_\-@]{1,128}$/;
const INTERACTION_TYPES = new Set([
  'button_interaction',
  'vote_interaction',
  'multiple_interaction',
]);
const CARD_TYPES = new Set(['text_notice', 'news_notice', ...INTERACTION_TYPES]);
/**
 * NOTE: the errcode WeCom returns for a used or expired response_code is not in the sources
 * this fake follows; the fake returns 42016 for it.
 */
export const SPENT_RESPONSE_CODE_ERRCODE = 42016;

const bytes = (text: unknown) => Buffer.byteLength(String(text ?? ''), 'utf8');

class CardError extends Error {}

function checkKey(key: unknown, what: string, maxBytes: number, seen: Set<string>): void {
  if (typeof key !== 'string' || key === '') throw new CardError(`${what} is missing`);
  if (bytes(key) > maxBytes) throw new CardError(`${what} is longer than ${maxBytes} bytes`);
  if (seen.has(key)) throw new CardError(`${what} ${key} is not unique`);
  seen.add(key);
}

/** Checks a select_list entry or a button_selection: its key and 1 to 10 unique options. */
function checkSelect(value: unknown, keys: Set<string>): void {
  const select = (value ?? {}) as Record<string, unknown>;
  checkKey(select.question_key, 'question_key', 1024, keys);
  const options = Array.isArray(select.option_list)
    ? (select.option_list as Record<string, unknown>[])
    : [];
  if (options.length < 1 || options.length > 10)
    throw new CardError('option_list must have 1 to 10 options');
  const ids = new Set<string>();
  for (const option of options) checkKey(option.id, 'option id', 128, ids);
}

/** Checks a template card against the documented rules of message/send. */
function checkTemplateCard(card: Record<string, unknown>): void {
  const type = String(card.card_type);
  if (!CARD_TYPES.has(type)) throw new CardError(`card_type ${type} is invalid`);
  if (INTERACTION_TYPES.has(type) && !TASK_ID.test(String(card.task_id ?? ''))) {
    throw new CardError('task_id is missing or invalid');
  }
  const list = (name: string) =>
    Array.isArray(card[name]) ? (card[name] as Record<string, unknown>[]) : [];
  if (list('horizontal_content_list').length > 6)
    throw new CardError('horizontal_content_list has more than 6 items');
  if (list('jump_list').length > 3) throw new CardError('jump_list has more than 3 items');
  if (type === 'text_notice') {
    const action = card.card_action as { type?: number; url?: string } | undefined;
    if (action?.type !== 1 || !action.url)
      throw new CardError('card_action with a url is required');
  }
  const keys = new Set<string>();
  if (type === 'button_interaction') {
    const buttons = list('button_list');
    if (buttons.length < 1 || buttons.length > 6)
      throw new CardError('button_list must have 1 to 6 buttons');
    for (const button of buttons) {
      // type 1 opens a URL and needs one; type 0 (the default) calls back with its key.
      if (button.type === 1) {
        if (typeof button.url !== 'string' || button.url === '')
          throw new CardError('a type 1 button needs a url');
        continue;
      }
      checkKey(button.key, 'button key', 1024, keys);
    }
    if (card.button_selection !== undefined) checkSelect(card.button_selection, keys);
  }
  if (type === 'multiple_interaction') {
    const selects = list('select_list');
    if (selects.length < 1 || selects.length > 3)
      throw new CardError('select_list must have 1 to 3 selects');
    for (const select of selects) checkSelect(select, keys);
    const submit = card.submit_button as { key?: unknown } | undefined;
    checkKey(submit?.key, 'submit_button.key', 1024, keys);
  }
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/**
 * A local stand-in for the WeCom server API (gettoken, message/send,
 * message/update_template_card) that follows its documented wire format, with switches for
 * token expiry, errcodes, delays and rate limits. It also builds signed, encrypted callbacks
 * and posts them to Pulse, as WeCom does when a person acts.
 */
export class FakeWecomServer {
  readonly settings: FakeWecomSettings;
  readonly messages: FakeCardMessage[] = [];
  /** Every API request, with its path and JSON body. */
  readonly requests: { path: string; body: Record<string, unknown> }[] = [];
  tokensIssued = 0;
  ipBlocked = false;
  private readonly server: Server;
  private readonly tokens = new Map<string, TokenState>();
  private readonly codes = new Map<string, ResponseCodeState>();
  private readonly taskIds = new Set<string>();
  private readonly sendTimes = new Map<string, number[]>();
  private readonly faults: FakeFault[] = [];
  private clockOffsetMs = 0;
  private counter = 0;
  url = '';

  private constructor(settings: FakeWecomSettings) {
    this.settings = settings;
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
  }

  static async start(settings: FakeWecomSettings = FAKE_WECOM): Promise<FakeWecomServer> {
    const fake = new FakeWecomServer(settings);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Returns the fake's time in milliseconds; tests move it to expire tokens and response codes. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  advance(ms: number): void {
    this.clockOffsetMs += ms;
  }

  /** Makes every token issued so far expired (errcode 42001). */
  expireTokens(): void {
    for (const state of this.tokens.values()) state.expiresAt = this.now() - 1;
  }

  /** Makes every token issued so far invalid (errcode 40014). */
  revokeTokens(): void {
    for (const state of this.tokens.values()) state.revoked = true;
  }

  /** Replies to the next `count` matching requests with `fault` instead of handling them. */
  failNext(fault: FakeFault, count = 1): void {
    for (let index = 0; index < count; index += 1) this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Template cards sent to a user, in their latest state, oldest first. */
  cardsFor(userId: string): FakeCardMessage[] {
    return this.messages.filter((message) => message.touser === userId);
  }

  message(taskId: string): FakeCardMessage | undefined {
    return this.messages.find((message) => message.taskId === taskId);
  }

  /** A new response code for a click on the task, as WeCom puts in the click's callback. */
  issueResponseCode(taskId: string): string {
    const code = `rc-${++this.counter}-${randomBytes(12).toString('hex')}`;
    this.codes.set(code, { taskId, issuedAt: this.now(), used: false });
    return code;
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const body = request.method === 'POST' ? await readJson(request) : {};
    this.requests.push({ path: url.pathname, body });
    const reply = (json: Record<string, unknown>) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    };
    const faultIndex = this.faults.findIndex((fault) => !fault.path || fault.path === url.pathname);
    if (faultIndex >= 0) {
      const [fault] = this.faults.splice(faultIndex, 1);
      if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault?.status) {
        response.writeHead(fault.status).end('fault');
        return;
      }
      if (fault?.errcode !== undefined) {
        reply({ errcode: fault.errcode, errmsg: `fault ${fault.errcode}` });
        return;
      }
    }
    if (this.ipBlocked) {
      reply({ errcode: 60020, errmsg: 'not allow to access from your ip, from ip: 127.0.0.1' });
      return;
    }
    if (url.pathname === '/cgi-bin/gettoken') return reply(this.getToken(url));
    const tokenError = this.checkToken(url.searchParams.get('access_token'));
    if (tokenError) return reply(tokenError);
    if (url.pathname === '/cgi-bin/message/send') return reply(this.send(body));
    if (url.pathname === '/cgi-bin/message/update_template_card') return reply(this.update(body));
    response.writeHead(404).end('not found');
  }

  private getToken(url: URL): Record<string, unknown> {
    if (url.searchParams.get('corpid') !== this.settings.corpId) {
      return { errcode: 40013, errmsg: 'invalid corpid' };
    }
    if (url.searchParams.get('corpsecret') !== this.settings.secret) {
      return { errcode: 40001, errmsg: 'invalid credential' };
    }
    this.tokensIssued += 1;
    const token = `token-${this.tokensIssued}-${randomBytes(8).toString('hex')}`;
    this.tokens.set(token, { expiresAt: this.now() + 2 * HOUR, revoked: false });
    return { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 };
  }

  private checkToken(token: string | null): Record<string, unknown> | undefined {
    if (!token) return { errcode: 41001, errmsg: 'access_token missing' };
    const state = this.tokens.get(token);
    if (!state || state.revoked) return { errcode: 40014, errmsg: 'invalid access_token' };
    if (state.expiresAt <= this.now()) return { errcode: 42001, errmsg: 'access_token expired' };
    return undefined;
  }

  private send(body: Record<string, unknown>): Record<string, unknown> {
    if (body.agentid !== this.settings.agentId)
      return { errcode: 40056, errmsg: 'invalid agentid' };
    if (body.msgtype !== 'template_card') return { errcode: 40008, errmsg: 'invalid message type' };
    const touser = String(body.touser ?? '');
    if (touser === '' || touser.includes('|'))
      return { errcode: 40058, errmsg: 'the fake takes one touser' };
    const card = body.template_card as Record<string, unknown>;
    try {
      checkTemplateCard(card);
    } catch (error) {
      return { errcode: 40058, errmsg: `invalid template_card: ${(error as Error).message}` };
    }

    const taskId = String(card.task_id ?? `notice-${this.counter + 1}`);
    if (card.task_id !== undefined) {
      if (this.taskIds.has(taskId)) {
        return { errcode: 42014, errmsg: 'taskid has existed or empty or exceed max len' };
      }
      this.taskIds.add(taskId);
    }

    // WeCom drops, without an error, what exceeds 30 messages a minute to one member.
    const times = (this.sendTimes.get(touser) ?? []).filter((at) => at > this.now() - 60_000);
    times.push(this.now());
    this.sendTimes.set(touser, times);
    const msgid = `msg-${++this.counter}`;
    this.messages.push({
      msgid,
      touser,
      taskId,
      templateCard: card,
      history: [card],
      dropped: times.length > 30,
    });

    const reply: Record<string, unknown> = { errcode: 0, errmsg: 'ok', invaliduser: '', msgid };
    if (INTERACTION_TYPES.has(String(card.card_type))) {
      reply.response_code = this.issueResponseCode(taskId);
    }
    return reply;
  }

  private update(body: Record<string, unknown>): Record<string, unknown> {
    if (body.agentid !== this.settings.agentId)
      return { errcode: 40056, errmsg: 'invalid agentid' };
    const code = this.codes.get(String(body.response_code ?? ''));
    if (!code || code.used || this.now() - code.issuedAt > 72 * HOUR) {
      return { errcode: SPENT_RESPONSE_CODE_ERRCODE, errmsg: 'invalid response_code' };
    }
    const message = this.message(code.taskId);
    if (!message) return { errcode: SPENT_RESPONSE_CODE_ERRCODE, errmsg: 'invalid response_code' };
    const card = body.template_card as Record<string, unknown> | undefined;
    if (!card) return { errcode: 40058, errmsg: 'the fake supports template_card updates only' };
    try {
      checkTemplateCard(card);
    } catch (error) {
      return { errcode: 40058, errmsg: `invalid template_card: ${(error as Error).message}` };
    }
    code.used = true;
    message.templateCard = card;
    message.history.push(card);
    return { errcode: 0, errmsg: 'ok', invaliduser: [] };
  }

  /**
   * Encrypts and signs `plaintext` as WeCom does and POSTs it to Pulse's callback URL.
   * `receiveId` and `signature` override the real values, to test rejections.
   */
  async postCallback(
    pulseUrl: string,
    plaintext: string,
    options: { receiveId?: string; signature?: string; timestamp?: number } = {},
  ): Promise<{ status: number; body: string }> {
    const { token, encodingAesKey, corpId, agentId } = this.settings;
    const ciphertext = encrypt(encodingAesKey, plaintext, options.receiveId ?? corpId);
    const timestamp = String(options.timestamp ?? Math.floor(this.now() / 1000));
    const nonce = String(1_000_000_000 + Math.floor(Math.random() * 1_000_000_000));
    const signature = options.signature ?? getSignature(token, timestamp, nonce, ciphertext);
    const query = new URLSearchParams({ msg_signature: signature, timestamp, nonce });
    const envelope = `<xml><ToUserName>${cdata(corpId)}</ToUserName><Encrypt>${cdata(ciphertext)}</Encrypt><AgentID>${cdata(String(agentId))}</AgentID></xml>`;
    const response = await fetch(`${pulseUrl}/webhooks/wecom?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: envelope,
    });
    return { status: response.status, body: await response.text() };
  }

  /** Builds the plaintext XML of a template_card_event, as WeCom sends it for a click. */
  clickXml(click: {
    userId: string;
    taskId: string;
    eventKey: string;
    responseCode: string;
    cardType: string;
    selected?: Record<string, string>;
    createTime?: number;
  }): string {
    const selected = Object.entries(click.selected ?? {})
      .map(
        ([question, option]) =>
          `<SelectedItem><QuestionKey>${cdata(question)}</QuestionKey><OptionIds><OptionId>${cdata(option)}</OptionId></OptionIds></SelectedItem>`,
      )
      .join('');
    return [
      '<xml>',
      `<ToUserName>${cdata(this.settings.corpId)}</ToUserName>`,
      `<FromUserName>${cdata(click.userId)}</FromUserName>`,
      `<CreateTime>${click.createTime ?? Math.floor(this.now() / 1000)}</CreateTime>`,
      `<MsgType>${cdata('event')}</MsgType>`,
      `<Event>${cdata('template_card_event')}</Event>`,
      `<EventKey>${cdata(click.eventKey)}</EventKey>`,
      `<TaskId>${cdata(click.taskId)}</TaskId>`,
      `<CardType>${cdata(click.cardType)}</CardType>`,
      `<ResponseCode>${cdata(click.responseCode)}</ResponseCode>`,
      `<AgentID>${this.settings.agentId}</AgentID>`,
      selected ? `<SelectedItems>${selected}</SelectedItems>` : '',
      '</xml>',
    ].join('');
  }

  /** Builds the plaintext XML of an app event such as enter_agent. */
  eventXml(userId: string, event: string, createTime = Math.floor(this.now() / 1000)): string {
    return `<xml><ToUserName>${cdata(this.settings.corpId)}</ToUserName><FromUserName>${cdata(userId)}</FromUserName><CreateTime>${createTime}</CreateTime><MsgType>${cdata('event')}</MsgType><Event>${cdata(event)}</Event><EventKey>${cdata('')}</EventKey><AgentID>${this.settings.agentId}</AgentID></xml>`;
  }

  /** Builds the plaintext XML of a text message from a member to the app. */
  textXml(userId: string, content: string, msgId: string): string {
    return `<xml><ToUserName>${cdata(this.settings.corpId)}</ToUserName><FromUserName>${cdata(userId)}</FromUserName><CreateTime>${Math.floor(this.now() / 1000)}</CreateTime><MsgType>${cdata('text')}</MsgType><Content>${cdata(content)}</Content><MsgId>${msgId}</MsgId><AgentID>${this.settings.agentId}</AgentID></xml>`;
  }
}
