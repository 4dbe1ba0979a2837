import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { ChannelError } from '../channel.js';

/** Pulse fetches a new token this long before the old one expires. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** How long to wait after WeCom reports a frequency limit (its minute bans last 60 s). */
const RATE_LIMIT_PAUSE_MS = 60_000;

/** errcodes of a token that WeCom no longer accepts; the call is retried once with a new one. */
const TOKEN_ERRCODES = new Set([40014, 42001]);

/** errcodes that retrying cannot fix, with what the operator has to change. */
const CONFIGURATION_ERRCODES: Record<number, string> = {
  40001: 'WeCom rejected WECOM_SECRET; copy the Secret of this self-built app again',
  40013: 'WeCom rejected WECOM_CORP_ID; use the CorpID from My Company > Company Info',
  40091: 'WeCom rejected WECOM_SECRET; it may belong to another company or app',
  43012: 'the WeCom app has no callback URL; set it under Receive Messages > Set API Receive',
  48002: 'the WeCom app may not call this API; check the app permissions',
  50003: 'the WeCom app is disabled; enable it in the admin console',
  60020:
    "WeCom rejected this server's IP address; add the egress IP to the app's trusted IPs (企业可信IP)",
};

export interface WecomReply {
  errcode: number;
  errmsg: string;
  [field: string]: unknown;
}

export interface WecomApiOptions {
  corpId: string;
  secret: string;
  apiBase: string;
  clock: Clock;
  log: Logger;
  /** Timeout of one HTTP request in milliseconds. */
  timeoutMs?: number;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

/**
 * A client of the WeCom server API for one app. It keeps one access token, fetches a new one
 * with a single request however many calls wait for it, and retries a call once when WeCom
 * reports the token invalid or expired.
 */
export class WecomApi {
  private token: CachedToken | undefined;
  private pending: Promise<CachedToken> | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly options: WecomApiOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * POSTs a JSON body to `path` with the access token and returns the reply when errcode is 0.
   * Throws ChannelError: retryable for timeouts, 5xx and WeCom's busy and frequency errcodes,
   * with code `rate_limited` for the latter; not retryable for configuration and other errcodes.
   */
  async post(path: string, body: unknown): Promise<WecomReply> {
    let token = await this.accessToken();
    let reply = await this.request('POST', path, token.value, body);
    if (TOKEN_ERRCODES.has(reply.errcode)) {
      this.options.log.info({ path, errcode: reply.errcode }, 'access token rejected; refreshing');
      this.forget(token);
      token = await this.accessToken();
      reply = await this.request('POST', path, token.value, body);
    }
    if (reply.errcode !== 0) throw errorOf(path, reply);
    return reply;
  }

  /** Returns the cached token or fetches a new one; concurrent callers share one request. */
  private async accessToken(): Promise<CachedToken> {
    const now = this.options.clock.now().getTime();
    if (this.token && this.token.expiresAt - TOKEN_REFRESH_MARGIN_MS > now) return this.token;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchToken(): Promise<CachedToken> {
    const { corpId, secret, log, clock } = this.options;
    log.info('fetching a WeCom access token');
    const query = new URLSearchParams({ corpid: corpId, corpsecret: secret });
    const reply = await this.request('GET', `/cgi-bin/gettoken?${query}`, undefined, undefined);
    if (reply.errcode !== 0) throw errorOf('/cgi-bin/gettoken', reply);
    const value = reply.access_token;
    const expiresIn = Number(reply.expires_in);
    if (typeof value !== 'string' || value === '' || !Number.isFinite(expiresIn)) {
      throw new ChannelError('wecom_bad_reply', 'WeCom gettoken returned no access_token.', {
        retryable: true,
      });
    }
    this.token = { value, expiresAt: clock.now().getTime() + expiresIn * 1000 };
    log.info({ expiresIn }, 'WeCom access token fetched');
    return this.token;
  }

  /** Drops `token` from the cache unless another call already replaced it. */
  private forget(token: CachedToken): void {
    if (this.token === token) this.token = undefined;
  }

  private async request(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    token: string | undefined,
    body: unknown,
  ): Promise<WecomReply> {
    const url = new URL(pathAndQuery, this.options.apiBase);
    if (token) url.searchParams.set('access_token', token);
    const path = url.pathname;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      // The error of a failed fetch names the URL, which contains the token, so only its kind is kept.
      throw new ChannelError(
        timedOut ? 'wecom_timeout' : 'wecom_unreachable',
        timedOut
          ? `WeCom ${path} did not answer within ${this.timeoutMs} ms.`
          : `WeCom ${path} could not be reached: ${(error as Error).name}.`,
        { retryable: true },
      );
    }
    if (response.status === 429) {
      throw new ChannelError('rate_limited', `WeCom ${path} returned HTTP 429.`, {
        retryable: true,
        retryAfterMs: RATE_LIMIT_PAUSE_MS,
      });
    }
    if (response.status >= 500) {
      throw new ChannelError(
        'wecom_unavailable',
        `WeCom ${path} returned HTTP ${response.status}.`,
        {
          retryable: true,
        },
      );
    }
    if (response.status !== 200) {
      throw new ChannelError(
        'wecom_http_error',
        `WeCom ${path} returned HTTP ${response.status}.`,
        {
          retryable: false,
        },
      );
    }
    let reply: unknown;
    try {
      reply = await response.json();
    } catch {
      throw new ChannelError('wecom_bad_reply', `WeCom ${path} returned a body that is not JSON.`, {
        retryable: true,
      });
    }
    if (
      typeof reply !== 'object' ||
      reply === null ||
      typeof (reply as WecomReply).errcode !== 'number'
    ) {
      throw new ChannelError('wecom_bad_reply', `WeCom ${path} returned JSON without errcode.`, {
        retryable: true,
      });
    }
    return reply as WecomReply;
  }
}

/**
 * Maps a reply with a non-zero errcode to a ChannelError with code `wecom_configuration`,
 * `rate_limited` or `wecom_<errcode>`.
 */
function errorOf(path: string, reply: WecomReply): ChannelError {
  const { errcode } = reply;
  // errmsg can end with a hint and the caller's IP; the first clause is enough for a log.
  const errmsg = String(reply.errmsg ?? '').split(',')[0];
  const configuration = CONFIGURATION_ERRCODES[errcode];
  if (configuration) {
    return new ChannelError('wecom_configuration', `${configuration} (WeCom errcode ${errcode}).`, {
      retryable: false,
    });
  }
  if (errcode === 45009 || errcode === 45033) {
    return new ChannelError(
      'rate_limited',
      `WeCom ${path} hit a frequency limit (errcode ${errcode}).`,
      {
        retryable: true,
        retryAfterMs: RATE_LIMIT_PAUSE_MS,
      },
    );
  }
  const retryable = errcode === -1 || TOKEN_ERRCODES.has(errcode);
  return new ChannelError(
    `wecom_${errcode}`,
    `WeCom ${path} failed with errcode ${errcode}: ${errmsg}.`,
    { retryable },
  );
}
