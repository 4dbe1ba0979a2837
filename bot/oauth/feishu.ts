import { fetchJson, OAuthError } from './errors.js';

/** Feishu's authorize page; the user's browser goes there, never the server. */
const AUTHORIZE_URL = 'https://accounts.feishu.cn/open-apis/authen/v1/authorize';
/** Token errors of a code that is unknown, used, expired or another app's. */
const CODE_ERRORS = new Set([20003, 20004, 20024]);

export interface FeishuOAuthConfig {
  appId: string;
  appSecret: string;
  apiBase: string;
}

/** The Feishu identity of a signed-in user. */
export interface FeishuUser {
  openId: string;
  userId: string | undefined;
}

/**
 * Feishu web sign-in: the authorize URL, and the user behind a code (a user access token from
 * POST /open-apis/authen/v2/oauth/token, then GET /open-apis/authen/v1/user_info).
 */
export class FeishuOAuth {
  constructor(private readonly config: FeishuOAuthConfig) {}

  authorizeUrl(redirectUri: string, state: string): string {
    const query = new URLSearchParams({
      client_id: this.config.appId,
      response_type: 'code',
      redirect_uri: redirectUri,
      state,
    });
    return `${AUTHORIZE_URL}?${query.toString()}`;
  }

  /** Exchanges a code for the user's identity; `redirectUri` must be the one authorised. */
  async userForCode(code: string, redirectUri: string): Promise<FeishuUser> {
    const token = await fetchJson(
      `${this.config.apiBase}/open-apis/authen/v2/oauth/token`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({
          grant_type: 'authorization_code',
          client_id: this.config.appId,
          client_secret: this.config.appSecret,
          code,
          redirect_uri: redirectUri,
        }),
      },
      'Feishu',
    );
    const tokenCode = Number(token.code ?? 0);
    if (CODE_ERRORS.has(tokenCode)) {
      throw new OAuthError('invalid_code', `Feishu rejected the sign-in code (code ${tokenCode}).`);
    }
    if (tokenCode === 20010) {
      throw new OAuthError('not_a_member', 'The Feishu user is outside the app’s availability.');
    }
    if (tokenCode !== 0 || typeof token.access_token !== 'string') {
      throw new OAuthError(
        'platform_error',
        `Feishu token exchange failed with code ${tokenCode}.`,
      );
    }
    const info = await fetchJson(
      `${this.config.apiBase}/open-apis/authen/v1/user_info`,
      { method: 'GET', headers: { authorization: `Bearer ${token.access_token}` } },
      'Feishu',
    );
    const data = info.data as Record<string, unknown> | undefined;
    if (Number(info.code ?? 0) !== 0 || typeof data?.open_id !== 'string') {
      throw new OAuthError(
        'platform_error',
        `Feishu user_info failed with code ${String(info.code)}.`,
      );
    }
    return {
      openId: data.open_id,
      userId: typeof data.user_id === 'string' && data.user_id !== '' ? data.user_id : undefined,
    };
  }
}
