import { eq, sql } from 'drizzle-orm';
import {
  type RatedOrder,
  type ResolvedOrder,
  summariseOrders,
  summariseRatings,
} from '../../domain/okr/aggregate.js';
import { METRICS, type MetricId, metricValue, progressShare } from '../../domain/okr/metrics.js';
import {
  addDays,
  localDayStart,
  periodWindow,
  quarterOf,
  weekStart,
} from '../../domain/okr/period.js';
import { type KeyResultScope, orderInScope } from '../../domain/okr/trace.js';
import { newId } from '../../lib/ids.js';
import { type Executor, queryRows } from '../../models/db.js';
import {
  okrKeyResults,
  okrObjectives,
  okrProgressHistory,
  okrStrategies,
  okrWorkOrderLinks,
  organisations,
  people,
  personSkills,
  regions,
} from '../../models/schema/index.js';
import { FAULT_TYPES } from './demo-data.js';

const STRATEGIES = [
  {
    title: '一次修好：设备一次恢复',
    description: '首次修复率是客户信任的起点，减少二次上门。',
  },
  {
    title: '快速响应：缩短停机时间',
    description: '从报修到恢复的每一小时都是医院的检查排期。',
  },
  {
    title: '客户信赖：满意与复购',
    description: '满意的科室会续签服务合同并推荐我们的设备。',
  },
] as const;

interface KeyResultSpec {
  title: string;
  metric: MetricId;
  baseline: number;
  target: number;
  params?: Record<string, string>;
}

interface ObjectiveSpec {
  strategy: 0 | 1 | 2;
  title: string;
  keyResults: KeyResultSpec[];
}

const COMPANY: ObjectiveSpec[] = [
  {
    strategy: 0,
    title: '全公司首次修复率达到行业领先',
    keyResults: [
      { title: '首次修复率达到 88%', metric: 'first_time_fix_rate', baseline: 75, target: 88 },
      { title: '工程师完成 80 门微课', metric: 'courses_completed', baseline: 0, target: 80 },
    ],
  },
  {
    strategy: 1,
    title: '把平均修复时长压到 16 小时以内',
    keyResults: [
      {
        title: '平均修复时长降到 16 小时',
        metric: 'mean_resolution_hours',
        baseline: 26,
        target: 16,
      },
    ],
  },
  {
    strategy: 2,
    title: '让客户愿意续约和推荐',
    keyResults: [
      { title: '复购意愿达到 8.5 分', metric: 'repurchase_intent', baseline: 6, target: 8.5 },
      { title: '完成 200 次结构化反馈', metric: 'feedback_completed', baseline: 0, target: 200 },
    ],
  },
];

const team = (name: string): ObjectiveSpec[] => [
  {
    strategy: 0,
    title: `${name}首次修复率领先全国`,
    keyResults: [
      {
        title: `${name}首次修复率达到 88%`,
        metric: 'first_time_fix_rate',
        baseline: 75,
        target: 88,
      },
    ],
  },
  {
    strategy: 1,
    title: `${name}设备更快恢复`,
    keyResults: [
      {
        title: `${name}平均修复时长降到 16 小时`,
        metric: 'mean_resolution_hours',
        baseline: 26,
        target: 16,
      },
      { title: '完成 4 次备件前置仓演练', metric: 'manual', baseline: 0, target: 4 },
    ],
  },
  {
    strategy: 2,
    title: `${name}客户满意度提升`,
    keyResults: [
      { title: '客户平均评分达到 4.4', metric: 'mean_rating', baseline: 3.4, target: 4.4 },
      { title: '复购意愿达到 8.5 分', metric: 'repurchase_intent', baseline: 6, target: 8.5 },
    ],
  },
];

const person = (faultType: string): ObjectiveSpec[] => [
  {
    strategy: 0,
    title: '一次修好每台设备',
    keyResults: [
      { title: '首次修复率达到 88%', metric: 'first_time_fix_rate', baseline: 60, target: 88 },
      {
        title: `解决 15 单 ${FAULT_TYPES[faultType] ?? faultType}`,
        metric: 'orders_resolved',
        baseline: 0,
        target: 15,
        params: { faultType },
      },
    ],
  },
  {
    strategy: 1,
    title: '更快恢复设备',
    keyResults: [
      {
        title: '平均修复时长降到 16 小时',
        metric: 'mean_resolution_hours',
        baseline: 30,
        target: 16,
      },
      { title: '本季度解决 35 单', metric: 'orders_resolved', baseline: 0, target: 35 },
    ],
  },
  {
    strategy: 2,
    title: '让客户满意',
    keyResults: [
      { title: '客户平均评分达到 4.5', metric: 'mean_rating', baseline: 2.5, target: 4.5 },
    ],
  },
];

