/** A failed sign-in through a chat platform, with a stable `code` that the app shows. */
export class OAuthError extends Error {
  constructor(
    readonly code: 'invalid_code' | 'not_a_member' | 'platform_error' | 'unreachable',
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'OAuthError';
  }
}

/** Milliseconds a platform call may take before it counts as failed. */
export const OAUTH_TIMEOUT_MS = 5000;

/** Fetches JSON from a platform, turning network failures and non-JSON bodies into OAuthError. */
export async function fetchJson(
  url: string,
  init: RequestInit,
  platform: string,
): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(OAUTH_TIMEOUT_MS) });
  } catch (error) {
    throw new OAuthError('unreachable', `${platform} request failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const text = await response.text();
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new OAuthError(
      'platform_error',
      `${platform} answered HTTP ${response.status} with a body that is not JSON.`,
      { cause: error },
    );
  }
}
