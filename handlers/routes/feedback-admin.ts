import Router from '@koa/router';
import { inArray } from 'drizzle-orm';
import { isMonth, monthWindow } from '../../domain/feedback/calendar.js';
import { computeTeamMeasures } from '../../domain/feedback/measures.js';
import {
  applyPatch,
  checkRuleSettings,
  effectiveSettings,
  FEEDBACK_RULE_KINDS,
  isRuleKind,
  RULE_DEFINITIONS,
  ruleSettingsPatchSchema,
} from '../../domain/feedback/settings.js';
import { AppError, ValidationError } from '../../lib/errors.js';
import { findRuleSettings, listRuleSettings, saveRuleSettings } from '../../models/feedback.js';
import { listMeasureRows } from '../../models/feedback-sources.js';
import { regions } from '../../models/schema/index.js';
import { parseJson, readRawBody } from '../http.js';
import { resolveOrg, type Services } from '../services.js';
import { requireAdminToken } from './admin.js';

const toDate = (value: Date | string | null) => (value === null ? null : new Date(value));

/**
 * Operator API for feedback, guarded by the admin token: the rules' settings, the measures
 * per team and month, and running a scheduled job by hand.
 */
export function feedbackAdminRouter(services: Services, adminToken: string): Router {
  const router = new Router({ prefix: '/api/admin' });
  router.use(requireAdminToken(adminToken));

  router.get('/jobs', async (ctx) => {
    ctx.body = {
      items: (services.jobs?.list() ?? []).map((job) => ({
        name: job.name,
        schedule: job.schedule,
        description: job.description,
      })),
    };
  });

  router.post('/jobs/:name/run', async (ctx) => {
    const name = ctx.params.name ?? '';
    const job = services.jobs?.get(name);
    if (!services.jobs || !job) {
      const names = services.jobs?.list().map((item) => item.name) ?? [];
      throw new AppError(
        'not_found',
        404,
        `No job named ${name}; use one of ${names.join(', ')}.`,
        {
          details: { field: 'name' },
        },
      );
    }
    const fireTime = services.clock.now();
    const outcome = await services.jobs.run(name, fireTime, 'manual');
    ctx.state.log.info({ job: name, status: outcome.status }, 'job run by an operator');
    ctx.body = { job: name, fireTime: fireTime.toISOString(), ...outcome };
  });

  router.get('/orgs/:slug/feedback/rules', async (ctx) => {
    const org = await resolveOrg(services, ctx.params.slug);
    const stored = new Map(
      (await listRuleSettings(services.db, org.id)).map((row) => [row.rule, row]),
    );
    ctx.body = {
      org: { id: org.id, slug: org.slug },
      items: FEEDBACK_RULE_KINDS.map((kind) => ruleJson(kind, stored.get(kind))),
    };
  });

  router.put('/orgs/:slug/feedback/rules/:kind', async (ctx) => {
    const org = await resolveOrg(services, ctx.params.slug);
    const kind = ctx.params.kind ?? '';
    if (!isRuleKind(kind)) {
      throw new ValidationError('kind', `must be one of ${FEEDBACK_RULE_KINDS.join(', ')}`);
    }
    const parsed = ruleSettingsPatchSchema.safeParse(parseJson(await readRawBody(ctx, 16 * 1024)));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field =
        issue?.code === 'unrecognized_keys'
          ? (issue.keys[0] ?? '(body)')
          : issue?.path.join('.') || '(body)';
      const message =
        issue?.code === 'unrecognized_keys'
          ? 'is not a setting; use enabled, threshold, giver, receiver or due_hours'
          : (issue?.message ?? 'is invalid');
      throw new ValidationError(field, message);
    }
    const current = effectiveSettings(kind, await findRuleSettings(services.db, org.id, kind));
    const merged = applyPatch(current, parsed.data);
    const problem = checkRuleSettings(kind, merged);
    if (problem) throw new ValidationError(problem.field, problem.message);
    await saveRuleSettings(services.db, org.id, kind, merged, services.clock.now());
    ctx.state.log.info({ orgId: org.id, rule: kind, settings: merged }, 'feedback rule changed');
    ctx.body = ruleJson(kind, merged);
  });

  router.get('/orgs/:slug/feedback/measures', async (ctx) => {
    const org = await resolveOrg(services, ctx.params.slug);
    const month = ctx.query.month;
    if (typeof month !== 'string' || !isMonth(month)) {
      throw new ValidationError(
        'month',
        'must be a calendar month written YYYY-MM, such as 2026-12',
      );
    }
    const window = monthWindow(month, org.timezone);
    const rows = await listMeasureRows(services.db, org.id, window);
    const now = services.clock.now();
    const measures = computeTeamMeasures(
      rows.map((row) => ({
        teamId: row.team_id,
        eventKey: row.event_key,
        occurredAt: new Date(row.occurred_at),
        dueAt: new Date(row.due_at),
        status: row.status,
        submittedAt: toDate(row.submitted_at),
        otherTeamActionAt: toDate(row.other_team_action_at),
      })),
      now,
    );
    const teamIds = measures.map((m) => m.teamId).filter((id): id is string => id !== null);
    const teams = new Map(
      teamIds.length === 0
        ? []
        : (await services.db.select().from(regions).where(inArray(regions.id, teamIds))).map(
            (region) => [region.id, region],
          ),
    );
    ctx.body = {
      org: { id: org.id, slug: org.slug },
      month,
      timezone: org.timezone,
      from: window.from.toISOString(),
      to: window.to.toISOString(),
      computedAt: now.toISOString(),
      teams: measures.map((measure) => {
        const team = measure.teamId ? teams.get(measure.teamId) : undefined;
        return {
          team: team ? { id: team.id, code: team.code, name: team.name } : null,
          responseTime: measure.responseTime,
          completion: measure.completion,
        };
      }),
    };
  });

  return router;
}

function ruleJson(
  kind: Parameters<typeof effectiveSettings>[0],
  stored: Parameters<typeof effectiveSettings>[1],
) {
  const settings = effectiveSettings(kind, stored);
  const definition = RULE_DEFINITIONS[kind];
  return {
    kind,
    enabled: settings.enabled,
    threshold: settings.threshold,
    giver: settings.giver,
    receiver: settings.receiver,
    due_hours: settings.dueHours,
    roles: definition.roles,
    threshold_meaning: definition.threshold?.meaning ?? null,
  };
}