/**
 * Seeds the demo organisation's OKRs for the quarter that contains `now`: three strategies,
 * company, team (one set per region) and person objectives, and key results bound to the
 * seeded work orders. Their values and weekly history are computed from those orders.
 */
export async function seedDemoOkrs(tx: Executor, orgId: string, now: Date): Promise<number> {
  const [org] = await tx.select().from(organisations).where(eq(organisations.id, orgId));
  if (!org) throw new Error(`organisation ${orgId} not found`);
  const timeZone = org.timezone;
  const quarter = quarterOf(now, timeZone);
  const staff = await tx
    .select()
    .from(people)
    .where(eq(people.orgId, orgId))
    .orderBy(people.employeeNo);
  const regionRows = await tx.select().from(regions).where(eq(regions.orgId, orgId));
  const skills = await tx.select().from(personSkills).where(eq(personSkills.orgId, orgId));
  const hr = staff.find((p) => p.role === 'hr');

  const strategyIds = STRATEGIES.map(() => newId());
  await tx.insert(okrStrategies).values(
    STRATEGIES.map((strategy, index) => ({
      id: strategyIds[index] as string,
      orgId,
      position: index + 1,
      title: strategy.title,
      description: strategy.description,
      createdAt: now,
    })),
  );

  const objectives: (typeof okrObjectives.$inferInsert)[] = [];
  const keyResults: (typeof okrKeyResults.$inferInsert & { scope: KeyResultScope })[] = [];
  const addObjectives = (
    specs: ObjectiveSpec[],
    level: 'company' | 'team' | 'person',
    ownerId: string | null,
    regionId: string | null,
    parents: string[] | undefined,
  ): string[] =>
    specs.map((spec, index) => {
      const id = newId();
      objectives.push({
        id,
        orgId,
        level,
        title: spec.title,
        parentId: parents?.[index] ?? null,
        strategyId: strategyIds[spec.strategy] as string,
        regionId,
        ownerId,
        periodStart: quarter.start,
        periodEnd: quarter.end,
        createdAt: now,
      });
      spec.keyResults.forEach((kr, position) => {
        const keyResultId = newId();
        keyResults.push({
          id: keyResultId,
          orgId,
          objectiveId: id,
          title: kr.title,
          metric: kr.metric,
          params: kr.params ?? {},
          baseline: kr.baseline,
          target: kr.target,
          ownerId,
          position,
          createdAt: now,
          scope: {
            id: keyResultId,
            metric: kr.metric,
            params: kr.params ?? {},
            level,
            personId: level === 'person' ? ownerId : null,
            regionId,
            position,
          },
        });
      });
      return id;
    });

  const companyIds = addObjectives(COMPANY, 'company', hr?.id ?? null, null, undefined);
  for (const region of regionRows) {
    const manager = staff.find((p) => p.role === 'manager' && p.regionId === region.id);
    const teamIds = addObjectives(team(region.name), 'team', manager?.id ?? null, region.id, [
      companyIds[0] as string,
      companyIds[1] as string,
      companyIds[2] as string,
    ]);
    for (const engineer of staff.filter((p) => p.role === 'engineer' && p.regionId === region.id)) {
      const primary = skills.find((s) => s.personId === engineer.id)?.faultType ?? 'ct_tube';
      addObjectives(person(primary), 'person', engineer.id, region.id, teamIds);
    }
  }
  await tx.insert(okrObjectives).values(objectives);

  const window = periodWindow(quarter.start, quarter.end, timeZone);
  const { orders, ratings } = await loadPeriodWork(tx, orgId, window.from, window.to);
  // History points at each Monday of the period so far, and the value now.
  const points: Date[] = [];
  for (let day = weekStart(window.from, timeZone); ; day = addDays(day, 7)) {
    const at = localDayStart(day, timeZone);
    if (at >= now) break;
    if (at > window.from) points.push(at);
  }
  points.push(now);

  const history: (typeof okrProgressHistory.$inferInsert)[] = [];
  for (const keyResult of keyResults) {
    const valueAt = (until: Date) => {
      const source = METRICS[keyResult.scope.metric].source;
      const inScope = (facts: ResolvedOrder | RatedOrder) => orderInScope(facts, keyResult.scope);
      const value = metricValue(keyResult.scope.metric, {
        orders: summariseOrders(
          source === 'orders' ? orders.filter((o) => o.resolvedAt < until && inScope(o)) : [],
        ),
        ratings: summariseRatings(
          source === 'ratings' ? ratings.filter((r) => r.submittedAt < until && inScope(r)) : [],
        ),
        count: 0,
        manual: null,
      });
      return { value, progress: progressShare(keyResult.baseline ?? 0, keyResult.target, value) };
    };
    let last: { value: number | null; progress: number } | undefined;
    for (const at of points) {
      const point = valueAt(at);
      if (last && last.value === point.value) continue;
      history.push({
        orgId,
        keyResultId: keyResult.id,
        value: point.value,
        progress: point.progress,
        cause: 'seed',
        at,
      });
      last = point;
    }
    keyResult.current = last?.value ?? null;
    keyResult.progress = last?.progress ?? 0;
    keyResult.computedAt = now;
  }
  const links = linksOf(orgId, objectives, keyResults, orders, ratings);
  const rows = keyResults.map(({ scope: _scope, ...row }) => row);
  for (let start = 0; start < rows.length; start += 500) {
    await tx.insert(okrKeyResults).values(rows.slice(start, start + 500));
  }
  for (let start = 0; start < history.length; start += 500) {
    await tx.insert(okrProgressHistory).values(history.slice(start, start + 500));
  }
  for (let start = 0; start < links.length; start += 1000) {
    await tx.insert(okrWorkOrderLinks).values(links.slice(start, start + 1000));
  }
  return keyResults.length;
}

