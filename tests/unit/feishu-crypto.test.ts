import { EventDispatcher, LoggerLevel } from '@larksuiteoapi/node-sdk';
import { describe, expect, it } from 'vitest';
import {
  DecryptionError,
  decryptFeishu,
  feishuAesKey,
  feishuSignature,
  signatureMatches,
} from '../../bot/feishu/crypto.js';
import { FakeFeishu } from '../fakes/feishu-server.js';

/** The decryption sample that Feishu's "receive events" page gives in every language. */
const OFFICIAL = {
  encryptKey: 'test key',
  encrypt: 'P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=',
  aesKeyHex: 'fa2bdca424f01f01ffb48df93acc35d439c7fd331a1a7fba6ac2fd83aa9ab31a',
  plaintext: 'hello world',
};

/**
 * Feishu publishes no signature vector; this one was computed with the documented formula and
 * is also accepted by the official Node SDK's validator (checked below).
 */
const SIGNED = {
  timestamp: '1700000000',
  nonce: 'abc123',
  encryptKey: 'test key',
  body: '{"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}',
  signature: '69c61fa99760d59824d588297c0036194769fb54331682c9cbcd93e85b9a8aad',
};

describe('Feishu decryption', () => {
  it('derives the AES key of the official sample', () => {
    expect(feishuAesKey(OFFICIAL.encryptKey).toString('hex')).toBe(OFFICIAL.aesKeyHex);
  });

  it('decrypts the official sample', () => {
    expect(decryptFeishu(OFFICIAL.encryptKey, OFFICIAL.encrypt)).toBe(OFFICIAL.plaintext);
  });

  it('round-trips what the fake Feishu encrypts', () => {
    const fake = new FakeFeishu({ encryptKey: 'another key' });
    const plaintext = JSON.stringify({ challenge: '挑战 ✓', type: 'url_verification' });
    expect(decryptFeishu('another key', fake.encrypt(plaintext))).toBe(plaintext);
  });

  it('rejects a wrong key', () => {
    expect(() => decryptFeishu('wrong key', OFFICIAL.encrypt)).toThrow(DecryptionError);
  });

  it('rejects text that is not whole blocks', () => {
    expect(() => decryptFeishu(OFFICIAL.encryptKey, 'aGVsbG8=')).toThrow(/whole AES blocks/);
  });
});

describe('Feishu request signature', () => {
  it('matches the signature vector', () => {
    const { timestamp, nonce, encryptKey, body } = SIGNED;
    expect(feishuSignature(timestamp, nonce, encryptKey, Buffer.from(body))).toBe(SIGNED.signature);
  });

  it('agrees with the official SDK validator on the vector', () => {
    const dispatcher = new EventDispatcher({
      encryptKey: SIGNED.encryptKey,
      loggerLevel: LoggerLevel.error,
    }) as unknown as { requestHandle: { checkIsEventValidated(data: unknown): boolean } };
    const headers = {
      'x-lark-request-timestamp': SIGNED.timestamp,
      'x-lark-request-nonce': SIGNED.nonce,
      'x-lark-signature': SIGNED.signature,
    };
    const data = Object.assign(Object.create({ headers }), JSON.parse(SIGNED.body));
    expect(dispatcher.requestHandle.checkIsEventValidated(data)).toBe(true);
  });

  it('covers the raw bytes, whitespace included', () => {
    const spaced = SIGNED.body.replace(':', ': ');
    const signature = feishuSignature(SIGNED.timestamp, SIGNED.nonce, SIGNED.encryptKey, spaced);
    expect(signature).not.toBe(SIGNED.signature);
    expect(signatureMatches(signature, signature.toUpperCase())).toBe(true);
    expect(signatureMatches(signature, SIGNED.signature)).toBe(false);
  });
});
