import { fetchJson, OAuthError } from './errors.js';

/** WeCom's OAuth page, opened by the user's browser and never called by the server. */
const AUTHORIZE_URL = 'https://open.weixin.qq.com/connect/oauth2/authorize';
/** Errors after which the cached access token is dropped and the call made once more. */
const TOKEN_ERRORS = new Set([40014, 42001]);
/** Errors of a code that is invalid, used or expired. */
const CODE_ERRORS = new Set([40029, 42022]);
/** Refresh this long before WeCom's stated expiry. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export interface WecomOAuthConfig {
  corpId: string;
  agentId: number;
  secret: string;
  apiBase: string;
}

/**
 * WeCom web sign-in with scope snsapi_base: the authorize URL, and the member id of a code
 * (GET /cgi-bin/auth/getuserinfo with the app's access token).
 */
export class WecomOAuth {
  private token: { value: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly config: WecomOAuthConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** The URL to send the user to; WeCom returns to `redirectUri` with code and state. */
  authorizeUrl(redirectUri: string, state: string): string {
    const query = new URLSearchParams({
      appid: this.config.corpId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'snsapi_base',
      state,
      agentid: String(this.config.agentId),
    });
    return `${AUTHORIZE_URL}?${query.toString()}#wechat_redirect`;
  }

  /** Returns the WeCom user id of the member a code belongs to. */
  async userIdForCode(code: string): Promise<string> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await this.accessToken();
      const query = new URLSearchParams({ access_token: token, code });
      const body = await fetchJson(
        `${this.config.apiBase}/cgi-bin/auth/getuserinfo?${query.toString()}`,
        { method: 'GET' },
        'WeCom',
      );
      const errcode = Number(body.errcode ?? 0);
      if (TOKEN_ERRORS.has(errcode) && attempt === 0) {
        this.token = undefined;
        continue;
      }
      if (CODE_ERRORS.has(errcode)) {
        throw new OAuthError(
          'invalid_code',
          `WeCom rejected the sign-in code (errcode ${errcode}).`,
        );
      }
      if (errcode !== 0) {
        throw new OAuthError(
          'platform_error',
          `WeCom getuserinfo failed: ${errcode} ${String(body.errmsg ?? '')}`,
        );
      }
      if (typeof body.userid === 'string' && body.userid !== '') return body.userid;
      throw new OAuthError('not_a_member', 'The WeCom user is not a member of this organisation.');
    }
    throw new OAuthError('platform_error', 'WeCom kept rejecting a fresh access token.');
  }

  /** Returns the app's access token, fetched once for concurrent callers and cached until near expiry. */
  private accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > this.now()) return Promise.resolve(this.token.value);
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const query = new URLSearchParams({
      corpid: this.config.corpId,
      corpsecret: this.config.secret,
    });
    const body = await fetchJson(
      `${this.config.apiBase}/cgi-bin/gettoken?${query.toString()}`,
      { method: 'GET' },
      'WeCom',
    );
    const errcode = Number(body.errcode ?? 0);
    if (errcode !== 0 || typeof body.access_token !== 'string') {
      throw new OAuthError(
        'platform_error',
        `WeCom gettoken failed: ${errcode} ${String(body.errmsg ?? '')}`,
      );
    }
    const lifetimeMs = Number(body.expires_in ?? 7200) * 1000;
    this.token = {
      value: body.access_token,
      expiresAt: this.now() + Math.max(0, lifetimeMs - REFRESH_MARGIN_MS),
    };
    return body.access_token;
  }
}
