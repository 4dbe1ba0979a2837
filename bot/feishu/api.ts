import { setTimeout as sleep } from 'node:timers/promises';
import { AppType, Client, LoggerLevel, withTenantToken } from '@larksuiteoapi/node-sdk';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { FeishuCardJson } from './card.js';
import { errorFromCode, FeishuApiError, TOKEN_INVALID_CODES, toFeishuApiError } from './errors.js';
import { fetchHttpInstance } from './http.js';
import { type Limit, RateLimiter } from './rate-limit.js';
import { TenantTokenCache } from './tenant-token.js';

export type ReceiveIdType = 'open_id' | 'user_id' | 'chat_id';

export interface FeishuApiOptions {
  appId: string;
  appSecret: string;
  apiBase: string;
  clock: Clock;
  log: Logger;
  limiter?: RateLimiter;
  /** Maximum wait for a local rate-limit slot inside a call; longer waits defer the message. */
  maxLocalWaitMs?: number;
}

/**
 * Added to every local window: Feishu counts calls when they arrive, Pulse when they start, so
 * the local window is a little longer than the platform's to absorb differences in latency.
 */
const WINDOW_MARGIN_MS = 150;

/** Feishu's documented limits: per app 50 calls a second and 1000 a minute for each API. */
const appLimits = (api: string): Limit[] => [
  { key: `${api}:app:second`, max: 50, windowMs: 1000 + WINDOW_MARGIN_MS },
  { key: `${api}:app:minute`, max: 1000, windowMs: 60_000 + WINDOW_MARGIN_MS },
];

/** Feishu's limit of 5 calls a second per receiving user or chat, and per patched message. */
const perTargetLimit = (key: string): Limit => ({
  key,
  max: 5,
  windowMs: 1000 + WINDOW_MARGIN_MS,
});

interface ApiBody {
  code?: number;
  msg?: string;
  data?: Record<string, unknown>;
}

/** Logger for the SDK. Its own error lines repeat what Pulse logs with ids, so they go to debug. */
function sdkLogger(log: Logger) {
  const describe = (value: unknown): string => {
    if (Array.isArray(value)) return value.map(describe).join('; ');
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    if (typeof value === 'string') return value;
    return typeof value;
  };
  const at =
    (level: 'debug' | 'trace') =>
    (...args: unknown[]) =>
      log[level]({ sdk: describe(args) }, 'Feishu SDK message');
  return {
    error: at('debug'),
    warn: at('debug'),
    info: at('debug'),
    debug: at('trace'),
    trace: at('trace'),
  };
}

/**
 * The Feishu open platform API as Pulse uses it: send, patch and delayed-update cards. Calls go
 * through the official SDK client. This class adds what the SDK leaves out: one shared token
 * fetch for concurrent calls, a refresh when Feishu rejects the token, request timeouts and
 * local rate limits. Its errors tell the outbox sender whether to retry, wait or give up.
 */
export class FeishuApi {
  private readonly client: Client;
  private readonly tokens: TenantTokenCache;
  private readonly limiter: RateLimiter;
  private readonly maxLocalWaitMs: number;

  constructor(private readonly options: FeishuApiOptions) {
    this.client = new Client({
      appId: options.appId,
      appSecret: options.appSecret,
      domain: options.apiBase.replace(/\/+$/, ''),
      appType: AppType.SelfBuild,
      // Pulse keeps the token itself, see TenantTokenCache; the SDK cache fetches once per caller.
      disableTokenCache: true,
      httpInstance: fetchHttpInstance,
      logger: sdkLogger(options.log),
      loggerLevel: LoggerLevel.warn,
    });
    this.tokens = new TenantTokenCache(() => this.fetchTenantToken(), options.clock, options.log);
    this.limiter = options.limiter ?? new RateLimiter();
    // Long enough to wait out a per-second window in process; minute windows defer instead.
    this.maxLocalWaitMs = options.maxLocalWaitMs ?? 1500;
  }

