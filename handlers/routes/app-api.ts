import Router from '@koa/router';
import { and, desc, eq, gte } from 'drizzle-orm';
import type { Context } from 'koa';
import { z } from 'zod';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { findScopedKeyResult, listCheckins, listHistory } from '../../models/okr.js';
import { findPerson } from '../../models/people.js';
import {
  okrKeyResults,
  okrObjectives,
  okrStrategies,
  okrWorkOrderLinks,
  personSkills,
  workOrders,
} from '../../models/schema/index.js';
import { canViewKeyResult, requestedPerson } from '../app-api/access.js';
import { FEEDBACK_BOXES, type FeedbackBox, feedbackBox } from '../app-api/feedback.js';
import { keyResultJson, okrOverview, weeklyAlignment } from '../app-api/okr-view.js';
import { teamSummary } from '../app-api/team.js';
import { requireSession, signedIn } from '../auth/sessions.js';
import { CardQueue, Rejection } from '../context.js';
import { faultTypeLabel } from '../dispatch/service.js';
import { parseJson, readRawBody } from '../http.js';
import { recordCheckin } from '../okr/checkins.js';
import type { Services } from '../services.js';

const UUID = z.uuid();

/**
 * Builds the mini-app's JSON API under /api. Every route needs a session, and each one limits
 * its data on the server to what the signed-in person may see.
 */
