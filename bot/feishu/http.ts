import type { HttpInstance } from '@larksuiteoapi/node-sdk';

/** How long one Feishu API request may take before it counts as failed. */
export const REQUEST_TIMEOUT_MS = 10_000;

/**
 * A Feishu response with a non-2xx status. It carries the status, the response headers (for
 * the rate-limit reset) and the parsed body, but never the request, whose headers hold the
 * access token.
 */
export class FeishuHttpError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly body: unknown,
  ) {
    const { code, msg } = (body ?? {}) as { code?: unknown; msg?: unknown };
    super(
      `Feishu returned HTTP ${status}${code !== undefined ? ` code ${code}` : ''}: ${msg ?? ''}`,
    );
    this.name = 'FeishuHttpError';
  }
}

/** A request that got no response: connection refused, reset or timed out. */
export class FeishuTransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FeishuTransportError';
  }
}

interface RequestOptions {
  url?: string;
  method?: string;
  headers?: Record<string, unknown>;
  params?: Record<string, unknown>;
  data?: unknown;
  timeout?: number;
  paramsSerializer?: unknown;
}

function queryString(params: Record<string, unknown> | undefined, serializer: unknown): string {
  if (!params) return '';
  if (typeof serializer === 'function') return (serializer as (p: unknown) => string)(params);
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  return search.toString();
}

function requestUrl(options: RequestOptions): string {
  const url = options.url ?? '';
  const query = queryString(options.params, options.paramsSerializer);
  if (!query) return url;
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

async function send(options: RequestOptions): Promise<unknown> {
  const url = requestUrl(options);
  const method = (options.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value !== undefined && value !== null) headers[name] = String(value);
  }
  const hasBody = options.data !== undefined && method !== 'GET' && method !== 'HEAD';
  if (hasBody) headers['Content-Type'] = 'application/json; charset=utf-8';

  let status: number;
  let responseHeaders: Headers;
  let text: string;
  try {
    const response = await fetch(url, {
      method,
      headers,
      ...(hasBody ? { body: JSON.stringify(options.data) } : {}),
      signal: AbortSignal.timeout(options.timeout ?? REQUEST_TIMEOUT_MS),
    });
    status = response.status;
    responseHeaders = response.headers;
    text = await response.text();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const path = URL.canParse(url) ? new URL(url).pathname : url;
    throw new FeishuTransportError(`Feishu request ${method} ${path} failed: ${reason}`, {
      cause: error,
    });
  }

  let body: unknown = text;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    // Gateways may return HTML, so the text is kept as the body for the error message.
  }
  if (status < 200 || status >= 300) throw new FeishuHttpError(status, responseHeaders, body);
  return body;
}

/**
 * The HTTP client handed to the Feishu SDK in place of its axios instance: plain fetch with a
 * timeout, whose errors the channel can map to retries and rate limits.
 */
export const fetchHttpInstance: HttpInstance = {
  request: (options) => send(options as RequestOptions) as never,
  get: (url, options) => send({ ...(options as RequestOptions), url, method: 'GET' }) as never,
  delete: (url, options) =>
    send({ ...(options as RequestOptions), url, method: 'DELETE' }) as never,
  head: (url, options) => send({ ...(options as RequestOptions), url, method: 'HEAD' }) as never,
  options: (url, options) =>
    send({ ...(options as RequestOptions), url, method: 'OPTIONS' }) as never,
  post: (url, data, options) =>
    send({ ...(options as RequestOptions), url, data, method: 'POST' }) as never,
  put: (url, data, options) =>
    send({ ...(options as RequestOptions), url, data, method: 'PUT' }) as never,
  patch: (url, data, options) =>
    send({ ...(options as RequestOptions), url, data, method: 'PATCH' }) as never,
};
