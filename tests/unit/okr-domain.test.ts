import { describe, expect, it } from 'vitest';
import { summariseOrders, summariseRatings } from '../../domain/okr/aggregate.js';
import {
  metricValue,
  objectiveProgress,
  progressShare,
  sourcesChangedBy,
} from '../../domain/okr/metrics.js';
import {
  addDays,
  inPeriod,
  localDate,
  localDayStart,
  periodWindow,
  quarterOf,
  weekStart,
} from '../../domain/okr/period.js';
import { byRelevance, type KeyResultScope, orderInScope } from '../../domain/okr/trace.js';
import { completionCard, keyResultProgressBlock } from '../../handlers/okr/cards.js';
import { messages } from '../../miniapp/src/messages.js';
import type { ScopedKeyResult } from '../../models/okr.js';

describe('OKR metrics', () => {
  const orders = { resolved: 4, firstTimeFixes: 3, resolutionHours: 50 };
  const ratings = { count: 3, scoreSum: 13, intentCount: 2, intentSum: 15 };

  it('computes each metric from its aggregates', () => {
    expect(metricValue('orders_resolved', { orders })).toBe(4);
    expect(metricValue('first_time_fix_rate', { orders })).toBe(75);
    expect(metricValue('mean_resolution_hours', { orders })).toBe(12.5);
    expect(metricValue('mean_rating', { ratings })).toBe(4.33);
    expect(metricValue('repurchase_intent', { ratings })).toBe(7.5);
    expect(metricValue('feedback_completed', { count: 6 })).toBe(6);
    expect(metricValue('courses_completed', {})).toBe(0);
    expect(metricValue('manual', { manual: 3 })).toBe(3);
  });

  it('returns null for a mean over nothing', () => {
    const none = { resolved: 0, firstTimeFixes: 0, resolutionHours: 0 };
    expect(metricValue('first_time_fix_rate', { orders: none })).toBeNull();
    expect(metricValue('mean_resolution_hours', { orders: none })).toBeNull();
    expect(metricValue('mean_rating', {})).toBeNull();
    expect(metricValue('manual', {})).toBeNull();
    expect(metricValue('orders_resolved', { orders: none })).toBe(0);
  });

  it('measures progress from baseline to target in both directions', () => {
    expect(progressShare(70, 90, 80)).toBe(0.5);
    expect(progressShare(70, 90, 60)).toBe(0);
    expect(progressShare(70, 90, 95)).toBe(1);
    expect(progressShare(24, 12, 18)).toBe(0.5);
    expect(progressShare(24, 12, 30)).toBe(0);
    expect(progressShare(0, 50, null)).toBe(0);
    expect(progressShare(5, 5, 5)).toBe(1);
  });

  it('weights objective progress by key-result weight', () => {
    expect(objectiveProgress([])).toBe(0);
    expect(
      objectiveProgress([
        { progress: 1, weight: 3 },
        { progress: 0, weight: 1 },
      ]),
    ).toBe(0.75);
  });

  it('maps event types to the sources they change', () => {
    expect(sourcesChangedBy('work_order.resolved')).toEqual(['orders']);
    expect(sourcesChangedBy('work_order.reopened')).toEqual(['orders']);
    expect(sourcesChangedBy('rating.submitted')).toEqual(['ratings']);
    expect(sourcesChangedBy('work_order.created')).toEqual([]);
  });

  it('sums rows the way the aggregate queries do', () => {
    const at = new Date('2026-12-01T00:00:00Z');
    const later = new Date('2026-12-01T10:00:00Z');
    const facts = { engineerId: 'e', regionId: 'r', faultType: 'ct_tube' };
    expect(
      summariseOrders([
        { ...facts, openedAt: at, resolvedAt: later, firstTimeFix: true },
        { ...facts, openedAt: at, resolvedAt: later, firstTimeFix: null },
      ]),
    ).toEqual({ resolved: 2, firstTimeFixes: 1, resolutionHours: 20 });
    expect(
      summariseRatings([
        { ...facts, score: 5, repurchaseIntent: null, submittedAt: at },
        { ...facts, score: 3, repurchaseIntent: 8, submittedAt: at },
      ]),
    ).toEqual({ count: 2, scoreSum: 8, intentCount: 1, intentSum: 8 });
  });
});

