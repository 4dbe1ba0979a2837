import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { METRICS, objectiveProgress } from '../../domain/okr/metrics.js';
import { addDays, localDate, localDayStart, weekStart } from '../../domain/okr/period.js';
import { type Executor, queryRows } from '../../models/db.js';
import {
  type KeyResult,
  listKeyResultsOf,
  listLinkedWork,
  listObjectivesActiveOn,
  listStrategies,
  type Objective,
} from '../../models/okr.js';
import type { Organisation } from '../../models/orgs.js';
import type { Person } from '../../models/people.js';
import { workOrders } from '../../models/schema/index.js';
import { faultTypeLabel } from '../dispatch/service.js';

export interface LatestCheckin {
  confidence: number;
  comment: string | null;
  createdAt: string;
}

/** Loads the latest check-in of each key result. */
async function latestCheckins(db: Executor, ids: string[]): Promise<Map<string, LatestCheckin>> {
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{
    key_result_id: string;
    confidence: number;
    comment: string | null;
    created_at: Date | string;
  }>(
    db,
    sql`select distinct on (key_result_id) key_result_id, confidence, comment, created_at
        from okr_checkins where key_result_id in (${sql.join(
          ids.map((id) => sql`${id}`),
          sql`, `,
        )})
        order by key_result_id, created_at desc`,
  );
  return new Map(
    rows.map((row) => [
      row.key_result_id,
      {
        confidence: Number(row.confidence),
        comment: row.comment,
        createdAt: new Date(row.created_at).toISOString(),
      },
    ]),
  );
}

export function keyResultJson(keyResult: KeyResult, checkin?: LatestCheckin) {
  const metric = METRICS[keyResult.metric as keyof typeof METRICS];
  return {
    id: keyResult.id,
    title: keyResult.title,
    metric: keyResult.metric,
    unit: metric?.unit ?? 'value',
    direction: metric?.direction ?? 'increase',
    params: keyResult.params,
    baseline: keyResult.baseline,
    target: keyResult.target,
    current: keyResult.current,
    progress: keyResult.progress,
    ownerId: keyResult.ownerId,
    computedAt: keyResult.computedAt?.toISOString() ?? null,
    lastCheckin: checkin ?? null,
  };
}

export type KeyResultJson = ReturnType<typeof keyResultJson>;

export interface ObjectiveJson {
  id: string;
  level: Objective['level'];
  title: string;
  parentId: string | null;
  strategyId: string;
  ownerId: string | null;
  regionId: string | null;
  periodStart: string;
  periodEnd: string;
  progress: number;
  keyResults: KeyResultJson[];
}

/** Builds objectives with their key results, progress and latest check-ins. */
export async function objectivesJson(
  db: Executor,
  objectives: Objective[],
): Promise<ObjectiveJson[]> {
  const keyResults = await listKeyResultsOf(
    db,
    objectives.map((objective) => objective.id),
  );
  const checkins = await latestCheckins(
    db,
    keyResults.map((kr) => kr.id),
  );
  return objectives.map((objective) => {
    const own = keyResults.filter((kr) => kr.objectiveId === objective.id);
    return {
      id: objective.id,
      level: objective.level,
      title: objective.title,
      parentId: objective.parentId,
      strategyId: objective.strategyId,
      ownerId: objective.ownerId,
      regionId: objective.regionId,
      periodStart: objective.periodStart,
      periodEnd: objective.periodEnd,
      progress: objectiveProgress(own),
      keyResults: own.map((kr) => keyResultJson(kr, checkins.get(kr.id))),
    };
  });
}

/**
 * Builds a person's OKR tree for the periods that contain today: the company's objectives,
 * their region's team objectives (every region's for HR) and their own.
 */
export async function okrOverview(db: Executor, org: Organisation, person: Person, now: Date) {
  const today = localDate(now, org.timezone);
  const active = await listObjectivesActiveOn(db, org.id, today);
  const visible = active.filter(
    (objective) =>
      objective.level === 'company' ||
      (objective.level === 'team' &&
        (person.role === 'hr' || objective.regionId === person.regionId)) ||
      (objective.level === 'person' && objective.ownerId === person.id),
  );
  const strategies = await listStrategies(db, org.id);
  return {
    today,
    strategies: strategies.map((strategy) => ({
      id: strategy.id,
      position: strategy.position,
      title: strategy.title,
      description: strategy.description,
    })),
    objectives: await objectivesJson(db, visible),
  };
}

/**
 * Summarises how a person's work this week supports each strategy: the orders linked to key
 * results, by strategy, against the orders the person resolved this week.
 */
export async function weeklyAlignment(db: Executor, org: Organisation, person: Person, now: Date) {
  const week = weekStart(now, org.timezone);
  const from = localDayStart(week, org.timezone);
  const to = localDayStart(addDays(week, 7), org.timezone);
  const links = await listLinkedWork(db, org.id, person.id, from, to);
  const strategies = await listStrategies(db, org.id);
  const [resolved] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(workOrders)
    .where(
      and(
        eq(workOrders.orgId, org.id),
        eq(workOrders.assignedEngineerId, person.id),
        eq(workOrders.status, 'resolved'),
        gte(workOrders.resolvedAt, from),
        lt(workOrders.resolvedAt, to),
      ),
    );
  const tracedOrders = new Set(links.map((link) => link.work_order_id));
  return {
    week,
    resolvedThisWeek: Number(resolved?.count ?? 0),
    tracedOrders: tracedOrders.size,
    strategies: strategies.map((strategy) => {
      const own = links.filter((link) => link.strategy_id === strategy.id);
      const orders = new Map<
        string,
        { code: string; faultType: string; status: string; keyResults: string[] }
      >();
      for (const link of own) {
        const entry = orders.get(link.work_order_id) ?? {
          code: link.code,
          faultType: faultTypeLabel(org, link.fault_type),
          status: link.status,
          keyResults: [],
        };
        if (!entry.keyResults.includes(link.key_result_title))
          entry.keyResults.push(link.key_result_title);
        orders.set(link.work_order_id, entry);
      }
      return {
        id: strategy.id,
        position: strategy.position,
        title: strategy.title,
        orders: [...orders.values()],
      };
    }),
  };
}
