import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';

/**
 * Feishu's Encrypt Key scheme: the AES-256 key is SHA-256 of the Encrypt Key text, the body is
 * `{"encrypt": base64(IV ‖ AES-256-CBC ciphertext)}` with a random 16-byte IV and PKCS#7 padding.
 */
export function feishuAesKey(encryptKey: string): Buffer {
  return createHash('sha256').update(encryptKey, 'utf8').digest();
}

export class DecryptionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DecryptionError';
  }
}

/** Decrypts the `encrypt` field of a Feishu request into its UTF-8 plaintext. */
export function decryptFeishu(encryptKey: string, encrypted: string): string {
  const data = Buffer.from(encrypted, 'base64');
  // One IV block plus at least one ciphertext block, and whole blocks only.
  if (data.length < 32 || data.length % 16 !== 0) {
    throw new DecryptionError('encrypt is not base64 of an IV and whole AES blocks');
  }
  try {
    const decipher = createDecipheriv(
      'aes-256-cbc',
      feishuAesKey(encryptKey),
      data.subarray(0, 16),
    );
    return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new DecryptionError('encrypt does not decrypt with FEISHU_ENCRYPT_KEY', { cause: error });
  }
}

/**
 * Computes the X-Lark-Signature of a request: lowercase hex SHA-256 (not an HMAC) of the timestamp, the
 * nonce and the Encrypt Key, followed by the raw body bytes exactly as received.
 */
export function feishuSignature(
  timestamp: string,
  nonce: string,
  encryptKey: string,
  rawBody: Buffer | string,
): string {
  return createHash('sha256')
    .update(timestamp + nonce + encryptKey, 'utf8')
    .update(rawBody)
    .digest('hex');
}

/** Compares a received signature with the expected one in constant time. */
export function signatureMatches(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received.trim().toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Compares two secrets such as Verification Tokens in constant time. */
export function secretsEqual(expected: string, received: string): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(received, 'utf8').digest();
  return timingSafeEqual(a, b);
}
