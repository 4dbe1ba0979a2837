import { ChannelError } from '../channel.js';
import { FeishuHttpError, FeishuTransportError } from './http.js';

/** Wait after a rate-limit response that names no reset time. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 1000;

/** A failed Feishu API call, with Feishu's own error code when the response had one. */
export class FeishuApiError extends ChannelError {
  constructor(
    code: string,
    message: string,
    options: {
      retryable: boolean;
      retryAfterMs?: number;
      cause?: unknown;
      feishuCode?: number;
      httpStatus?: number;
    },
  ) {
    super(code, message, options);
    this.name = 'FeishuApiError';
    this.feishuCode = options.feishuCode;
    this.httpStatus = options.httpStatus;
  }

  readonly feishuCode: number | undefined;
  readonly httpStatus: number | undefined;
}

/** Codes after which the tenant access token must be fetched again. */
export const TOKEN_INVALID_CODES: ReadonlySet<number> = new Set([99991661, 99991663, 99991671]);

/** Codes of a delayed-update token that is expired, used up or malformed. */
export const UPDATE_TOKEN_UNUSABLE_CODES: ReadonlySet<number> = new Set([300020, 300030, 300040]);

/** Codes of a message that cannot be patched any more, so a new card must be sent instead. */
export const MESSAGE_NOT_PATCHABLE_CODES: ReadonlySet<number> = new Set([
  230031, // sent more than 14 days ago
  230011, // recalled
  230110, // deleted
  200000, // card recalled
]);

/** Failures that the same request will meet again: no retry, straight to the dead letters. */
const PERMANENT: ReadonlyMap<number, { code: string; hint: string }> = new Map([
  [10003, { code: 'credentials_rejected', hint: 'check FEISHU_APP_ID' }],
  [
    10014,
    { code: 'credentials_rejected', hint: 'the app is disabled; enable it in the admin console' },
  ],
  [10015, { code: 'credentials_rejected', hint: 'check FEISHU_APP_SECRET' }],
  [99991401, { code: 'ip_blocked', hint: "add this server's address to the app's IP allow-list" }],
  [99991403, { code: 'quota_exhausted', hint: 'the monthly API quota is used up' }],
  [
    99991672,
    { code: 'missing_scope', hint: 'grant the scope named above and publish a new app version' },
  ],
  [230001, { code: 'invalid_request', hint: 'the request was rejected as invalid' }],
  [230002, { code: 'bot_not_in_chat', hint: 'add the bot to the chat' }],
  [
    230006,
    { code: 'bot_disabled', hint: 'enable the bot capability and publish a new app version' },
  ],
  [
    230013,
    { code: 'outside_availability', hint: "add the person to the app's availability scope" },
  ],
  [230025, { code: 'card_rejected', hint: 'the card is too long' }],
  [230027, { code: 'missing_permission', hint: 'the app may not message this person or chat' }],
  [230053, { code: 'bot_blocked', hint: 'the person has blocked the bot' }],
  [230099, { code: 'card_rejected', hint: 'Feishu could not build the card' }],
  [200621, { code: 'card_rejected', hint: 'the card JSON is invalid' }],
  [11310, { code: 'card_rejected', hint: 'the card has too many components or is locked' }],
  [11311, { code: 'card_rejected', hint: 'the card format is invalid' }],
  [10002, { code: 'card_rejected', hint: 'the card format is invalid' }],
  [300090, { code: 'card_rejected', hint: 'an exclusive card needs open_ids' }],
  [200310, { code: 'not_our_card', hint: 'the card was sent by another app' }],
  [230031, { code: 'message_too_old', hint: 'messages older than 14 days cannot be updated' }],
  [230011, { code: 'message_gone', hint: 'the message was recalled' }],
  [230110, { code: 'message_gone', hint: 'the message was deleted' }],
  [200000, { code: 'message_gone', hint: 'the card was recalled' }],
  [300020, { code: 'update_token_unusable', hint: 'the update token is malformed' }],
  [300030, { code: 'update_token_unusable', hint: 'the update token expired (30 minutes)' }],
  [300040, { code: 'update_token_unusable', hint: 'the update token was used twice already' }],
]);

/** Builds the error for a response body with `code != 0`. */
export function errorFromCode(
  operation: string,
  feishuCode: number,
  msg: string,
  extra: { httpStatus?: number; retryAfterMs?: number } = {},
): FeishuApiError {
  const base = `Feishu ${operation} failed with code ${feishuCode} (${msg})`;
  const details = { feishuCode, ...(extra.httpStatus ? { httpStatus: extra.httpStatus } : {}) };
  if (feishuCode === 99991400 || feishuCode === 230020) {
    return new FeishuApiError('rate_limited', `${base}; waiting for the rate limit to reset`, {
      retryable: true,
      retryAfterMs: extra.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
      ...details,
    });
  }
  if (TOKEN_INVALID_CODES.has(feishuCode)) {
    return new FeishuApiError('token_invalid', `${base}; the tenant access token was rejected`, {
      retryable: true,
      ...details,
    });
  }
  const permanent = PERMANENT.get(feishuCode);
  if (permanent) {
    return new FeishuApiError(permanent.code, `${base}: ${permanent.hint}.`, {
      retryable: false,
      ...details,
    });
  }
  return new FeishuApiError('feishu_error', `${base}.`, { retryable: true, ...details });
}

/** Seconds to wait from `x-ogw-ratelimit-reset`, as milliseconds. */
function resetAfterMs(headers: Headers): number | undefined {
  const reset = Number(headers.get('x-ogw-ratelimit-reset'));
  return Number.isFinite(reset) && reset >= 0 ? Math.max(1, reset) * 1000 : undefined;
}

/** Maps anything a Feishu call threw to a FeishuApiError the outbox sender understands. */
export function toFeishuApiError(operation: string, error: unknown): FeishuApiError {
  if (error instanceof FeishuApiError) return error;
  if (error instanceof FeishuHttpError) {
    const { code, msg } = (error.body ?? {}) as { code?: unknown; msg?: unknown };
    const retryAfterMs = resetAfterMs(error.headers);
    if (error.status === 429) {
      return errorFromCode(
        operation,
        typeof code === 'number' ? code : 99991400,
        String(msg ?? ''),
        {
          httpStatus: 429,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        },
      );
    }
    if (typeof code === 'number') {
      return errorFromCode(operation, code, String(msg ?? ''), {
        httpStatus: error.status,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      });
    }
    return new FeishuApiError(
      'feishu_error',
      `Feishu ${operation} failed with HTTP ${error.status}.`,
      { retryable: true, httpStatus: error.status, cause: error },
    );
  }
  if (error instanceof FeishuTransportError) {
    return new FeishuApiError('feishu_unreachable', error.message, {
      retryable: true,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new FeishuApiError('feishu_error', `Feishu ${operation} failed: ${message}`, {
    retryable: true,
    cause: error,
  });
}
