import { describe, expect, it } from 'vitest';
import { assignJointly } from '../../domain/dispatch/assign.js';
import {
  type Candidate,
  DEFAULT_SETTINGS,
  type EngineerSnapshot,
  normalizeWeights,
  rankEngineers,
  rankManualOptions,
  smoothedSuccessRate,
  successWindow,
} from '../../domain/dispatch/rank.js';

const SITE = { lat: 31.22, lng: 121.54 };

function engineer(overrides: Partial<EngineerSnapshot> & { id: string }): EngineerSnapshot {
  return {
    name: overrides.id,
    skillLevel: 3,
    certified: false,
    onDuty: true,
    onLeave: false,
    openOrders: 0,
    capacity: 5,
    location: { lat: 31.23, lng: 121.47 },
    recentJobs: 0,
    recentSuccesses: 0,
    ...overrides,
  };
}

describe('smoothedSuccessRate', () => {
  it('keeps two jobs away from 0 and 1', () => {
    expect(smoothedSuccessRate(2, 2, 0.8, 4)).toBeCloseTo((2 + 3.2) / 6);
    expect(smoothedSuccessRate(0, 2, 0.8, 4)).toBeCloseTo(3.2 / 6);
  });

  it('gives a new engineer the prior', () => {
    expect(smoothedSuccessRate(0, 0, 0.75, 4)).toBe(0.75);
  });

  it('approaches the observed rate with many jobs', () => {
    expect(smoothedSuccessRate(450, 500, 0.5, 4)).toBeCloseTo(0.8968, 3);
  });
});

describe('rankManualOptions', () => {
  it('offers the available engineers with their exception', () => {
    const options = rankManualOptions(
      { faultType: 'ct_tube', site: SITE, excludeIds: ['declined'] },
      [
        engineer({ id: 'unskilled', skillLevel: undefined }),
        engineer({ id: 'busy', openOrders: 5 }),
        engineer({ id: 'away', onLeave: true }),
        engineer({ id: 'off', onDuty: false }),
        engineer({ id: 'declined' }),
        engineer({ id: 'eligible' }),
      ],
      0.8,
    );
    const byId = new Map(options.map((option) => [option.engineerId, option]));
    expect([...byId.keys()].sort()).toEqual(['busy', 'eligible', 'unskilled']);
    expect(byId.get('unskilled')?.exception).toBe('no_skill');
    expect(byId.get('busy')?.exception).toBe('at_capacity');
    expect(byId.get('eligible')?.exception).toBeUndefined();
  });
});

describe('rankEngineers', () => {
  it('applies every hard filter and counts the reasons', () => {
    const ranking = rankEngineers(
      { faultType: 'ct_tube', site: SITE, excludeIds: ['declined'] },
      [
        engineer({ id: 'ok' }),
        engineer({ id: 'unskilled', skillLevel: undefined }),
        engineer({ id: 'leave', onLeave: true }),
        engineer({ id: 'off', onDuty: false }),
        engineer({ id: 'full', openOrders: 5 }),
        engineer({ id: 'far', location: { lat: 39.9, lng: 116.4 } }),
        engineer({ id: 'declined' }),
      ],
      0.8,
    );
    expect(ranking.candidates.map((c) => c.engineerId)).toEqual(['ok']);
    expect(ranking.excluded).toEqual({
      no_skill: 1,
      on_leave: 1,
      off_duty: 1,
      at_capacity: 1,
      too_far: 1,
      declined: 1,
    });
  });

  it('requires certification only when asked', () => {
    const pool = [engineer({ id: 'a' }), engineer({ id: 'b', certified: true })];
    expect(rankEngineers({ faultType: 'x', site: SITE }, pool, 0.8).candidates).toHaveLength(2);
    const certified = rankEngineers(
      { faultType: 'x', site: SITE, requiresCertification: true },
      pool,
      0.8,
    );
    expect(certified.candidates.map((c) => c.engineerId)).toEqual(['b']);
  });

  it('explains an empty result', () => {
    const ranking = rankEngineers(
      { faultType: 'mri_coldhead', site: SITE },
      [engineer({ id: 'a', onLeave: true }), engineer({ id: 'b', openOrders: 9 })],
      0.8,
    );
    expect(ranking.candidates).toEqual([]);
    expect(ranking.noCandidateReason).toBe(
      'No eligible engineer for fault type mri_coldhead: 1 are on leave, 1 are at capacity.',
    );
  });

  it('returns contributions that add up to the score', () => {
    const [candidate] = rankEngineers(
      { faultType: 'x', site: SITE },
      [engineer({ id: 'a', openOrders: 2, recentJobs: 4, recentSuccesses: 3 })],
      0.8,
    ).candidates as [Candidate];
    const { successRate, workload, distance } = candidate.factors;
    expect(successRate.contribution + workload.contribution + distance.contribution).toBeCloseTo(
      candidate.score,
    );
    expect(workload.value).toBeCloseTo(0.4);
    expect(workload.normalized).toBeCloseTo(0.6);
    expect(distance.value).toBeGreaterThan(5);
    expect(distance.value).toBeLessThan(10);
    expect(successRate.jobs).toBe(4);
  });

  it('prefers the closer, freer, more successful engineer', () => {
    const ranking = rankEngineers(
      { faultType: 'x', site: SITE },
      [
        engineer({ id: 'busy', openOrders: 2 }),
        engineer({ id: 'best', recentJobs: 10, recentSuccesses: 10, location: SITE }),
        engineer({ id: 'poor', recentJobs: 10, recentSuccesses: 2 }),
      ],
      0.8,
    );
    expect(ranking.candidates.map((c) => c.engineerId)).toEqual(['best', 'busy', 'poor']);
  });

  it('keeps at most maxCandidates', () => {
    const pool = Array.from({ length: 9 }, (_, i) => engineer({ id: `e${i}` }));
    expect(rankEngineers({ faultType: 'x', site: SITE }, pool, 0.8).candidates).toHaveLength(
      DEFAULT_SETTINGS.maxCandidates,
    );
  });
});

