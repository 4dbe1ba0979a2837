import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { people } from '../../models/schema/index.js';
import { FakeOAuthServer } from '../fakes/oauth-server.js';
import { AppClient } from '../helpers/app-client.js';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';

describe('sign-in from WeCom and Feishu', () => {
  let pulse: TestPulse;
  let fake: FakeOAuthServer;

  beforeAll(async () => {
    fake = new FakeOAuthServer();
    const base = await fake.start();
    pulse = await startTestPulse({
      env: {
        WECOM_CORP_ID: 'ww-test-corp',
        WECOM_AGENT_ID: '1000002',
        WECOM_SECRET: 'wecom-secret',
        WECOM_TOKEN: 'wecom-token',
        WECOM_ENCODING_AES_KEY: 'a'.repeat(43),
        WECOM_API_BASE: base,
        FEISHU_APP_ID: 'cli_test',
        FEISHU_APP_SECRET: 'feishu-secret',
        FEISHU_VERIFICATION_TOKEN: 'feishu-token',
        FEISHU_API_BASE: base,
        PULSE_PUBLIC_URL: 'https://pulse.example.com',
      },
    });
    await pulse.database.db
      .update(people)
      .set({ wecomUserId: 'zhang.wei' })
      .where(eq(people.employeeNo, 'EE01'));
    await pulse.database.db
      .update(people)
      .set({ feishuOpenId: 'ou_manager_east' })
      .where(eq(people.employeeNo, 'ME01'));
  });
  afterAll(async () => {
    await pulse?.close();
    await fake?.stop();
  });

  /** Starts the redirect flow and returns the state that the platform must send back. */
  async function begin(client: AppClient, platform: string, next?: string) {
    const query = next ? `?next=${encodeURIComponent(next)}` : '';
    const response = await client.request(`/app/auth/${platform}${query}`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') as string);
    return { location, state: location.searchParams.get('state') as string };
  }

  it('sends the WeCom browser to snsapi_base authorisation', async () => {
    const { location, state } = await begin(new AppClient(pulse.url), 'wecom');
    expect(location.origin).toBe('https://open.weixin.qq.com');
    expect(location.pathname).toBe('/connect/oauth2/authorize');
    expect(location.searchParams.get('appid')).toBe('ww-test-corp');
    expect(location.searchParams.get('scope')).toBe('snsapi_base');
    expect(location.searchParams.get('agentid')).toBe('1000002');
    expect(location.searchParams.get('redirect_uri')).toBe(
      'https://pulse.example.com/app/auth/wecom',
    );
    expect(location.hash).toBe('#wechat_redirect');
    expect(state).toMatch(/^[a-f0-9]{32}$/);
  });

  it('signs a WeCom member in from the code', async () => {
    const client = new AppClient(pulse.url);
    const { state } = await begin(client, 'wecom', '/app/okr');
    fake.wecomCodes.set('code-1', 'zhang.wei');
    fake.expireTokenOnce = true;
    const callback = await client.request(`/app/auth/wecom?code=code-1&state=${state}`, {
      redirect: 'manual',
    });
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/app/okr');
    const me = await client.json<{ person: { employeeNo: string } }>('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.person.employeeNo).toBe('EE01');
    expect(fake.calls.filter((path) => path === '/cgi-bin/gettoken').length).toBe(2);
  });

  it('rejects a WeCom callback whose state differs', async () => {
    const client = new AppClient(pulse.url);
    await begin(client, 'wecom');
    fake.wecomCodes.set('code-2', 'zhang.wei');
    const callback = await client.request('/app/auth/wecom?code=code-2&state=forged', {
      redirect: 'manual',
    });
    expect(callback.headers.get('location')).toBe('/app/?signin_error=invalid_state');
    expect((await client.json('/api/me')).status).toBe(401);
  });

  it('reports a used WeCom code and an unknown member', async () => {
    const client = new AppClient(pulse.url);
    const first = await begin(client, 'wecom');
    const used = await client.request(`/app/auth/wecom?code=never-issued&state=${first.state}`, {
      redirect: 'manual',
    });
    expect(used.headers.get('location')).toBe('/app/?signin_error=invalid_code');
    const second = await begin(client, 'wecom');
    fake.wecomCodes.set('code-3', 'someone.else');
    const unknown = await client.request(`/app/auth/wecom?code=code-3&state=${second.state}`, {
      redirect: 'manual',
    });
    expect(unknown.headers.get('location')).toBe('/app/?signin_error=unknown_person');
    expect((await client.json('/api/me')).status).toBe(401);
  });

  it('signs a Feishu user in from the code', async () => {
    const client = new AppClient(pulse.url);
    const { location, state } = await begin(client, 'feishu');
    expect(location.origin).toBe('https://accounts.feishu.cn');
    expect(location.searchParams.get('client_id')).toBe('cli_test');
    expect(location.searchParams.get('redirect_uri')).toBe(
      'https://pulse.example.com/app/auth/feishu',
    );
    fake.feishuCodes.set('fs-code-1', 'ou_manager_east');
    const callback = await client.request(`/app/auth/feishu?code=fs-code-1&state=${state}`, {
      redirect: 'manual',
    });
    expect(callback.headers.get('location')).toBe('/app/');
    const me = await client.json<{ person: { employeeNo: string; role: string } }>('/api/me');
    expect(me.body.person.employeeNo).toBe('ME01');
    expect(me.body.person.role).toBe('manager');
  });

  it('reports an invalid Feishu code', async () => {
    const client = new AppClient(pulse.url);
    const { state } = await begin(client, 'feishu');
    const callback = await client.request(`/app/auth/feishu?code=stale&state=${state}`, {
      redirect: 'manual',
    });
    expect(callback.headers.get('location')).toBe('/app/?signin_error=invalid_code');
  });
});