describe('OKR periods', () => {
  it('starts local days in the organisation’s time zone', () => {
    expect(localDayStart('2026-10-01', 'Asia/Shanghai').toISOString()).toBe(
      '2026-09-30T16:00:00.000Z',
    );
    expect(localDayStart('2026-03-08', 'America/New_York').toISOString()).toBe(
      '2026-03-08T05:00:00.000Z',
    );
    expect(localDayStart('2026-03-09', 'America/New_York').toISOString()).toBe(
      '2026-03-09T04:00:00.000Z',
    );
    expect(() => localDayStart('2026-1-1', 'Asia/Shanghai')).toThrow(/YYYY-MM-DD/);
    expect(() => addDays('2026-1-1', 1)).toThrow(/YYYY-MM-DD/);
  });

  it('includes the whole last day of a period', () => {
    const period = { periodStart: '2026-10-01', periodEnd: '2026-12-31' };
    const window = periodWindow(period.periodStart, period.periodEnd, 'Asia/Shanghai');
    expect(window.to.toISOString()).toBe('2026-12-31T16:00:00.000Z');
    expect(inPeriod(new Date('2026-12-31T15:59:59Z'), period, 'Asia/Shanghai')).toBe(true);
    expect(inPeriod(new Date('2026-12-31T16:00:00Z'), period, 'Asia/Shanghai')).toBe(false);
    expect(inPeriod(new Date('2026-09-30T15:59:59Z'), period, 'Asia/Shanghai')).toBe(false);
  });

  it('finds the Monday of the local week', () => {
    // Sunday 2026-12-06 20:00 UTC is Monday 04:00 in Shanghai.
    expect(weekStart(new Date('2026-12-06T20:00:00Z'), 'Asia/Shanghai')).toBe('2026-12-07');
    expect(weekStart(new Date('2026-12-06T20:00:00Z'), 'UTC')).toBe('2026-11-30');
    expect(localDate(new Date('2026-12-06T20:00:00Z'), 'Asia/Shanghai')).toBe('2026-12-07');
    expect(addDays('2026-12-28', 7)).toBe('2027-01-04');
  });

  it('finds the calendar quarter', () => {
    expect(quarterOf(new Date('2026-12-04T02:00:00Z'), 'Asia/Shanghai')).toEqual({
      start: '2026-10-01',
      end: '2026-12-31',
    });
    expect(quarterOf(new Date('2026-03-31T17:00:00Z'), 'Asia/Shanghai')).toEqual({
      start: '2026-04-01',
      end: '2026-06-30',
    });
  });
});

describe('OKR tracing', () => {
  const keyResult = (overrides: Partial<KeyResultScope>): KeyResultScope => ({
    id: 'kr',
    metric: 'orders_resolved',
    params: {},
    level: 'company',
    personId: null,
    regionId: null,
    position: 0,
    ...overrides,
  });
  const order = { engineerId: 'e1', regionId: 'east', faultType: 'ct_tube' };

  it('counts an order only inside the key result’s scope', () => {
    expect(orderInScope(order, keyResult({}))).toBe(true);
    expect(orderInScope(order, keyResult({ level: 'team', regionId: 'east' }))).toBe(true);
    expect(orderInScope(order, keyResult({ level: 'team', regionId: 'west' }))).toBe(false);
    expect(orderInScope(order, keyResult({ level: 'person', personId: 'e1' }))).toBe(true);
    expect(orderInScope(order, keyResult({ level: 'person', personId: 'e2' }))).toBe(false);
    expect(
      orderInScope({ ...order, engineerId: null }, keyResult({ level: 'person', personId: null })),
    ).toBe(false);
    expect(orderInScope(order, keyResult({ params: { faultType: 'mri_coldhead' } }))).toBe(false);
  });

  it('puts the engineer’s own fault-type key result first', () => {
    const sorted = byRelevance([
      keyResult({ id: 'company' }),
      keyResult({ id: 'team', level: 'team', regionId: 'east' }),
      keyResult({ id: 'person', level: 'person', personId: 'e1', position: 0 }),
      keyResult({
        id: 'fault',
        level: 'person',
        personId: 'e1',
        position: 1,
        params: { faultType: 'ct_tube' },
      }),
    ]);
    expect(sorted.map((kr) => kr.id)).toEqual(['fault', 'person', 'team', 'company']);
  });
});

describe('mini-app texts', () => {
  const keysOf = (value: unknown, prefix = ''): string[] =>
    typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([key, child]) => keysOf(child, `${prefix}${key}.`))
      : [prefix.slice(0, -1)];

  it('has every key in both languages', () => {
    expect(keysOf(messages.en).sort()).toEqual(keysOf(messages['zh-CN']).sort());
  });
});

describe('OKR cards', () => {
  const keyResult = {
    id: 'kr-1',
    title: '首次修复率达到 90%',
    metric: 'first_time_fix_rate' as const,
    current: 80,
    target: 90,
    progress: 0.5,
  };

  it('shows value, target and share of the way', () => {
    const block = keyResultProgressBlock('zh-CN', keyResult);
    expect(block.label).toBe('首次修复率达到 90% · 80% / 90%');
    expect(block.value).toBe(50);
    expect(block.target).toBe(100);
  });

  it('links the completion card to the key result', () => {
    const card = completionCard({
      locale: 'en',
      code: 'WO-1',
      faultTypeLabel: 'CT tube',
      customerName: 'Hospital',
      moved: [keyResult as unknown as ScopedKeyResult],
      strategyTitles: ['Fix it once'],
    });
    expect(card.link?.url).toBe('/app/okr/kr/kr-1');
    expect(JSON.stringify(card.blocks)).toContain('Supports: Fix it once');
  });
});