describe('normalizeWeights', () => {
  it('scales weights to sum to one', () => {
    expect(normalizeWeights({ successRate: 2, workload: 1, distance: 1 })).toEqual({
      successRate: 0.5,
      workload: 0.25,
      distance: 0.25,
    });
  });

  it('rejects negative and all-zero weights', () => {
    expect(() => normalizeWeights({ successRate: -1, workload: 1, distance: 1 })).toThrow(
      RangeError,
    );
    expect(() => normalizeWeights({ successRate: 0, workload: 0, distance: 0 })).toThrow(
      RangeError,
    );
  });
});

describe('successWindow', () => {
  it('covers the seven days before now', () => {
    const now = new Date('2026-12-04T08:00:00Z');
    expect(successWindow(now)).toEqual({ from: new Date('2026-11-27T08:00:00Z'), to: now });
  });
});

describe('assignJointly', () => {
  const candidate = (engineerId: string, score: number): Candidate =>
    ({ engineerId, name: engineerId, score, factors: {} }) as unknown as Candidate;

  it('beats greedy assignment on total score', () => {
    // Greedy gives order 1 its best (A, 0.9) and leaves order 2 with B (0.1): total 1.0.
    // The optimum gives order 1 to B (0.8) and order 2 to A (0.85): total 1.65.
    const result = assignJointly([
      { orderId: 'o1', candidates: [candidate('A', 0.9), candidate('B', 0.8)] },
      { orderId: 'o2', candidates: [candidate('A', 0.85), candidate('B', 0.1)] },
    ]);
    expect(result).toEqual([
      { orderId: 'o1', engineerId: 'B', score: 0.8 },
      { orderId: 'o2', engineerId: 'A', score: 0.85 },
    ]);
  });

  it('gives one engineer several orders up to the free slots', () => {
    const orders = [
      { orderId: 'o1', candidates: [candidate('A', 0.9)] },
      { orderId: 'o2', candidates: [candidate('A', 0.8)] },
      { orderId: 'o3', candidates: [candidate('A', 0.7)] },
    ];
    const result = assignJointly(orders, new Map([['A', 2]]));
    expect(result.filter((r) => r.engineerId === 'A')).toHaveLength(2);
    expect(result.find((r) => r.orderId === 'o3')?.engineerId).toBeUndefined();
  });

  it('leaves an order without eligible engineers unassigned', () => {
    const result = assignJointly([{ orderId: 'o1', candidates: [] }]);
    expect(result).toEqual([{ orderId: 'o1', engineerId: undefined, score: 0 }]);
  });
});

describe('boundingBox', () => {
  it('contains every point at the radius', async () => {
    const { boundingBox } = await import('../../models/dispatch.js');
    const { distanceKm } = await import('../../domain/geo.js');
    for (const center of [SITE, { lat: 60, lng: 10 }, { lat: -33.9, lng: 151.2 }]) {
      const box = boundingBox(center, 150);
      for (let bearing = 0; bearing < 360; bearing += 15) {
        // Walk 149 km along the bearing on a sphere.
        const angular = 149 / 6371.0088;
        const lat1 = (center.lat * Math.PI) / 180;
        const lng1 = (center.lng * Math.PI) / 180;
        const theta = (bearing * Math.PI) / 180;
        const lat2 = Math.asin(
          Math.sin(lat1) * Math.cos(angular) + Math.cos(lat1) * Math.sin(angular) * Math.cos(theta),
        );
        const lng2 =
          lng1 +
          Math.atan2(
            Math.sin(theta) * Math.sin(angular) * Math.cos(lat1),
            Math.cos(angular) - Math.sin(lat1) * Math.sin(lat2),
          );
        const point = { lat: (lat2 * 180) / Math.PI, lng: (lng2 * 180) / Math.PI };
        expect(distanceKm(center, point)).toBeCloseTo(149, 0);
        expect(point.lat).toBeGreaterThanOrEqual(box.minLat);
        expect(point.lat).toBeLessThanOrEqual(box.maxLat);
        expect(point.lng).toBeGreaterThanOrEqual(box.minLng);
        expect(point.lng).toBeLessThanOrEqual(box.maxLng);
      }
    }
  });
});
