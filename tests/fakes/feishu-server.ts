import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cardButtons, cardProblem } from './feishu-cards.js';

/**
 * A local stand-in for the Feishu open platform, speaking its documented wire format on
 * 127.0.0.1: tenant tokens, sending, patching and delayed updates of cards, uuid
 * de-duplication, rate limits and token expiry. It also plays the Feishu client: it builds
 * signed (and encrypted) events and card callbacks and posts them to Pulse, and applies the
 * card a callback response carries.
 */

export interface FakeFeishuOptions {
  appId?: string;
  appSecret?: string;
  verificationToken?: string;
  /** Unset to play an app without an Encrypt Key: plaintext, unsigned requests. */
  encryptKey?: string | undefined;
  /** Lifetime of tenant tokens in seconds; Feishu's is 7200. */
  tokenLifetimeSeconds?: number;
}

export type FakeRoute = 'token' | 'send' | 'patch' | 'update';

export interface ScriptedResponse {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface FakeMessage {
  messageId: string;
  receiveIdType: string;
  receiveId: string;
  chatId: string;
  uuid: string | undefined;
  /** The card as shown to the recipient now, after patches, updates and callback responses. */
  card: Record<string, unknown>;
  createdAt: number;
  /** How the card changed after it was sent, in order. */
  changes: ('patch' | 'token' | 'response')[];
}

interface CallbackToken {
  messageId: string;
  issuedAt: number;
  uses: number;
  responded: boolean;
  expired: boolean;
}

export interface RequestOptions {
  /** Encrypt the body into {"encrypt": ...}; default: when the app has an Encrypt Key. */
  encrypt?: boolean;
  /** Add the X-Lark-Signature headers; default: when the app has an Encrypt Key. */
  sign?: boolean;
  /** Unix seconds for X-Lark-Request-Timestamp; default now. */
  timestamp?: number;
  /** Changes the body after it was signed, to play a tampered request. */
  tamper?: (body: string) => string;
}

export interface ClickInput {
  messageId: string;
  operator: { open_id: string; user_id?: string };
  actionId: string;
  values?: Record<string, string>;
  eventId?: string;
}

export interface ClickResponse {
  status: number;
  eventId: string;
  /** The X-Pulse-Outcome header: ok, pending or a rejection code. */
  outcome: string | null;
  toast: { type?: string; content?: string } | undefined;
  /** The card the response carried, already applied to the message. */
  card: Record<string, unknown> | undefined;
}

const DAY_MS = 24 * 3_600_000;
const UUID_WINDOW_MS = 3_600_000;
const UPDATE_TOKEN_LIFETIME_MS = 30 * 60_000;

function randomId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

export class FakeFeishu {
  readonly appId: string;
  readonly appSecret: string;
  readonly verificationToken: string;
  readonly encryptKey: string | undefined;
  url = '';
  /** Requests to the token endpoint. */
  tokenRequests = 0;
  /** Every tenant access token issued, for tests that check no token reaches a log. */
  readonly issuedTokens: string[] = [];
  readonly messages = new Map<string, FakeMessage>();
  /** Every API call and the code it got, in order. */
  readonly calls: { route: FakeRoute; status: number; code: number }[] = [];
  /**
   * Calls that broke a platform rule: a delayed update sent before the response to its callback
   * (Feishu drops or reverts it), or a patch of a card whose callback has no response yet.
   */
  readonly violations: string[] = [];

  private readonly tokenLifetimeMs: number;
  private readonly server: Server;
  private readonly tenantTokens = new Map<string, number>();
  private readonly uuids = new Map<string, { messageId: string; at: number }>();
  private readonly callbackTokens = new Map<string, CallbackToken>();
  private readonly scripted = new Map<FakeRoute, ScriptedResponse[]>();
  private readonly recent = new Map<string, number[]>();

