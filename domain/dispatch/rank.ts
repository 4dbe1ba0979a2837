import { distanceKm, type LatLng } from '../geo.js';

/** Relative weights of the three dispatch factors; they are normalised to sum to 1. */
export interface DispatchWeights {
  successRate: number;
  workload: number;
  distance: number;
}

export const DEFAULT_WEIGHTS: DispatchWeights = { successRate: 0.5, workload: 0.3, distance: 0.2 };

export interface DispatchSettings {
  weights: DispatchWeights;
  /**
   * Pseudo-count of the Beta prior on an engineer's success rate. With 4, an engineer with two
   * successful jobs scores (2 + 4p) / 6 instead of 1.
   */
  priorStrength: number;
  /** Distance at which the distance factor falls to one half. */
  distanceHalfKm: number;
  /** How many ranked candidates a recommendation keeps. */
  maxCandidates: number;
  /** Engineers whose known home is farther from the site than this are not proposed. */
  maxDistanceKm: number;
}

export const DEFAULT_SETTINGS: DispatchSettings = {
  weights: DEFAULT_WEIGHTS,
  priorStrength: 4,
  distanceHalfKm: 25,
  maxCandidates: 5,
  maxDistanceKm: 150,
};

/** Days of history that count towards the success-rate factor. */
export const SUCCESS_WINDOW_DAYS = 7;

/** Returns the half-open interval [from, to) of history that the success rate counts. */
export function successWindow(now: Date): { from: Date; to: Date } {
  return { from: new Date(now.getTime() - SUCCESS_WINDOW_DAYS * 86_400_000), to: now };
}

export interface EngineerSnapshot {
  id: string;
  name: string;
  /** Skill level (1-5) for the order's fault type; undefined when the engineer lacks it. */
  skillLevel: number | undefined;
  certified: boolean;
  onDuty: boolean;
  onLeave: boolean;
  openOrders: number;
  capacity: number;
  location: LatLng | undefined;
  /** Jobs of the same fault type finished in the success window, and how many were fixed first time. */
  recentJobs: number;
  recentSuccesses: number;
}

export interface DispatchRequest {
  faultType: string;
  site: LatLng;
  /** Only engineers certified for the fault type are eligible. */
  requiresCertification?: boolean;
  /** Engineers never to propose, such as those who declined. */
  excludeIds?: readonly string[];
}

export const EXCLUSION_REASONS = [
  'no_skill',
  'not_certified',
  'off_duty',
  'on_leave',
  'at_capacity',
  'too_far',
  'declined',
] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

export interface FactorScore {
  /** The raw value: a rate (0-1), a saturation (0-1) or kilometres. */
  value: number;
  /** The value mapped to 0-1, where 1 is best. */
  normalized: number;
  weight: number;
  /** weight × normalized; the contributions add up to the score. */
  contribution: number;
}

export interface Candidate {
  engineerId: string;
  name: string;
  score: number;
  factors: {
    successRate: FactorScore & { jobs: number; successes: number; prior: number };
    workload: FactorScore & { openOrders: number; capacity: number };
    distance: FactorScore & { known: boolean };
  };
  /** The rule this engineer breaks; set only on an option for assignment by hand. */
  exception?: ExclusionReason;
}

export interface Ranking {
  candidates: Candidate[];
  excluded: Partial<Record<ExclusionReason, number>>;
  /** Why nobody is eligible; present only when `candidates` is empty. */
  noCandidateReason?: string;
  /** Engineers a manager may assign by hand when `candidates` is empty. */
  manualOptions?: Candidate[];
}

/** Normalises weights to sum to 1; throws when they are negative or all zero. */
export function normalizeWeights(weights: DispatchWeights): DispatchWeights {
  const values = [weights.successRate, weights.workload, weights.distance];
  if (values.some((value) => !Number.isFinite(value) || value < 0)) {
    throw new RangeError('Dispatch weights must be finite and not negative.');
  }
  const total = values.reduce((sum, value) => sum + value, 0);
  if (total === 0) throw new RangeError('At least one dispatch weight must be above zero.');
  return {
    successRate: weights.successRate / total,
    workload: weights.workload / total,
    distance: weights.distance / total,
  };
}

/** Success rate smoothed towards `prior` with a Beta prior of `strength` pseudo-jobs. */
export function smoothedSuccessRate(
  successes: number,
  jobs: number,
  prior: number,
  strength: number,
): number {
  return (successes + prior * strength) / (jobs + strength);
}

function exclusionOf(
  engineer: EngineerSnapshot,
  request: DispatchRequest,
  maxDistanceKm: number,
): ExclusionReason | undefined {
  if (request.excludeIds?.includes(engineer.id)) return 'declined';
  if (engineer.skillLevel === undefined) return 'no_skill';
  if (request.requiresCertification && !engineer.certified) return 'not_certified';
  if (engineer.onLeave) return 'on_leave';
  if (!engineer.onDuty) return 'off_duty';
  if (engineer.openOrders >= engineer.capacity) return 'at_capacity';
  if (engineer.location && distanceKm(engineer.location, request.site) > maxDistanceKm)
    return 'too_far';
  return undefined;
}