export function appApiRouter(services: Services): Router {
  const router = new Router({ prefix: '/api' });
  router.use(requireSession(services));
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  router.get('/okr', async (ctx) => {
    const { org } = signedIn(ctx);
    const person = await requestedPerson(services.db, ctx);
    ctx.body = {
      person: { id: person.id, name: person.name, role: person.role },
      ...(await okrOverview(services.db, org, person, services.clock.now())),
    };
  });

  router.get('/okr/alignment', async (ctx) => {
    const { org } = signedIn(ctx);
    const person = await requestedPerson(services.db, ctx);
    ctx.body = await weeklyAlignment(services.db, org, person, services.clock.now());
  });

  const visibleKeyResult = async (ctx: Context) => {
    const { person: viewer, org } = signedIn(ctx);
    const id = ctx.params.id ?? '';
    if (!UUID.safeParse(id).success) throw new NotFoundError('Key result', id);
    const keyResult = await findScopedKeyResult(services.db, org.id, id);
    if (!keyResult) throw new NotFoundError('Key result', id);
    const owner = keyResult.personId
      ? await findPerson(services.db, org.id, keyResult.personId)
      : undefined;
    if (!canViewKeyResult(viewer, keyResult, owner)) {
      ctx.state.log.warn({ keyResultId: id }, 'key result access rejected');
      throw new ForbiddenError('This key result belongs to someone whose data you may not see.');
    }
    return keyResult;
  };

  router.get('/okr/key-results/:id', async (ctx) => {
    const { person: viewer, org } = signedIn(ctx);
    const keyResult = await visibleKeyResult(ctx);
    const [strategy] = await services.db
      .select()
      .from(okrStrategies)
      .where(eq(okrStrategies.id, keyResult.strategyId));
    const work = await services.db
      .select({
        code: workOrders.code,
        faultType: workOrders.faultType,
        status: workOrders.status,
        linkedAt: okrWorkOrderLinks.linkedAt,
      })
      .from(okrWorkOrderLinks)
      .innerJoin(workOrders, eq(workOrders.id, okrWorkOrderLinks.workOrderId))
      .where(eq(okrWorkOrderLinks.keyResultId, keyResult.id))
      .orderBy(desc(okrWorkOrderLinks.linkedAt))
      .limit(20);
    const checkins = await listCheckins(services.db, keyResult.id);
    ctx.body = {
      keyResult: keyResultJson(keyResult),
      objective: {
        id: keyResult.objectiveId,
        title: keyResult.objectiveTitle,
        level: keyResult.level,
      },
      strategy: strategy
        ? { id: strategy.id, title: strategy.title, position: strategy.position }
        : null,
      periodStart: keyResult.periodStart,
      periodEnd: keyResult.periodEnd,
      canCheckIn: keyResult.ownerId === viewer.id,
      history: (await listHistory(services.db, keyResult.id)).map((row) => ({
        at: row.at.toISOString(),
        value: row.value,
        progress: row.progress,
        cause: row.cause,
      })),
      checkins: checkins.map((checkin) => ({
        id: checkin.id,
        confidence: checkin.confidence,
        comment: checkin.comment,
        value: checkin.value,
        via: checkin.via,
        createdAt: checkin.createdAt.toISOString(),
      })),
      work: work.map((row) => ({
        code: row.code,
        faultType: faultTypeLabel(org, row.faultType),
        status: row.status,
        linkedAt: row.linkedAt.toISOString(),
      })),
    };
  });

  router.post('/okr/key-results/:id/checkins', async (ctx) => {
    const { person, org } = signedIn(ctx);
    await visibleKeyResult(ctx);
    const body = parseJson(await readRawBody(ctx, 16 * 1024));
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ValidationError('(body)', 'must be a JSON object with confidence and comment');
    }
    const input = body as Record<string, unknown>;
    try {
      const checkin = await services.db.transaction(async (tx) => {
        const now = services.clock.now();
        const keyResult = await findScopedKeyResult(tx, org.id, ctx.params.id ?? '', true);
        if (!keyResult) throw new NotFoundError('Key result', ctx.params.id ?? '');
        const cards = new CardQueue(tx, org.id, now, undefined);
        const saved = await recordCheckin(
          { tx, org, now, cards },
          keyResult,
          person,
          { confidence: input.confidence, comment: input.comment, value: input.value },
          'miniapp',
        );
        await cards.flush();
        return saved;
      });
      services.sender.wake();
      ctx.state.log.info(
        { checkinId: checkin.id, keyResultId: checkin.keyResultId },
        'check-in recorded',
      );
      ctx.status = 201;
      ctx.body = {
        id: checkin.id,
        confidence: checkin.confidence,
        createdAt: checkin.createdAt.toISOString(),
      };
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      if (error.status === 400)
        throw new ValidationError(
          error.field ?? '(body)',
          error.message.replace(/^[^:]+: /, ''),
          error.details,
        );
      if (error.status === 403) throw new ForbiddenError(error.message, error.code);
      throw error;
    }
  });

  router.get('/team', async (ctx) => {
    const { person, org } = signedIn(ctx);
    if (person.role === 'engineer') {
      throw new ForbiddenError('The team view is for managers and HR.');
    }
    ctx.body = await teamSummary(services.db, org, person, services.clock.now());
  });

  router.get('/record', async (ctx) => {
    const { org } = signedIn(ctx);
    const person = await requestedPerson(services.db, ctx);
    const met = await services.db
      .select({
        id: okrKeyResults.id,
        title: okrKeyResults.title,
        metric: okrKeyResults.metric,
        current: okrKeyResults.current,
        target: okrKeyResults.target,
        objective: okrObjectives.title,
        periodEnd: okrObjectives.periodEnd,
      })
      .from(okrKeyResults)
      .innerJoin(okrObjectives, eq(okrObjectives.id, okrKeyResults.objectiveId))
      .where(and(eq(okrKeyResults.ownerId, person.id), gte(okrKeyResults.progress, 1)))
      .orderBy(desc(okrObjectives.periodEnd));
    const certifications = await services.db
      .select()
      .from(personSkills)
      .where(and(eq(personSkills.personId, person.id), eq(personSkills.certified, true)));
    ctx.body = {
      person: { id: person.id, name: person.name },
      keyResultsMet: met,
      certifications: certifications.map((skill) => ({
        faultType: skill.faultType,
        label: faultTypeLabel(org, skill.faultType),
        level: skill.level,
      })),
      feedback: await feedbackBox(services.db, org, person, 'received'),
    };
  });

  router.get('/feedback', async (ctx) => {
    const { org } = signedIn(ctx);
    const person = await requestedPerson(services.db, ctx);
    const box = typeof ctx.query.box === 'string' ? ctx.query.box : 'inbox';
    if (!(FEEDBACK_BOXES as readonly string[]).includes(box)) {
      throw new ValidationError('box', `must be one of ${FEEDBACK_BOXES.join(', ')}`);
    }
    ctx.body = { box, items: await feedbackBox(services.db, org, person, box as FeedbackBox) };
  });

  router.get('/learning', async (ctx) => {
    await requestedPerson(services.db, ctx);
    // NOTE: the course feature fills this; until then the app shows its empty state.
    ctx.body = { available: false, path: null, courses: [] };
  });

  return router;
}
