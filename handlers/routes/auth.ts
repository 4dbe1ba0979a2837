import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import { asc, eq } from 'drizzle-orm';
import type { Context } from 'koa';
import { z } from 'zod';
import { OAuthError } from '../../bot/oauth/errors.js';
import { FeishuOAuth } from '../../bot/oauth/feishu.js';
import { WecomOAuth } from '../../bot/oauth/wecom.js';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { toLocale } from '../../lib/i18n.js';
import { findPerson, findPersonByIdentity, type PlatformIdentity } from '../../models/people.js';
import { people, regions } from '../../models/schema/index.js';
import { endSession, requireSession, signedIn, startSession } from '../auth/sessions.js';
import { parseJson, readRawBody } from '../http.js';
import { resolveOrg, type Services } from '../services.js';

const STATE_COOKIE = 'pulse_oauth_state';
const STATE_TTL_MS = 10 * 60_000;
const APP_HOME = '/app/';

const sandboxLogin = z.object({
  personId: z.uuid({ error: 'must be the id of a person from /api/auth/sandbox/people' }),
});
const meUpdate = z.object({
  locale: z.enum(['zh-CN', 'en'], { error: 'must be zh-CN or en' }),
});

/**
 * Returns the origin users reach Pulse at: that of PULSE_PUBLIC_URL, or else the scheme and host
 * the request was sent to. Koa's ctx.origin is not used, because it echoes the Origin header.
 */
function ownOrigin(services: Services, ctx: Context): string {
  if (services.config.publicUrl) return new URL(services.config.publicUrl).origin;
  return `${ctx.protocol}://${ctx.host}`;
}

/** Returns the address users reach Pulse at: PULSE_PUBLIC_URL, or the origin of the request. */
function publicBase(services: Services, ctx: Context): string {
  return (services.config.publicUrl ?? ownOrigin(services, ctx)).replace(/\/$/, '');
}

/** A path inside the mini-app to return to after sign-in; anything else means the home page. */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/app\/[A-Za-z0-9/_?=&.-]*$/.test(value) ? value : APP_HOME;
}

/**
 * Rejects a sign-in posted from another site: its Origin header must be Pulse's own, and its body
 * JSON, which a page on another site cannot send without the browser asking first.
 */
function rejectForeignOrigin(services: Services, ctx: Context): void {
  const origin = ctx.get('origin');
  const own = ownOrigin(services, ctx);
  if (origin && origin !== own) {
    ctx.state.log.warn({ origin }, 'sign-in from another origin rejected');
    throw new ForbiddenError(`Sign-in requests must come from ${own}.`, 'foreign_origin');
  }
  if (!ctx.is('application/json')) {
    throw new AppError(
      'unsupported_media_type',
      415,
      'Send the sign-in with Content-Type: application/json.',
    );
  }
}

interface OAuthFlow {
  platform: 'wecom' | 'feishu';
  authorizeUrl(redirectUri: string, state: string): string;
  identify(code: string, redirectUri: string): Promise<PlatformIdentity>;
}

/**
 * The redirect flow of a platform at GET /app/auth/<platform>: without a code it sends the
 * browser to the platform with a random state kept in a short cookie; with a code it checks
 * the state, requests the user's identity from the platform and starts a session. Failures go back to the
 * app with ?signin_error=<code>, so the page can say what to do.
 */
function mountOAuth(router: Router, services: Services, flow: OAuthFlow): void {
  router.get(`/app/auth/${flow.platform}`, async (ctx) => {
    const redirectUri = `${publicBase(services, ctx)}/app/auth/${flow.platform}`;
    const code = typeof ctx.query.code === 'string' ? ctx.query.code : undefined;
    const cookieOptions = {
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: ctx.secure,
      path: '/app/auth',
      overwrite: true,
    };
    if (!code) {
      const state = randomBytes(16).toString('hex');
      const org = typeof ctx.query.org === 'string' ? ctx.query.org : '';
      const saved = JSON.stringify({ state, next: safeNext(ctx.query.next), org });
      ctx.cookies.set(STATE_COOKIE, Buffer.from(saved).toString('base64url'), {
        ...cookieOptions,
        expires: new Date(services.clock.now().getTime() + STATE_TTL_MS),
      });
      ctx.redirect(flow.authorizeUrl(redirectUri, state));
      return;
    }
    const saved = readState(ctx.cookies.get(STATE_COOKIE));
    ctx.cookies.set(STATE_COOKIE, '', { ...cookieOptions, expires: new Date(0) });
    const log = ctx.state.log.child({ platform: flow.platform });
    if (!saved || saved.state !== ctx.query.state) {
      log.warn('sign-in state missing or different');
      ctx.redirect(`${APP_HOME}?signin_error=invalid_state`);
      return;
    }
    try {
      const identity = await flow.identify(code, redirectUri);
      const org = await resolveOrg(services, saved.org || undefined);
      const person = await findPersonByIdentity(services.db, org.id, identity);
      if (!person) {
        log.warn({ orgId: org.id }, 'platform user is not registered in Pulse');
        ctx.redirect(`${APP_HOME}?signin_error=unknown_person`);
        return;
      }
      await startSession(services, ctx, person, flow.platform);
      ctx.redirect(saved.next);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      log.warn({ err: error, code: error.code }, 'platform sign-in failed');
      ctx.redirect(`${APP_HOME}?signin_error=${error.code}`);
    }
  });
}

