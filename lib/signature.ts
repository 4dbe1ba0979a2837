import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a signed request's timestamp may be from the server's clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** Signs `<timestamp>.<raw body>` with HMAC-SHA256 and returns the header value `sha256=<hex>`. */
export function signPayload(
  secret: string,
  timestamp: string | number,
  body: string | Buffer,
): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestamp}.`);
  hmac.update(body);
  return `sha256=${hmac.digest('hex')}`;
}

export type SignatureCheck =
  | { ok: true }
  | {
      ok: false;
      reason:
        | 'missing_signature'
        | 'missing_timestamp'
        | 'malformed_timestamp'
        | 'stale_timestamp'
        | 'bad_signature';
    };

/**
 * Checks an X-Pulse-Signature header against the raw body, in constant time, and rejects a
 * timestamp more than five minutes away from `now`.
 */
export function verifySignature(
  secret: string,
  signatureHeader: string | undefined,
  timestampHeader: string | undefined,
  body: Buffer,
  now: Date,
): SignatureCheck {
  if (!signatureHeader) return { ok: false, reason: 'missing_signature' };
  if (!timestampHeader) return { ok: false, reason: 'missing_timestamp' };
  if (!/^\d{1,12}$/.test(timestampHeader)) return { ok: false, reason: 'malformed_timestamp' };
  const skew = Math.abs(now.getTime() / 1000 - Number(timestampHeader));
  if (skew > SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: 'stale_timestamp' };
  const expected = Buffer.from(signPayload(secret, timestampHeader, body));
  // Hex digits compare without regard to case, as HMAC libraries print either.
  const actual = Buffer.from(signatureHeader.trim().toLowerCase());
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return { ok: false, reason: 'bad_signature' };
  }
  return { ok: true };
}
