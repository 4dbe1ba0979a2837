import { timingSafeEqual } from 'node:crypto';
import { decrypt, getSignature } from '@wecom/crypto';

/** A verification failure: the HTTP status to respond with and a reason for the log. */
export interface CallbackRejection {
  ok: false;
  status: number;
  reason: string;
}

export type Checked<T> = ({ ok: true } & T) | CallbackRejection;

export function reject(status: number, reason: string): CallbackRejection {
  return { ok: false, status, reason };
}

/**
 * Parses the query of a callback URL, percent-decoding each name and value exactly once.
 * Unlike form decoding it keeps "+" as "+", which matters because the signed values are
 * base64 text. A parameter given twice or a broken percent escape rejects the request.
 */
export function parseCallbackQuery(url: string): Checked<{ params: Map<string, string> }> {
  const params = new Map<string, string>();
  const start = url.indexOf('?');
  if (start < 0) return { ok: true, params };
  for (const part of url.slice(start + 1).split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const rawName = equals < 0 ? part : part.slice(0, equals);
    const rawValue = equals < 0 ? '' : part.slice(equals + 1);
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(rawName);
      value = decodeURIComponent(rawValue);
    } catch {
      return reject(400, `query parameter ${rawName} has an invalid percent escape`);
    }
    if (params.has(name)) return reject(400, `query parameter ${name} appears more than once`);
    params.set(name, value);
  }
  return { ok: true, params };
}

export interface SignedFields {
  signature: string | undefined;
  timestamp: string | undefined;
  nonce: string | undefined;
  encrypt: string | undefined;
}

export interface CryptoSettings {
  token: string;
  encodingAesKey: string;
  corpId: string;
}

/**
 * Checks msg_signature, the SHA-1 of the sorted token, timestamp, nonce and ciphertext, before
 * anything is decrypted; then decrypts and requires the receive id to be the corp id.
 * Returns the plaintext message.
 */
export function verifyAndDecrypt(
  settings: CryptoSettings,
  fields: SignedFields,
): Checked<{ plaintext: string }> {
  const { signature, timestamp, nonce, encrypt } = fields;
  if (!signature) return reject(400, 'msg_signature is missing from the query');
  if (!timestamp) return reject(400, 'timestamp is missing from the query');
  if (!nonce) return reject(400, 'nonce is missing from the query');
  if (!encrypt) return reject(400, 'the encrypted message is missing');
  if (!/^[0-9a-fA-F]{40}$/.test(signature)) {
    return reject(401, 'msg_signature is not 40 hexadecimal digits');
  }
  const expected = Buffer.from(getSignature(settings.token, timestamp, nonce, encrypt), 'utf8');
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  if (!timingSafeEqual(expected, given)) {
    return reject(401, 'msg_signature does not match; check WECOM_TOKEN');
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypt) || encrypt.length % 4 !== 0) {
    return reject(400, 'the encrypted message is not base64 text');
  }
  let message: string;
  let receiveId: string;
  try {
    const decrypted = decrypt(settings.encodingAesKey, encrypt);
    message = decrypted.message;
    receiveId = decrypted.id;
  } catch (error) {
    return reject(
      400,
      `decryption failed (${(error as Error).message}); check WECOM_ENCODING_AES_KEY`,
    );
  }
  if (receiveId !== settings.corpId) {
    // A wrong AES key also ends here, because it decrypts to noise without the corp id.
    return reject(
      403,
      'the receive id in the decrypted message is not WECOM_CORP_ID; check WECOM_CORP_ID and WECOM_ENCODING_AES_KEY',
    );
  }
  return { ok: true, plaintext: message };
}
