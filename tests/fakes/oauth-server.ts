import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback fake of the WeCom and Feishu sign-in APIs, answering in their wire formats:
 * WeCom gettoken and auth/getuserinfo, Feishu authen/v2/oauth/token and authen/v1/user_info.
 * Codes are single use, as on the platforms.
 */
export class FakeOAuthServer {
  /** WeCom codes and the member each belongs to. */
  readonly wecomCodes = new Map<string, string>();
  /** Feishu codes and the open_id each belongs to. */
  readonly feishuCodes = new Map<string, string>();
  readonly calls: string[] = [];
  /** Set to make the next getuserinfo answer 42001 (token expired) once. */
  expireTokenOnce = false;
  private tokenCount = 0;
  private readonly feishuTokens = new Map<string, string>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void this.handle(request).then(({ status, body }) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(request: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(request.url ?? '/', 'http://fake');
    this.calls.push(url.pathname);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');

    if (url.pathname === '/cgi-bin/gettoken') {
      if (url.searchParams.get('corpsecret') !== 'wecom-secret') {
        return { status: 200, body: { errcode: 40001, errmsg: 'invalid credential' } };
      }
      this.tokenCount += 1;
      return {
        status: 200,
        body: {
          errcode: 0,
          errmsg: 'ok',
          access_token: `token-${this.tokenCount}`,
          expires_in: 7200,
        },
      };
    }
    if (url.pathname === '/cgi-bin/auth/getuserinfo') {
      if (this.expireTokenOnce) {
        this.expireTokenOnce = false;
        return { status: 200, body: { errcode: 42001, errmsg: 'access_token expired' } };
      }
      if (!url.searchParams.get('access_token')?.startsWith('token-')) {
        return { status: 200, body: { errcode: 40014, errmsg: 'invalid access_token' } };
      }
      const code = url.searchParams.get('code') ?? '';
      const userId = this.wecomCodes.get(code);
      this.wecomCodes.delete(code);
      if (!userId) return { status: 200, body: { errcode: 40029, errmsg: 'invalid code' } };
      return { status: 200, body: { errcode: 0, errmsg: 'ok', userid: userId } };
    }
    if (url.pathname === '/open-apis/authen/v2/oauth/token' && request.method === 'POST') {
      const body = JSON.parse(raw) as Record<string, string>;
      const openId = this.feishuCodes.get(body.code ?? '');
      this.feishuCodes.delete(body.code ?? '');
      if (body.client_secret !== 'feishu-secret' || !body.redirect_uri) {
        return { status: 400, body: { code: 20024, error: 'invalid_client' } };
      }
      if (!openId) return { status: 400, body: { code: 20003, error: 'invalid_grant' } };
      const token = `u-${openId}`;
      this.feishuTokens.set(token, openId);
      return {
        status: 200,
        body: { code: 0, access_token: token, expires_in: 7200, token_type: 'Bearer', scope: '' },
      };
    }
    if (url.pathname === '/open-apis/authen/v1/user_info') {
      const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      const openId = this.feishuTokens.get(token);
      if (!openId) return { status: 401, body: { code: 99991668, msg: 'invalid access token' } };
      return {
        status: 200,
        body: { code: 0, msg: 'success', data: { open_id: openId, name: 'x' } },
      };
    }
    return { status: 404, body: { errcode: 404, errmsg: 'no such path in the fake' } };
  }
}
