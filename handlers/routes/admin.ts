import { timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Context, Next } from 'koa';
import { AppError, NotFoundError, UnauthorizedError, ValidationError } from '../../lib/errors.js';
import { queryRows } from '../../models/db.js';
import { countInboxByStatus } from '../../models/inbox.js';
import { countOutboxByStatus, resendDeadOutbox } from '../../models/outbox.js';
import { inbox, outbox } from '../../models/schema/index.js';
import { parseJson, readRawBody } from '../http.js';
import { importOrganisation, orgImportSchema } from '../org-import.js';
import { resolveOrg, type Services } from '../services.js';

/** Rejects a request without `Authorization: Bearer <token>`, comparing in constant time. */
interface LatencyRow {
  n: string | number;
  p50: number | string | null;
  p99: number | string | null;
  max: number | string | null;
  work_p50: number | string | null;
  work_p99: number | string | null;
}

function toNumber(value: number | string | null | undefined): number | null {
  return value === null || value === undefined ? null : Math.round(Number(value) * 10) / 10;
}

export function requireAdminToken(token: string) {
  const expected = Buffer.from(`Bearer ${token}`);
  return async (ctx: Context, next: Next) => {
    const given = Buffer.from(ctx.get('authorization'));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new UnauthorizedError('Send Authorization: Bearer <PULSE_ADMIN_TOKEN>.');
    }
    await next();
  };
}

/**
 * Operator API under /api/admin, guarded by the admin token: organisation import, processing
 * statistics, and the dead letters of the outbox and inbox.
 */
export function adminRouter(services: Services, adminToken: string): Router {
  const router = new Router({ prefix: '/api/admin' });
  router.use(requireAdminToken(adminToken));

  router.put('/orgs/:slug', async (ctx) => {
    const slug = ctx.params.slug ?? '';
    if (!/^[a-z0-9-]{2,40}$/.test(slug)) {
      throw new ValidationError('slug', 'use 2-40 lowercase letters, digits or -');
    }
    const parsed = orgImportSchema.safeParse(parseJson(await readRawBody(ctx, 32 * 1024 * 1024)));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ValidationError(issue?.path.join('.') || '(body)', issue?.message ?? 'is invalid', {
        issues: parsed.error.issues
          .slice(0, 20)
          .map((i) => ({ field: i.path.join('.'), message: i.message })),
      });
    }
    const orgId = await services.db.transaction((tx) =>
      importOrganisation(tx, slug, parsed.data, services.clock.now()),
    );
    services.processor.forgetOrganisation(orgId);
    ctx.state.log.info({ orgId, slug, people: parsed.data.people.length }, 'organisation imported');
    ctx.body = {
      id: orgId,
      slug,
      people: parsed.data.people.length,
      regions: parsed.data.regions.length,
    };
  });

  router.get('/orgs/:slug/stats', async (ctx) => {
    const org = await resolveOrg(services, ctx.params.slug);
    // ?brief=1 counts the inbox only, for callers that poll while they send.
    if (ctx.query.brief === '1') {
      ctx.body = {
        org: { id: org.id, slug: org.slug },
        inbox: await countInboxByStatus(services.db, org.id),
      };
      return;
    }
    // Latency runs from the stored event to the committed recommendation, queueing included;
    // processing runs from the moment a worker took the event.
    const [latency] = await queryRows<LatencyRow>(
      services.db,
      sql`select count(*) as n,
            percentile_cont(0.5) within group (order by total_ms) as p50,
            percentile_cont(0.99) within group (order by total_ms) as p99,
            max(total_ms) as max,
            percentile_cont(0.5) within group (order by work_ms) as work_p50,
            percentile_cont(0.99) within group (order by work_ms) as work_p99
          from (select extract(epoch from (r.computed_at - r.event_received_at)) * 1000 as total_ms,
                       extract(epoch from (r.computed_at - i.processed_at)) * 1000 as work_ms
                from dispatch_recommendations r
                  join inbox i on i.id = r.inbox_id
                where r.org_id = ${org.id}) latencies`,
    );
    const rejections = await services.db
      .select({ code: sql<string>`${inbox.outcome}->>'code'`, count: sql<number>`count(*)::int` })
      .from(inbox)
      .where(and(eq(inbox.orgId, org.id), eq(inbox.status, 'rejected')))
      .groupBy(sql`${inbox.outcome}->>'code'`);
    ctx.body = {
      org: { id: org.id, slug: org.slug },
      inbox: await countInboxByStatus(services.db, org.id),
      inboxRejections: Object.fromEntries(rejections.map((row) => [row.code, Number(row.count)])),
      outbox: await countOutboxByStatus(services.db, org.id),
      dispatchLatencyMs: {
        count: Number(latency?.n ?? 0),
        p50: toNumber(latency?.p50),
        p99: toNumber(latency?.p99),
        max: toNumber(latency?.max),
      },
      dispatchProcessingMs: { p50: toNumber(latency?.work_p50), p99: toNumber(latency?.work_p99) },
    };
  });

  router.get('/outbox/dead', async (ctx) => {
    const rows = await services.db
      .select()
      .from(outbox)
      .where(eq(outbox.status, 'dead'))
      .orderBy(desc(outbox.id))
      .limit(200);
    ctx.body = {
      items: rows.map((row) => ({
        id: row.id,
        orgId: row.orgId,
        kind: row.kind,
        recipientId: row.recipientId,
        cardKey: row.cardKey,
        channel: row.channel,
        attempts: row.attempts,
        lastError: row.lastError,
        createdAt: row.createdAt,
      })),
    };
  });

  router.post('/outbox/:id/resend', async (ctx) => {
    const id = Number(ctx.params.id);
    if (!Number.isSafeInteger(id)) throw new ValidationError('id', 'must be an outbox id');
    const resent = await resendDeadOutbox(services.db, id, services.clock.now());
    if (!resent) {
      const [row] = await services.db
        .select({ status: outbox.status })
        .from(outbox)
        .where(eq(outbox.id, id));
      if (!row) throw new NotFoundError('Outbox message', String(id));
      throw new AppError(
        'not_dead',
        409,
        `Outbox message ${id} is ${row.status}, not dead; only dead messages can be resent.`,
      );
    }
    ctx.state.log.info({ outboxId: id }, 'dead message queued again by an operator');
    services.sender.wake();
    ctx.body = { id, status: 'pending' };
  });

  // Failed events kept failing and wait for an operator. Rejected events were refused for the
  // reason in their outcome, such as an order resolved before it was opened.
  for (const status of ['failed', 'rejected'] as const) {
    router.get(`/inbox/${status}`, async (ctx) => {
      const rows = await services.db
        .select()
        .from(inbox)
        .where(eq(inbox.status, status))
        .orderBy(desc(inbox.id))
        .limit(200);
      ctx.body = {
        items: rows.map((row) => ({
          id: row.id,
          orgId: row.orgId,
          source: row.source,
          sourceId: row.sourceId,
          type: row.type,
          attempts: row.attempts,
          code: (row.outcome as { code?: string } | null)?.code ?? null,
          lastError: row.lastError,
          receivedAt: row.receivedAt,
          processedAt: row.processedAt,
        })),
      };
    });
  }

  return router;
}
