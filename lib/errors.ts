/**
 * The errors that Pulse maps to HTTP responses. Each carries a stable machine-readable code,
 * the HTTP status, and whether its message may be shown to the caller.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  /** When false, the caller gets a generic message and the real one goes only to the log. */
  readonly expose: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    status: number,
    message: string,
    options: { expose?: boolean; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.expose = options.expose ?? status < 500;
    this.details = options.details;
  }
}

/** Input that fails validation. `field` is the dotted path of the first invalid value. */
export class ValidationError extends AppError {
  constructor(
    readonly field: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super('invalid_input', 400, `${field}: ${message}`, { details: { field, ...details } });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message: string, code = 'unauthorized') {
    super(code, 401, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are not permitted to do this.', code = 'not_permitted') {
    super(code, 403, message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super('not_found', 404, `${what} ${id} was not found.`, { details: { id } });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict', details?: Record<string, unknown>) {
    super(code, 409, message, details ? { details } : {});
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super('payload_too_large', 413, `The request body is larger than ${limitBytes} bytes.`, {
      details: { limitBytes },
    });
  }
}

/** Builds the JSON body that every error response uses. */
export function errorBody(error: AppError): { error: Record<string, unknown> } {
  return { error: { code: error.code, message: error.message, ...(error.details ?? {}) } };
}

/** A start-up failure the operator can fix: it is printed as its message, without a stack. */
export class StartupError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'StartupError';
  }
}