  constructor(options: FakeFeishuOptions = {}) {
    this.appId = options.appId ?? 'cli_fake_app';
    this.appSecret = options.appSecret ?? 'fake-app-secret';
    this.verificationToken = options.verificationToken ?? 'fake-verification-token';
    this.encryptKey = 'encryptKey' in options ? options.encryptKey : 'fake-encrypt-key';
    this.tokenLifetimeMs = (options.tokenLifetimeSeconds ?? 7200) * 1000;
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ code: 500, msg: String(error) }));
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Returns `response` for the next `times` calls of a route instead of handling them. */
  failNext(route: FakeRoute, response: ScriptedResponse, times = 1): void {
    const queue = this.scripted.get(route) ?? [];
    for (let i = 0; i < times; i++) queue.push(response);
    this.scripted.set(route, queue);
  }

  /** Makes every tenant token issued so far invalid, as after their expiry. */
  expireTenantTokens(): void {
    this.tenantTokens.clear();
  }

  /** Makes every callback update token issued so far expired. */
  expireCallbackTokens(): void {
    for (const token of this.callbackTokens.values()) token.expired = true;
  }

  /**
   * Issues a callback update token for a message as a click would, for tests that drive the
   * channel without a callback. `responded` sets whether the callback counts as responded to.
   */
  issueCallbackToken(messageId: string, responded = true): string {
    const token = randomId('c-');
    this.callbackTokens.set(token, {
      messageId,
      issuedAt: Date.now(),
      uses: 0,
      responded,
      expired: false,
    });
    return token;
  }

  /** Moves a message's send time `days` into the past. */
  ageMessage(messageId: string, days: number): void {
    const message = this.messages.get(messageId);
    if (message) message.createdAt -= days * DAY_MS;
  }

  /** Messages to an open id, user id or chat id, oldest first. */
  messagesTo(receiveId: string): FakeMessage[] {
    return [...this.messages.values()]
      .filter((message) => message.receiveId === receiveId)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  callCount(route: FakeRoute, code?: number): number {
    return this.calls.filter(
      (call) => call.route === route && (code === undefined || call.code === code),
    ).length;
  }

  // ---- Requests from Feishu to Pulse ----

  /** A v2.0 envelope as Feishu pushes events and callbacks. */
  envelope(
    eventType: string,
    event: Record<string, unknown>,
    options: { eventId?: string; token?: string } = {},
  ): Record<string, unknown> {
    return {
      schema: '2.0',
      header: {
        event_id: options.eventId ?? randomId('ev_'),
        event_type: eventType,
        create_time: String(Date.now() * 1000),
        token: options.token ?? this.verificationToken,
        app_id: this.appId,
        tenant_key: 'fake-tenant',
      },
      event,
    };
  }

  /** Encrypts a plaintext the way Feishu does: AES-256-CBC, SHA-256 of the key, random IV. */
  encrypt(plaintext: string, key = this.encryptKey ?? ''): string {
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-256-cbc', createHash('sha256').update(key).digest(), iv);
    return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
  }

  /** Builds the body and headers of a request to Pulse, signed and encrypted as configured. */
  buildRequest(
    payload: Record<string, unknown>,
    options: RequestOptions = {},
  ): { headers: Record<string, string>; body: string } {
    const encrypt = options.encrypt ?? Boolean(this.encryptKey);
    const sign = options.sign ?? Boolean(this.encryptKey);
    const json = JSON.stringify(payload);
    let body = encrypt ? JSON.stringify({ encrypt: this.encrypt(json) }) : json;
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (sign) {
      const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
      const nonce = randomBytes(8).toString('hex');
      headers['x-lark-request-timestamp'] = timestamp;
      headers['x-lark-request-nonce'] = nonce;
      headers['x-lark-signature'] = createHash('sha256')
        .update(timestamp + nonce + (this.encryptKey ?? ''))
        .update(body)
        .digest('hex');
    }
    if (options.tamper) body = options.tamper(body);
    return { headers, body };
  }

  /** Posts a payload to Pulse's Feishu webhook. */
  async post(
    pulseUrl: string,
    payload: Record<string, unknown>,
    options: RequestOptions = {},
  ): Promise<Response> {
    const { headers, body } = this.buildRequest(payload, options);
    return fetch(`${pulseUrl}/webhooks/feishu`, { method: 'POST', headers, body });
  }

  /**
   * Clicks a button of a message as `operator`, the way the Feishu client does. It posts a
   * signed card.action.trigger callback with a fresh update token, and the form's values when
   * the button submits a form. The card in the response is applied to the message.
   */
  async click(pulseUrl: string, input: ClickInput): Promise<ClickResponse> {
    const message = this.messages.get(input.messageId);
    if (!message) throw new Error(`fake Feishu has no message ${input.messageId}`);
    const found = cardButtons(message.card).find((b) => b.value.action === input.actionId);
    if (!found) throw new Error(`message ${input.messageId} has no ${input.actionId} button`);

    const token = this.issueCallbackToken(message.messageId, false);
    const action: Record<string, unknown> = { tag: 'button', value: found.value };
    if (found.submits) {
      action.name = found.button.name;
      action.form_value = { ...(input.values ?? {}) };
      action.timezone = 'Asia/Shanghai';
    }
    const eventId = input.eventId ?? randomId('ev_');
    const payload = this.envelope(
      'card.action.trigger',
      {
        operator: {
          tenant_key: 'fake-tenant',
          union_id: `on_${input.operator.open_id}`,
          ...input.operator,
        },
        token,
        action,
        host: 'im_message',
        context: { open_message_id: message.messageId, open_chat_id: message.chatId },
      },
      { eventId },
    );
    const response = await this.post(pulseUrl, payload);
    const text = await response.text();
    const callback = this.callbackTokens.get(token);
    if (callback) callback.responded = true;

    let body: {
      toast?: ClickResponse['toast'];
      card?: { type?: string; data?: Record<string, unknown> };
    } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // The client shows a non-JSON response as an error, and the status is returned as it is.
    }

    const card = response.status === 200 && body.card?.type === 'raw' ? body.card.data : undefined;
    if (card) {
      const problem = cardProblem(card);
      if (problem) throw new Error(`callback response carries an invalid card: ${problem}`);
      message.card = card;
      message.changes.push('response');
    }
    return {
      status: response.status,
      eventId,
      outcome: response.headers.get('x-pulse-outcome'),
      toast: body.toast,
      card,
    };
  }

  // ---- The open platform API ----

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    const raw = await new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const path = url.pathname;
    let route: FakeRoute | undefined;
    if (request.method === 'POST' && path === '/open-apis/auth/v3/tenant_access_token/internal') {
      route = 'token';
    } else if (request.method === 'POST' && path === '/open-apis/im/v1/messages') {
      route = 'send';
    } else if (request.method === 'PATCH' && path.startsWith('/open-apis/im/v1/messages/')) {
      route = 'patch';
    } else if (request.method === 'POST' && path === '/open-apis/interactive/v1/card/update') {
      route = 'update';
    }
    if (!route) {
      this.reply(response, undefined, { status: 404, body: { code: 404, msg: 'not found' } });
      return;
    }
    const scripted = this.scripted.get(route)?.shift();
    if (scripted) {
      this.reply(response, route, scripted);
      return;
    }
    if (route === 'token') {
      this.reply(response, route, this.issueToken(body));
      return;
    }
    const auth = this.checkAuth(request);
    if (auth) {
      this.reply(response, route, auth);
      return;
    }
    if (route === 'send') this.reply(response, route, this.send(url, body));
    else if (route === 'patch') {
      this.reply(
        response,
        route,
        this.patch(decodeURIComponent(path.split('/').pop() ?? ''), body),
      );
    } else this.reply(response, route, this.delayedUpdate(body));
  }

  private reply(response: ServerResponse, route: FakeRoute | undefined, result: ScriptedResponse) {
    if (route) {
      this.calls.push({ route, status: result.status, code: Number(result.body.code ?? 0) });
    }
    response.writeHead(result.status, { 'content-type': 'application/json', ...result.headers });
    response.end(JSON.stringify(result.body));
  }

  private error(status: number, code: number, msg: string, headers?: Record<string, string>) {
    return { status, body: { code, msg }, ...(headers ? { headers } : {}) };
  }

  private issueToken(body: Record<string, unknown>): ScriptedResponse {
    this.tokenRequests += 1;
    if (body.app_id !== this.appId) return this.error(400, 10003, 'invalid param app_id');
    if (body.app_secret !== this.appSecret) return this.error(400, 10015, 'app secret invalid');
    const now = Date.now();
    // Feishu returns the current token while 30 minutes or more of it remain.
    for (const [token, expiresAt] of this.tenantTokens) {
      if (expiresAt - now >= 30 * 60_000) {
        const expire = Math.floor((expiresAt - now) / 1000);
        return { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: token, expire } };
      }
    }
    const token = randomId('t-');
    this.issuedTokens.push(token);
    this.tenantTokens.set(token, now + this.tokenLifetimeMs);
    const expire = this.tokenLifetimeMs / 1000;
    return { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: token, expire } };
  }

  private checkAuth(request: IncomingMessage): ScriptedResponse | undefined {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!token) return this.error(400, 99991661, 'Missing access token for authorization');
    const expiresAt = this.tenantTokens.get(token);
    if (expiresAt === undefined || expiresAt <= Date.now()) {
      return this.error(400, 99991663, 'Invalid access token for authorization');
    }
    return undefined;
  }

  /** Records a call under `key` and returns whether `max` calls already fell within `windowMs`. */
  private overLimit(key: string, max: number, windowMs: number): boolean {
    const now = Date.now();
    const list = (this.recent.get(key) ?? []).filter((time) => time > now - windowMs);
    const over = list.length >= max;
    if (!over) list.push(now);
    this.recent.set(key, list);
    return over;
  }

  private appLimited(api: string): ScriptedResponse | undefined {
    if (this.overLimit(`${api}:app`, 50, 1000)) {
      return this.error(429, 99991400, 'request trigger frequency limit', {
        'x-ogw-ratelimit-limit': '50',
        'x-ogw-ratelimit-reset': '1',
      });
    }
    return undefined;
  }

  private readCard(content: unknown): {
    card?: Record<string, unknown>;
    problem?: ScriptedResponse;
  } {
    if (typeof content !== 'string')
      return { problem: this.error(400, 230001, 'content must be a string') };
    let card: unknown;
    try {
      card = JSON.parse(content);
    } catch {
      return {
        problem: this.error(400, 230099, 'Failed to create card content, ext=ErrCode: 200621'),
      };
    }
    const problem = cardProblem(card);
    if (problem)
      return { problem: this.error(400, 230099, `Failed to create card content: ${problem}`) };
    return { card: card as Record<string, unknown> };
  }

  private send(url: URL, body: Record<string, unknown>): ScriptedResponse {
    const type = url.searchParams.get('receive_id_type') ?? '';
    if (!['open_id', 'user_id', 'union_id', 'email', 'chat_id'].includes(type)) {
      return this.error(400, 230001, 'invalid receive_id_type');
    }
    const receiveId = body.receive_id;
    if (typeof receiveId !== 'string' || receiveId === '') {
      return this.error(400, 230001, 'receive_id is required');
    }
    if (body.msg_type !== 'interactive') return this.error(400, 230001, 'fake accepts cards only');

    // A uuid seen within the hour returns the message sent with it, without a new one.
    const uuid = typeof body.uuid === 'string' ? body.uuid : undefined;
    if (uuid && uuid.length > 50) return this.error(400, 230001, 'uuid is longer than 50');
    const now = Date.now();
    const earlier = uuid ? this.uuids.get(uuid) : undefined;
    if (earlier && now - earlier.at < UUID_WINDOW_MS) {
      return this.sent(this.messages.get(earlier.messageId) as FakeMessage);
    }

    const limited = this.appLimited('send');
    if (limited) return limited;
    if (this.overLimit(`send:${receiveId}`, 5, 1000)) {
      return this.error(400, 230020, 'This operation triggers the frequency limit');
    }
    const { card, problem } = this.readCard(body.content);
    if (problem || !card) return problem as ScriptedResponse;

    const message: FakeMessage = {
      messageId: randomId('om_'),
      receiveIdType: type,
      receiveId,
      chatId:
        type === 'chat_id'
          ? receiveId
          : `oc_${createHash('sha256').update(receiveId).digest('hex').slice(0, 24)}`,
      uuid,
      card,
      createdAt: now,
      changes: [],
    };
    this.messages.set(message.messageId, message);
    if (uuid) this.uuids.set(uuid, { messageId: message.messageId, at: now });
    return this.sent(message);
  }

  private sent(message: FakeMessage): ScriptedResponse {
    return {
      status: 200,
      body: {
        code: 0,
        msg: 'success',
        data: {
          message_id: message.messageId,
          chat_id: message.chatId,
          msg_type: 'interactive',
          create_time: String(message.createdAt),
        },
      },
    };
  }

  private callbackAwaitingResponse(messageId: string): boolean {
    return [...this.callbackTokens.values()].some(
      (token) => token.messageId === messageId && !token.responded,
    );
  }

  private patch(messageId: string, body: Record<string, unknown>): ScriptedResponse {
    const message = this.messages.get(messageId);
    if (!message) return this.error(400, 230001, `message ${messageId} not found`);
    if (Date.now() - message.createdAt > 14 * DAY_MS) {
      return this.error(400, 230031, 'The message has been sent for more than 14 days');
    }
    const limited = this.appLimited('patch');
    if (limited) return limited;
    if (this.overLimit(`patch:${messageId}`, 5, 1000)) {
      return this.error(400, 230020, 'This operation triggers the frequency limit');
    }
    const { card, problem } = this.readCard(body.content);
    if (problem || !card) return problem as ScriptedResponse;
    if (this.callbackAwaitingResponse(messageId)) {
      this.violations.push(`patch of ${messageId} while its card callback awaited the response`);
    }
    message.card = card;
    message.changes.push('patch');
    return { status: 200, body: { code: 0, msg: 'success', data: {} } };
  }

  private delayedUpdate(body: Record<string, unknown>): ScriptedResponse {
    const token = typeof body.token === 'string' ? this.callbackTokens.get(body.token) : undefined;
    if (!token) return this.error(400, 300020, 'token is invalid');
    if (token.expired || Date.now() - token.issuedAt > UPDATE_TOKEN_LIFETIME_MS) {
      return this.error(400, 300030, 'token is expired');
    }
    if (token.uses >= 2) return this.error(400, 300040, 'token has been used more than twice');
    if (!token.responded) {
      this.violations.push(
        `delayed update of ${token.messageId} before the response to its callback`,
      );
      return this.error(400, 300100, 'fake: update arrived before the callback response');
    }
    const limited = this.appLimited('update');
    if (limited) return limited;
    const problem = cardProblem(body.card);
    if (problem) return this.error(400, 11311, `card is invalid: ${problem}`);
    const message = this.messages.get(token.messageId) as FakeMessage;
    token.uses += 1;
    message.card = body.card as Record<string, unknown>;
    message.changes.push('token');
    return { status: 200, body: { code: 0, msg: 'success' } };
  }
}
