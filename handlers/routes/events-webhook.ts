import Router from '@koa/router';
import { and, asc, eq } from 'drizzle-orm';
import { orderingKeyOf, parseBusinessEvent } from '../../domain/events.js';
import { AppError, UnauthorizedError, ValidationError } from '../../lib/errors.js';
import { verifySignature } from '../../lib/signature.js';
import { storeInboxEvent } from '../../models/inbox.js';
import type { Organisation } from '../../models/orgs.js';
import { regions } from '../../models/schema/index.js';
import { parseJson, readRawBody } from '../http.js';
import { resolveOrg, type Services } from '../services.js';

/** Largest accepted event body. */
export const MAX_EVENT_BYTES = 1024 * 1024;

const SIGNATURE_MESSAGES: Record<string, string> = {
  missing_signature: 'The X-Pulse-Signature header is missing.',
  missing_timestamp: 'The X-Pulse-Timestamp header is missing.',
  malformed_timestamp: 'X-Pulse-Timestamp must be unix seconds.',
  stale_timestamp:
    'X-Pulse-Timestamp is more than 5 minutes away from the server time; check the sender clock.',
  bad_signature:
    'X-Pulse-Signature does not match the body; sign "<timestamp>.<raw body>" with the shared secret.',
};

/**
 * POST /webhooks/events: verifies the signature over the raw body before reading it, validates
 * the event, stores it once per id and acknowledges; processing happens afterwards.
 */
export function eventsWebhookRouter(services: Services): Router {
  const router = new Router();
  router.post('/webhooks/events', async (ctx) => {
    const raw = await readRawBody(ctx, MAX_EVENT_BYTES);
    const check = verifySignature(
      services.config.webhookSecret,
      ctx.get('x-pulse-signature') || undefined,
      ctx.get('x-pulse-timestamp') || undefined,
      raw,
      services.clock.now(),
    );
    if (!check.ok) {
      ctx.state.log.warn({ reason: check.reason }, 'event webhook rejected');
      throw new UnauthorizedError(
        SIGNATURE_MESSAGES[check.reason] ?? 'Invalid signature.',
        check.reason,
      );
    }

    const parsed = parseBusinessEvent(parseJson(raw));
    if (!parsed.ok) {
      throw new ValidationError(parsed.error.field, parsed.error.message, {
        issues: parsed.error.issues,
      });
    }
    const event = parsed.event;
    const org = await resolveOrg(services, ctx.get('x-pulse-org') || undefined);
    if (event.type === 'work_order.created') {
      await checkRegion(services, org, event.data.customer.region);
    }
    const stored = await storeInboxEvent(services.db, {
      orgId: org.id,
      source: 'events',
      sourceId: event.id,
      type: event.type,
      orderingKey: orderingKeyOf(event),
      payload: event as unknown as Record<string, unknown>,
      receivedAt: services.clock.now(),
    });
    const log = ctx.state.log.child({
      eventId: event.id,
      eventType: event.type,
      orgId: org.id,
      inboxId: stored.id,
    });
    if (stored.status === 'conflict') {
      log.warn('event id reused with a different body');
      throw new AppError(
        'event_id_conflict',
        409,
        `Event ${event.id} was received before with a different body; give a changed event a new id.`,
        { details: { field: 'id' } },
      );
    }
    if (stored.status === 'duplicate') {
      log.info('duplicate event acknowledged');
      ctx.status = 200;
      ctx.body = { status: 'duplicate', id: event.id };
      return;
    }
    log.info('event stored');
    services.faultPoint('after-inbox-store');
    services.processor.wake();
    ctx.status = 202;
    ctx.body = { status: 'accepted', id: event.id };
  });
  return router;
}

/** Rejects a region code the organisation does not have, listing the codes it does have. */
async function checkRegion(services: Services, org: Organisation, code: string): Promise<void> {
  const [match] = await services.db
    .select({ id: regions.id })
    .from(regions)
    .where(and(eq(regions.orgId, org.id), eq(regions.code, code)));
  if (match) return;
  // Only a rejected event pays for the list of the organisation's codes.
  const known = await services.db
    .select({ code: regions.code })
    .from(regions)
    .where(eq(regions.orgId, org.id))
    .orderBy(asc(regions.code));
  const codes = known.map((region) => region.code);
  const list = codes.length > 20 ? `${codes.slice(0, 20).join(', ')}, …` : codes.join(', ');
  throw new ValidationError(
    'data.customer.region',
    `${JSON.stringify(code)} is not a region of ${org.slug} (it has ${list || 'none'}); send one of those or add it with PUT /api/admin/orgs/${org.slug}`,
  );
}
