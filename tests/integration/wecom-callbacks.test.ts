import { encrypt, getSignature } from '@wecom/crypto';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdata } from '../../bot/wecom/xml.js';
import { inbox } from '../../models/schema/index.js';
import { FakeWecomServer } from '../fakes/wecom-server.js';
import { startTestPulse, type TestPulse, waitFor } from '../helpers/pulse.js';

/**
 * Published test vectors of WeCom's callback encryption: Tencent's sample code
 * (weworkapi_php callback/Sample.php) and the worked example of the encryption guide, page
 * 91144 of WeCom's developer documentation.
 */
const OFFICIAL = {
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
  get: {
    timestamp: '1409659589',
    nonce: '263014780',
    signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
    echostrEncoded:
      'P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D',
    echostr:
      'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    plaintext: '1616140317555161061',
  },
  post: {
    timestamp: '1409659813',
    nonce: '1372623149',
    signature: '477715d11cdb4164915debcba66cb864d751f3e6',
    encrypt:
      'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
    msgId: '4561255354251345929',
  },
  /** The AgentID inside the decrypted example message. */
  agentId: '218',
};

describe('WeCom callback verification', () => {
  let fake: FakeWecomServer;
  let pulse: TestPulse;

  beforeAll(async () => {
    fake = await FakeWecomServer.start();
    pulse = await startTestPulse({
      env: {
        WECOM_CORP_ID: OFFICIAL.corpId,
        WECOM_AGENT_ID: OFFICIAL.agentId,
        WECOM_SECRET: 'unused-secret',
        WECOM_TOKEN: OFFICIAL.token,
        WECOM_ENCODING_AES_KEY: OFFICIAL.encodingAesKey,
        WECOM_API_BASE: fake.url,
        PULSE_SANDBOX: 'off',
      },
    });
  });
  afterAll(async () => {
    await pulse?.close();
    await fake?.stop();
  });

  const inboxCount = async () => {
    const [row] = await pulse.database.db.select({ n: count() }).from(inbox);
    return Number(row?.n);
  };

  const postBody = (encrypted: string) =>
    `<xml><ToUserName>${cdata(OFFICIAL.corpId)}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt><AgentID>${cdata(OFFICIAL.agentId)}</AgentID></xml>`;

  const post = (query: string, body: string, contentType = 'text/xml') =>
    fetch(`${pulse.url}/webhooks/wecom?${query}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });

  /** Signs and encrypts `plaintext` with the official token and key, for rejection tests. */
  function signedPost(plaintext: string, receiveId = OFFICIAL.corpId) {
    const encrypted = encrypt(OFFICIAL.encodingAesKey, plaintext, receiveId);
    const timestamp = '1409659813';
    const nonce = '1372623149';
    const signature = getSignature(OFFICIAL.token, timestamp, nonce, encrypted);
    return { query: `msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`, encrypted };
  }

  it('answers the official URL verification with the bare plaintext', async () => {
    const { timestamp, nonce, signature, echostrEncoded, plaintext } = OFFICIAL.get;
    const response = await fetch(
      `${pulse.url}/webhooks/wecom?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&echostr=${echostrEncoded}`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe(plaintext);
  });

  it('decodes the query once, keeping literal + / = of base64', async () => {
    const { timestamp, nonce, signature, echostr, plaintext } = OFFICIAL.get;
    const response = await fetch(
      `${pulse.url}/webhooks/wecom?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&echostr=${echostr}`,
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(plaintext);
  });

  it('rejects a verification whose echostr was decoded twice', async () => {
    const { timestamp, nonce, signature, echostr } = OFFICIAL.get;
    const twice = echostr.replaceAll('+', ' ');
    const response = await fetch(
      `${pulse.url}/webhooks/wecom?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&echostr=${encodeURIComponent(twice)}`,
    );
    expect(response.status).toBe(401);
  });

  it('decrypts the official POST message and stores it once', async () => {
    const { timestamp, nonce, signature, encrypt: encrypted, msgId } = OFFICIAL.post;
    const query = `msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`;
    const first = await post(query, postBody(encrypted), 'application/octet-stream');
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('');
    expect((await post(query, postBody(encrypted))).status).toBe(200);

    const rows = await pulse.database.db
      .select()
      .from(inbox)
      .where(eq(inbox.sourceId, `msg:${msgId}`));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.payload).toMatchObject({
      channel: 'wecom',
      actor: { wecomUserId: 'mycreate' },
      event: 'text',
      text: 'hello',
    });
    // "mycreate" is nobody in Pulse, so the help reply is rejected rather than sent.
    const processed = await waitFor(async () => {
      const [row] = await pulse.database.db
        .select()
        .from(inbox)
        .where(eq(inbox.sourceId, `msg:${msgId}`));
      return row?.status === 'pending' ? undefined : row;
    });
    expect(processed.outcome?.code).toBe('unknown_person');
  });

  it('rejects a tampered signature with 401 and stores nothing', async () => {
    const { timestamp, nonce, signature, encrypt: encrypted } = OFFICIAL.post;
    const before = await inboxCount();
    const tampered = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
    const response = await post(
      `msg_signature=${tampered}&timestamp=${timestamp}&nonce=${nonce}`,
      postBody(encrypted),
    );
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('msg_signature does not match');
    expect(await inboxCount()).toBe(before);
  });

  it('rejects a changed ciphertext under the old signature', async () => {
    const { timestamp, nonce, signature, encrypt: encrypted } = OFFICIAL.post;
    const before = await inboxCount();
    const changed = `${encrypted.slice(0, 10)}A${encrypted.slice(11)}`;
    const response = await post(
      `msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`,
      postBody(changed),
    );
    expect(response.status).toBe(401);
    expect(await inboxCount()).toBe(before);
  });

  it('rejects a message for another receive id with 403', async () => {
    const before = await inboxCount();
    const message = `<xml><FromUserName>mycreate</FromUserName><CreateTime>1409659999</CreateTime><MsgType>text</MsgType><Content>x</Content><MsgId>77</MsgId><AgentID>218</AgentID></xml>`;
    const { query, encrypted } = signedPost(message, 'ww-another-corp');
    const response = await post(query, postBody(encrypted));
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('WECOM_CORP_ID');
    expect(await inboxCount()).toBe(before);
  });

  it('rejects XML with a DOCTYPE before reading it', async () => {
    const before = await inboxCount();
    const { query } = signedPost('<xml></xml>');
    const body = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY big "${'x'.repeat(100)}">]><xml><Encrypt>&big;</Encrypt></xml>`;
    const response = await post(query, body);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('DOCTYPE');
    expect(await inboxCount()).toBe(before);
  });

  it('rejects a decrypted message with a DOCTYPE', async () => {
    const before = await inboxCount();
    const { query, encrypted } = signedPost(
      '<!DOCTYPE xml [<!ENTITY a "b">]><xml><FromUserName>&a;</FromUserName></xml>',
    );
    const response = await post(query, postBody(encrypted));
    expect(response.status).toBe(400);
    expect(await inboxCount()).toBe(before);
  });

  it('rejects missing query parameters with 400 naming them', async () => {
    const { timestamp, nonce, encrypt: encrypted } = OFFICIAL.post;
    const response = await post(`timestamp=${timestamp}&nonce=${nonce}`, postBody(encrypted));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('msg_signature');
  });

  it('rejects a repeated query parameter', async () => {
    const { timestamp, nonce, signature, echostrEncoded } = OFFICIAL.get;
    const response = await fetch(
      `${pulse.url}/webhooks/wecom?msg_signature=${signature}&timestamp=${timestamp}&timestamp=1&nonce=${nonce}&echostr=${echostrEncoded}`,
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('timestamp');
  });

  it('rejects a body that is not XML', async () => {
    const { query } = signedPost('<xml></xml>');
    const response = await post(query, '{"encrypt":"abc"}', 'application/json');
    expect(response.status).toBe(400);
  });
});
