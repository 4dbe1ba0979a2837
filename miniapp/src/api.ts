import { ref } from 'vue';

/** The rule an invalid field broke, when the server names one, with its limit. */
export interface FieldViolation {
  rule: string;
  limit?: number;
  length?: number;
}

/** An API failure with the server's error code and, for invalid input, the field. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly violation?: FieldViolation,
  ) {
    super(message);
  }
}

/** False while the network is down, as the browser reports or a failed request shows. */
export const online = ref(navigator.onLine);
window.addEventListener('online', () => {
  online.value = true;
});
window.addEventListener('offline', () => {
  online.value = false;
});

let csrfToken = '';
let cachePrefix = 'pulse:anonymous:';
let onUnauthorized: () => void = () => {};

export function configureApi(options: {
  csrfToken?: string;
  personId?: string;
  unauthorized?: () => void;
}): void {
  if (options.csrfToken !== undefined) csrfToken = options.csrfToken;
  if (options.personId !== undefined) cachePrefix = `pulse:${options.personId}:`;
  if (options.unauthorized) onUnauthorized = options.unauthorized;
}

async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => ({}))) as {
    error?: { code?: string; message?: string; field?: string } & Partial<FieldViolation>;
  };
  const error = body.error ?? {};
  const violation =
    typeof error.rule === 'string'
      ? { rule: error.rule, limit: error.limit, length: error.length }
      : undefined;
  return new ApiError(
    response.status,
    error.code ?? String(response.status),
    error.message ?? response.statusText,
    error.field,
    violation,
  );
}

/**
 * Loads JSON from the API. When the network is down it returns the copy cached at the last
 * successful load with `stale: true`, or throws ApiError with code offline when there is none.
 */
export async function apiGet<T>(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ data: T; stale: boolean }> {
  let response: Response;
  try {
    response = await fetch(path, {
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...headers },
    });
  } catch {
    online.value = false;
    const cached = localStorage.getItem(cachePrefix + path);
    if (cached) return { data: JSON.parse(cached) as T, stale: true };
    throw new ApiError(0, 'offline', 'offline');
  }
  online.value = true;
  if (response.status === 401) {
    onUnauthorized();
    throw await errorOf(response);
  }
  if (!response.ok) throw await errorOf(response);
  const data = (await response.json()) as T;
  try {
    localStorage.setItem(cachePrefix + path, JSON.stringify(data));
  } catch {
    // A full storage only costs the offline copy.
  }
  return { data, stale: false };
}

/** Sends a change with the session's CSRF token and any extra headers; throws ApiError. */
export async function apiSend<T>(
  method: 'POST' | 'PATCH',
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken, ...headers },
      body: JSON.stringify(body),
    });
  } catch {
    online.value = false;
    throw new ApiError(0, 'offline', 'offline');
  }
  online.value = true;
  if (response.status === 401) onUnauthorized();
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}