  /** Sends a card; `uuid` makes Feishu deliver one message per uuid within an hour. */
  async sendCard(
    to: { type: ReceiveIdType; id: string },
    card: FeishuCardJson,
    uuid: string,
  ): Promise<{ messageId: string; chatId: string | undefined }> {
    const body = await this.call(
      'send message',
      [...appLimits('send'), perTargetLimit(`send:${to.type}:${to.id}`)],
      (token) =>
        this.client.im.message.create(
          {
            params: { receive_id_type: to.type },
            data: {
              receive_id: to.id,
              msg_type: 'interactive',
              content: JSON.stringify(card),
              uuid,
            },
          },
          withTenantToken(token),
        ),
    );
    const messageId = body.data?.message_id;
    if (typeof messageId !== 'string') {
      throw new FeishuApiError('feishu_error', 'Feishu send message returned no message_id.', {
        retryable: true,
      });
    }
    const chatId = body.data?.chat_id;
    return { messageId, chatId: typeof chatId === 'string' ? chatId : undefined };
  }

  /** Replaces the card of a message sent by this app within the last 14 days. */
  async patchCard(messageId: string, card: FeishuCardJson): Promise<void> {
    await this.call(
      'patch message',
      [...appLimits('patch'), perTargetLimit(`patch:message:${messageId}`)],
      (token) =>
        this.client.im.message.patch(
          { path: { message_id: messageId }, data: { content: JSON.stringify(card) } },
          withTenantToken(token),
        ),
    );
  }

  /**
   * Replaces a clicked card through the update token of its callback. Feishu accepts it only
   * after Pulse responded to the callback, within 30 minutes and twice per token.
   */
  async updateWithToken(updateToken: string, card: FeishuCardJson): Promise<void> {
    // The SDK has no typed method for this endpoint, so it goes through the raw request.
    await this.call('delayed card update', appLimits('card-update'), (token) =>
      this.client.request(
        {
          method: 'POST',
          url: '/open-apis/interactive/v1/card/update',
          data: { token: updateToken, card },
        },
        withTenantToken(token),
      ),
    );
  }

  private async fetchTenantToken() {
    let body: ApiBody & { tenant_access_token?: unknown; expire?: unknown };
    try {
      // The token fields are at the top level of this response, not under `data`.
      body = (await this.client.auth.tenantAccessToken.internal({
        data: { app_id: this.options.appId, app_secret: this.options.appSecret },
      })) as typeof body;
    } catch (error) {
      throw toFeishuApiError('tenant token request', error);
    }
    if (body.code !== 0 || typeof body.tenant_access_token !== 'string') {
      throw errorFromCode('tenant token request', body.code ?? -1, body.msg ?? 'no token returned');
    }
    const expire = typeof body.expire === 'number' && body.expire > 0 ? body.expire : 7200;
    return { token: body.tenant_access_token, expireSeconds: expire };
  }

  /** Waits briefly for a local rate-limit slot, or defers the message when the wait is long. */
  private async takeSlot(operation: string, limits: Limit[]): Promise<void> {
    for (;;) {
      const waitMs = this.limiter.reserve(limits);
      if (waitMs === 0) return;
      if (waitMs > this.maxLocalWaitMs) {
        this.options.log.info(
          { operation, waitMs },
          'Feishu rate limit reached locally; deferring',
        );
        throw new FeishuApiError(
          'rate_limited',
          `Feishu ${operation} would exceed the rate limit; retrying in ${waitMs} ms.`,
          { retryable: true, retryAfterMs: waitMs },
        );
      }
      await sleep(waitMs);
    }
  }

  /**
   * Runs one API call with a tenant token. A body with `code != 0` becomes an error; a refused
   * token is dropped and the call repeated once with a fresh one.
   */
  private async call(
    operation: string,
    limits: Limit[],
    request: (token: string) => Promise<unknown>,
  ): Promise<ApiBody> {
    await this.takeSlot(operation, limits);
    for (let attempt = 1; ; attempt++) {
      const token = await this.tokens.get();
      let failure: FeishuApiError;
      try {
        const body = (await request(token)) as ApiBody;
        if (body.code === 0 || body.code === undefined) return body;
        failure = errorFromCode(operation, body.code, body.msg ?? '');
      } catch (error) {
        failure = toFeishuApiError(operation, error);
      }
      if (
        attempt === 1 &&
        failure.feishuCode !== undefined &&
        TOKEN_INVALID_CODES.has(failure.feishuCode)
      ) {
        this.tokens.invalidate(token);
        continue;
      }
      throw failure;
    }
  }
}
