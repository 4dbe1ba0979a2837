import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { ForbiddenError, UnauthorizedError } from '../../lib/errors.js';
import { findOrgById, type Organisation } from '../../models/orgs.js';
import type { Person } from '../../models/people.js';
import {
  type AppSession,
  deleteExpiredSessions,
  deleteSession,
  findSession,
  insertSession,
} from '../../models/sessions.js';
import type { Services } from '../services.js';

export const SESSION_COOKIE = 'pulse_session';
export const CSRF_HEADER = 'x-csrf-token';

/** The signed-in person of a request, set by `requireSession`. */
export interface SignedIn {
  session: AppSession;
  person: Person;
  org: Organisation;
}

declare module 'koa' {
  interface DefaultState {
    signedIn?: SignedIn;
  }
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const sign = (secret: string, token: string) =>
  createHmac('sha256', secret).update(token).digest('base64url');

function equalText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Reads the cookie's token when its signature is valid. */
function tokenFromCookie(ctx: Context, secret: string): string | undefined {
  const value = ctx.cookies.get(SESSION_COOKIE);
  if (!value) return undefined;
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const token = value.slice(0, dot);
  return equalText(value.slice(dot + 1), sign(secret, token)) ? token : undefined;
}

function cookieOptions(ctx: Context, expires: Date) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: ctx.secure,
    path: '/',
    expires,
    overwrite: true,
  };
}

/**
 * Starts a session for `person`: stores the hash of a random token, and sets the signed,
 * HttpOnly, SameSite cookie that carries the token.
 */
export async function startSession(
  services: Services,
  ctx: Context,
  person: Person,
  via: 'wecom' | 'feishu' | 'sandbox',
): Promise<AppSession> {
  const now = services.clock.now();
  const token = randomBytes(32).toString('base64url');
  const session: AppSession = {
    id: hashToken(token),
    orgId: person.orgId,
    personId: person.id,
    csrfToken: randomBytes(24).toString('base64url'),
    via,
    createdAt: now,
    expiresAt: new Date(now.getTime() + services.config.session.hours * 3_600_000),
  };
  await deleteExpiredSessions(services.db, person.id, now);
  await insertSession(services.db, session);
  ctx.cookies.set(
    SESSION_COOKIE,
    `${token}.${sign(services.config.session.secret, token)}`,
    cookieOptions(ctx, session.expiresAt),
  );
  ctx.state.log.info({ personId: person.id, orgId: person.orgId, via }, 'session started');
  return session;
}

/** Ends the request's session, if any, and clears the cookie. */
export async function endSession(services: Services, ctx: Context): Promise<void> {
  const token = tokenFromCookie(ctx, services.config.session.secret);
  if (token) await deleteSession(services.db, hashToken(token));
  ctx.cookies.set(SESSION_COOKIE, '', cookieOptions(ctx, new Date(0)));
}

/**
 * Reads the request's session. Throws 401 when it is missing, forged or expired, and 403 when
 * a change (any method but GET, HEAD and OPTIONS) lacks the session's CSRF token in the
 * X-CSRF-Token header, which only a page of this origin can read from GET /api/me.
 */
export async function readSession(services: Services, ctx: Context): Promise<SignedIn> {
  const token = tokenFromCookie(ctx, services.config.session.secret);
  const found = token ? await findSession(services.db, hashToken(token)) : undefined;
  if (!found) throw new UnauthorizedError('Sign in to Pulse first.', 'not_signed_in');
  if (found.session.expiresAt <= services.clock.now()) {
    await deleteSession(services.db, found.session.id);
    throw new UnauthorizedError(
      'The session expired; open Pulse again to sign in.',
      'session_expired',
    );
  }
  if (!['GET', 'HEAD', 'OPTIONS'].includes(ctx.method)) {
    const csrfToken = ctx.get(CSRF_HEADER);
    if (!csrfToken || !equalText(csrfToken, found.session.csrfToken)) {
      throw new ForbiddenError(
        `The ${CSRF_HEADER} header is missing or wrong; send the csrfToken from GET /api/me.`,
        'csrf_token_invalid',
      );
    }
  }
  const org = await findOrgById(services.db, found.session.orgId);
  if (!org) {
    throw new UnauthorizedError('The organisation of this session is gone.', 'not_signed_in');
  }
  return { ...found, org };
}

/** Requires a session (see `readSession`) and puts the signed-in person in `ctx.state.signedIn`. */
export function requireSession(services: Services) {
  return async (ctx: Context, next: Next) => {
    const signed = await readSession(services, ctx);
    ctx.state.signedIn = signed;
    ctx.state.log = ctx.state.log.child({ personId: signed.person.id, orgId: signed.org.id });
    await next();
  };
}

/** Returns the signed-in person; use only behind `requireSession`. */
export function signedIn(ctx: Context): SignedIn {
  const value = ctx.state.signedIn;
  if (!value) throw new UnauthorizedError('Sign in to Pulse first.', 'not_signed_in');
  return value;
}