/**
 * Links each seeded order to the key results it counts towards, as the event handlers do for
 * live orders: at its resolution for order metrics and at its rating for rating metrics.
 */
function linksOf(
  orgId: string,
  objectives: (typeof okrObjectives.$inferInsert)[],
  keyResults: (typeof okrKeyResults.$inferInsert & { scope: KeyResultScope })[],
  orders: (ResolvedOrder & { workOrderId: string })[],
  ratings: (RatedOrder & { workOrderId: string })[],
): (typeof okrWorkOrderLinks.$inferInsert)[] {
  const strategyOf = new Map(objectives.map((objective) => [objective.id, objective.strategyId]));
  const links = new Map<string, typeof okrWorkOrderLinks.$inferInsert>();
  const link = (
    facts: (ResolvedOrder | RatedOrder) & { workOrderId: string },
    linkedAt: Date,
    source: 'orders' | 'ratings',
  ) => {
    for (const keyResult of keyResults) {
      if (METRICS[keyResult.scope.metric].source !== source) continue;
      if (!orderInScope(facts, keyResult.scope)) continue;
      const key = `${facts.workOrderId}:${keyResult.id}`;
      if (links.has(key)) continue;
      links.set(key, {
        orgId,
        workOrderId: facts.workOrderId,
        keyResultId: keyResult.id as string,
        strategyId: strategyOf.get(keyResult.objectiveId) as string,
        engineerId: facts.engineerId,
        linkedAt,
      });
    }
  };
  for (const order of orders) link(order, order.resolvedAt, 'orders');
  for (const rating of ratings) link(rating, rating.submittedAt, 'ratings');
  return [...links.values()];
}

/** Loads the resolved orders and ratings of a period, with the facts the scopes look at. */
async function loadPeriodWork(tx: Executor, orgId: string, from: Date, to: Date) {
  const orderRows = await queryRows<{
    id: string;
    engineer_id: string | null;
    region_id: string | null;
    fault_type: string;
    opened_at: Date | string;
    resolved_at: Date | string;
    first_time_fix: boolean | null;
  }>(
    tx,
    sql`select id, assigned_engineer_id as engineer_id, region_id, fault_type, opened_at, resolved_at,
          first_time_fix
        from work_orders
        where org_id = ${orgId} and status = 'resolved'
          and resolved_at >= ${from.toISOString()} and resolved_at < ${to.toISOString()}`,
  );
  const ratingRows = await queryRows<{
    work_order_id: string;
    engineer_id: string | null;
    region_id: string | null;
    fault_type: string;
    score: number;
    repurchase_intent: number | null;
    submitted_at: Date | string;
  }>(
    tx,
    sql`select r.work_order_id, r.engineer_id, o.region_id, o.fault_type, r.score, r.repurchase_intent, r.submitted_at
        from ratings r join work_orders o on o.id = r.work_order_id
        where r.org_id = ${orgId}
          and r.submitted_at >= ${from.toISOString()} and r.submitted_at < ${to.toISOString()}`,
  );
  const orders: (ResolvedOrder & { workOrderId: string })[] = orderRows.map((row) => ({
    workOrderId: row.id,
    engineerId: row.engineer_id,
    regionId: row.region_id,
    faultType: row.fault_type,
    openedAt: new Date(row.opened_at),
    resolvedAt: new Date(row.resolved_at),
    firstTimeFix: row.first_time_fix,
  }));
  const ratings: (RatedOrder & { workOrderId: string })[] = ratingRows.map((row) => ({
    workOrderId: row.work_order_id,
    engineerId: row.engineer_id,
    regionId: row.region_id,
    faultType: row.fault_type,
    score: Number(row.score),
    repurchaseIntent: row.repurchase_intent === null ? null : Number(row.repurchase_intent),
    submittedAt: new Date(row.submitted_at),
  }));
  return { orders, ratings };
}