const REASON_TEXT: Record<ExclusionReason, string> = {
  no_skill: 'lack the skill',
  not_certified: 'are not certified',
  off_duty: 'are off duty',
  on_leave: 'are on leave',
  at_capacity: 'are at capacity',
  too_far: 'are too far from the site',
  declined: 'declined this order',
};

/** Describes why nobody is eligible, such as "No eligible engineer: 12 lack the skill, 3 are on leave." */
export function describeNoCandidate(
  excluded: Partial<Record<ExclusionReason, number>>,
  faultType: string,
): string {
  const parts = EXCLUSION_REASONS.filter((reason) => (excluded[reason] ?? 0) > 0).map(
    (reason) => `${excluded[reason]} ${REASON_TEXT[reason]}`,
  );
  if (parts.length === 0) return `No engineer is registered for fault type ${faultType}.`;
  return `No eligible engineer for fault type ${faultType}: ${parts.join(', ')}.`;
}

/**
 * Ranks engineers for one work order.
 *
 * Hard filters run first (skill, certification when required, leave, duty, capacity, distance); the
 * remaining engineers are scored by the weighted sum of their smoothed success rate on the
 * fault type, their free capacity and their closeness to the site. `priorRate` is the mean
 * success rate that a new engineer is assumed to have.
 */
export function rankEngineers(
  request: DispatchRequest,
  engineers: readonly EngineerSnapshot[],
  priorRate: number,
  settings: DispatchSettings = DEFAULT_SETTINGS,
): Ranking {
  const weights = normalizeWeights(settings.weights);
  const excluded: Partial<Record<ExclusionReason, number>> = {};
  const scored: Candidate[] = [];

  for (const engineer of engineers) {
    const reason = exclusionOf(engineer, request, settings.maxDistanceKm);
    if (reason) {
      excluded[reason] = (excluded[reason] ?? 0) + 1;
      continue;
    }
    scored.push(scoreEngineer(engineer, request.site, priorRate, weights, settings));
  }

  scored.sort((a, b) => b.score - a.score || a.engineerId.localeCompare(b.engineerId));
  const candidates = scored.slice(0, settings.maxCandidates);
  if (candidates.length > 0) return { candidates, excluded };
  return {
    candidates,
    excluded,
    noCandidateReason: describeNoCandidate(excluded, request.faultType),
  };
}

function factor(value: number, normalized: number, weight: number): FactorScore {
  return { value, normalized, weight, contribution: weight * normalized };
}

function scoreEngineer(
  engineer: EngineerSnapshot,
  site: LatLng,
  priorRate: number,
  weights: DispatchWeights,
  settings: DispatchSettings,
): Candidate {
  const rate = smoothedSuccessRate(
    engineer.recentSuccesses,
    engineer.recentJobs,
    priorRate,
    settings.priorStrength,
  );
  const saturation = engineer.capacity > 0 ? engineer.openOrders / engineer.capacity : 1;
  const km = engineer.location ? distanceKm(engineer.location, site) : Number.NaN;
  // An unknown location scores as if the engineer were at the half-value distance.
  const closeness = Number.isNaN(km)
    ? 0.5
    : settings.distanceHalfKm / (settings.distanceHalfKm + km);

  const successRate = {
    ...factor(rate, rate, weights.successRate),
    jobs: engineer.recentJobs,
    successes: engineer.recentSuccesses,
    prior: priorRate,
  };
  const workload = {
    ...factor(saturation, 1 - saturation, weights.workload),
    openOrders: engineer.openOrders,
    capacity: engineer.capacity,
  };
  const distance = {
    ...factor(Number.isNaN(km) ? -1 : km, closeness, weights.distance),
    known: !Number.isNaN(km),
  };
  return {
    engineerId: engineer.id,
    name: engineer.name,
    score: successRate.contribution + workload.contribution + distance.contribution,
    factors: { successRate, workload, distance },
  };
}

/**
 * Ranks the engineers a manager may still assign by hand when no engineer is eligible: everyone on
 * duty and not on leave who has not declined the order, scored as usual and marked with the
 * rule they break, such as a missing skill or a full workload.
 */
export function rankManualOptions(
  request: DispatchRequest,
  engineers: readonly EngineerSnapshot[],
  priorRate: number,
  settings: DispatchSettings = DEFAULT_SETTINGS,
): Candidate[] {
  const weights = normalizeWeights(settings.weights);
  const options: Candidate[] = [];
  for (const engineer of engineers) {
    if (request.excludeIds?.includes(engineer.id) || engineer.onLeave || !engineer.onDuty) {
      continue;
    }
    const scored = scoreEngineer(engineer, request.site, priorRate, weights, settings);
    const exception = exclusionOf(engineer, request, settings.maxDistanceKm);
    options.push(exception ? { ...scored, exception } : scored);
  }
  options.sort((a, b) => b.score - a.score || a.engineerId.localeCompare(b.engineerId));
  return options.slice(0, settings.maxCandidates);
}
