import type { Context, Next } from 'koa';
import getRawBody from 'raw-body';
import { AppError, errorBody, PayloadTooLargeError, ValidationError } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import { findUnstorableText } from '../lib/storable-text.js';

declare module 'koa' {
  interface DefaultState {
    log: Logger;
    requestId: string;
  }
}

/** Gives each request an id and a child logger, and logs every response with its timing. */
export function requestLogger(log: Logger) {
  return async (ctx: Context, next: Next) => {
    const requestId = ctx.get('x-request-id') || newId();
    const started = process.hrtime.bigint();
    ctx.state.requestId = requestId;
    ctx.state.log = log.child({ requestId });
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const level = ctx.status >= 500 ? 'error' : ctx.status >= 400 ? 'warn' : 'debug';
      ctx.state.log[level](
        { method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10 },
        'request',
      );
    }
  };
}

/** Maps thrown errors to JSON responses: AppError by its status and code, anything else as 500. */
export function errorHandler() {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof AppError) {
        ctx.status = error.status;
        ctx.body = error.expose
          ? errorBody(error)
          : { error: { code: error.code, message: 'Internal error; see the server log.' } };
        if (!error.expose) ctx.state.log.error({ err: error }, 'request failed');
        return;
      }
      ctx.state.log.error({ err: error }, 'request failed');
      ctx.status = 500;
      ctx.body = {
        error: {
          code: 'internal',
          message: 'Internal error; see the server log.',
          requestId: ctx.state.requestId,
        },
      };
    }
  };
}

/**
 * Reads the request body as raw bytes, rejecting more than `limitBytes` with 413 before
 * reading when Content-Length says so, and while reading otherwise.
 */
export async function readRawBody(ctx: Context, limitBytes: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || Number.NaN);
  if (Number.isFinite(declared) && declared > limitBytes)
    throw new PayloadTooLargeError(limitBytes);
  try {
    return await getRawBody(ctx.req, {
      limit: limitBytes,
      length: Number.isFinite(declared) ? declared : undefined,
    });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') throw new PayloadTooLargeError(limitBytes);
    if (type === 'request.size.invalid') {
      throw new AppError('invalid_body', 400, 'The body length does not match Content-Length.');
    }
    throw error;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a JSON body read as bytes. A syntax error or unstorable text becomes a 400. */
export function parseJson(raw: Buffer): unknown {
  let text: string;
  try {
    // A byte order mark is dropped, and invalid UTF-8 is rejected rather than replaced.
    text = UTF8.decode(raw);
  } catch {
    throw new ValidationError('(body)', 'is not valid UTF-8; send the JSON encoded as UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError('(body)', `is not valid JSON (${(error as Error).message})`);
  }
  const unstorable = findUnstorableText(value);
  if (unstorable) {
    throw new ValidationError(
      unstorable,
      'contains a NUL character (\\u0000) or an unpaired surrogate; remove it and send again',
    );
  }
  return value;
}