function readState(
  value: string | undefined,
): { state: string; next: string; org: string } | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    if (typeof parsed.state !== 'string') return undefined;
    return {
      state: parsed.state,
      next: safeNext(parsed.next),
      org: typeof parsed.org === 'string' ? parsed.org : '',
    };
  } catch {
    return undefined;
  }
}

/**
 * Sign-in and the signed-in person: the WeCom and Feishu OAuth flows, the sandbox sign-in (only
 * when the sandbox is on), sign-out, and GET/PATCH /api/me.
 */
export function authRouter(services: Services): Router {
  const router = new Router();
  const { wecom, feishu } = services.config;

  router.get('/api/auth/options', (ctx) => {
    ctx.body = { sandbox: services.config.sandbox, wecom: Boolean(wecom), feishu: Boolean(feishu) };
  });

  if (wecom) {
    const client = new WecomOAuth(wecom);
    mountOAuth(router, services, {
      platform: 'wecom',
      authorizeUrl: (redirectUri, state) => client.authorizeUrl(redirectUri, state),
      identify: async (code) => ({ wecomUserId: await client.userIdForCode(code) }),
    });
  }
  if (feishu) {
    const client = new FeishuOAuth(feishu);
    mountOAuth(router, services, {
      platform: 'feishu',
      authorizeUrl: (redirectUri, state) => client.authorizeUrl(redirectUri, state),
      identify: async (code, redirectUri) => ({
        feishuOpenId: (await client.userForCode(code, redirectUri)).openId,
      }),
    });
  }

  if (services.config.sandbox) {
    router.get('/api/auth/sandbox/people', async (ctx) => {
      const org = await resolveOrg(services, undefined);
      ctx.body = {
        items: await services.db
          .select({
            id: people.id,
            name: people.name,
            employeeNo: people.employeeNo,
            role: people.role,
            region: regions.name,
          })
          .from(people)
          .leftJoin(regions, eq(regions.id, people.regionId))
          .where(eq(people.orgId, org.id))
          .orderBy(asc(people.role), asc(people.employeeNo)),
      };
    });

    router.post('/api/auth/sandbox', async (ctx) => {
      rejectForeignOrigin(services, ctx);
      const parsed = sandboxLogin.safeParse(parseJson(await readRawBody(ctx, 4096)));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ValidationError(
          issue?.path.join('.') || '(body)',
          issue?.message ?? 'is invalid',
        );
      }
      const org = await resolveOrg(services, undefined);
      const person = await findPerson(services.db, org.id, parsed.data.personId);
      if (!person) throw new NotFoundError('Person', parsed.data.personId);
      await startSession(services, ctx, person, 'sandbox');
      ctx.body = { ok: true };
    });
  }

  router.post('/api/auth/logout', requireSession(services), async (ctx) => {
    await endSession(services, ctx);
    ctx.body = { ok: true };
  });

  router.get('/api/me', requireSession(services), async (ctx) => {
    const { person, org, session } = signedIn(ctx);
    const [region] = person.regionId
      ? await services.db.select().from(regions).where(eq(regions.id, person.regionId))
      : [];
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      person: {
        id: person.id,
        name: person.name,
        employeeNo: person.employeeNo,
        role: person.role,
        team: person.team,
        region: region ? { id: region.id, code: region.code, name: region.name } : null,
        isMentor: person.isMentor,
      },
      org: { slug: org.slug, name: org.name, timezone: org.timezone },
      locale: toLocale(person.locale ?? org.locale),
      csrfToken: session.csrfToken,
      sessionExpiresAt: session.expiresAt.toISOString(),
    };
  });

  router.patch('/api/me', requireSession(services), async (ctx) => {
    const { person } = signedIn(ctx);
    const parsed = meUpdate.safeParse(parseJson(await readRawBody(ctx, 4096)));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ValidationError(issue?.path.join('.') || '(body)', issue?.message ?? 'is invalid');
    }
    await services.db
      .update(people)
      .set({ locale: parsed.data.locale })
      .where(eq(people.id, person.id));
    ctx.body = { locale: parsed.data.locale };
  });

  return router;
}
