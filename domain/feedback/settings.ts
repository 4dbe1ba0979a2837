import { z } from 'zod';

/** The twelve kinds of event-triggered feedback that Pulse ships. */
export const FEEDBACK_RULE_KINDS = [
  'low_rating',
  'work_order_reopened',
  'sla_breached',
  'handoff_timeout',
  'dispatch_overridden',
  'repeat_fault',
  'first_time_fix_failed',
  'complaint_received',
  'shadow_review',
  'key_result_off_track',
  'recognition',
  'repeated_declines',
] as const;
export type FeedbackRuleKind = (typeof FEEDBACK_RULE_KINDS)[number];

/**
 * The people a triggering event involves, by the part they play in it. A rule's settings pick
 * the giver and the receiver among the roles that the rule fills.
 *
 * - `engineer`: the engineer the event is about (for a key result, its owner).
 * - `manager`: the engineer's line manager, or the area manager of the engineer's region.
 * - `mentor`: the engineer's mentor.
 * - `actor`: the person who acted, such as the manager who overrode a dispatch.
 * - `team_manager`: the manager of the team that a hand-off went to.
 */
export const PARTICIPANT_ROLES = [
  'engineer',
  'manager',
  'mentor',
  'actor',
  'team_manager',
] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

/** Person ids by role; a role the event does not fill is missing or null. */
export type Participants = Partial<Record<ParticipantRole, string | null>>;

export interface RuleSettings {
  enabled: boolean;
  /** The rule's number, such as the score below which a rating triggers; null when it has none. */
  threshold: number | null;
  giver: ParticipantRole;
  receiver: ParticipantRole;
  /** Hours from the request to its due time. */
  dueHours: number;
}

export interface ThresholdSpec {
  /** Meaning of the number, for the documentation and error messages. */
  meaning: string;
  min: number;
  max: number;
  integer: boolean;
}

export interface RuleDefinition {
  kind: FeedbackRuleKind;
  /** The roles this rule's events fill; giver and receiver must be two of them. */
  roles: readonly ParticipantRole[];
  defaults: RuleSettings;
  threshold: ThresholdSpec | undefined;
}

export const DEFAULT_DUE_HOURS = 48;
export const DUE_HOURS_RANGE = { min: 1, max: 720 } as const;

const ENGINEER_ROLES: readonly ParticipantRole[] = ['engineer', 'manager', 'mentor'];

function definition(
  kind: FeedbackRuleKind,
  giver: ParticipantRole,
  receiver: ParticipantRole,
  threshold?: ThresholdSpec & { default: number },
  roles: readonly ParticipantRole[] = ENGINEER_ROLES,
): RuleDefinition {
  return {
    kind,
    roles,
    defaults: {
      enabled: true,
      threshold: threshold?.default ?? null,
      giver,
      receiver,
      dueHours: DEFAULT_DUE_HOURS,
    },
    threshold: threshold
      ? {
          meaning: threshold.meaning,
          min: threshold.min,
          max: threshold.max,
          integer: threshold.integer,
        }
      : undefined,
  };
}

export const RULE_DEFINITIONS: Record<FeedbackRuleKind, RuleDefinition> = {
  low_rating: definition('low_rating', 'manager', 'engineer', {
    meaning: 'a rating with a score below this triggers',
    default: 3,
    min: 2,
    max: 5,
    integer: true,
  }),
  work_order_reopened: definition('work_order_reopened', 'manager', 'engineer'),
  sla_breached: definition('sla_breached', 'manager', 'engineer'),
  handoff_timeout: definition(
    'handoff_timeout',
    'actor',
    'team_manager',
    {
      meaning: 'hours the receiving team has to accept a hand-off without its own accept_by',
      default: 4,
      min: 0.25,
      max: 168,
      integer: false,
    },
    ['actor', 'team_manager', 'manager'],
  ),
  dispatch_overridden: definition('dispatch_overridden', 'actor', 'engineer', undefined, [
    'actor',
    'engineer',
    'manager',
  ]),
  repeat_fault: definition('repeat_fault', 'manager', 'engineer', {
    meaning: 'days after a resolution in which a new order on the same device triggers',
    default: 30,
    min: 1,
    max: 365,
    integer: true,
  }),
  first_time_fix_failed: definition('first_time_fix_failed', 'manager', 'engineer'),
  complaint_received: definition('complaint_received', 'manager', 'engineer'),
  shadow_review: definition('shadow_review', 'mentor', 'engineer'),
  key_result_off_track: definition('key_result_off_track', 'manager', 'engineer', {
    meaning:
      'a key result triggers when its progress share is below this fraction of the elapsed share',
    default: 0.8,
    min: 0.1,
    max: 1,
    integer: false,
  }),
  recognition: definition('recognition', 'manager', 'engineer', {
    meaning: 'the lowest rating score that counts as praise when it comes with a comment',
    default: 5,
    min: 1,
    max: 5,
    integer: true,
  }),
  repeated_declines: definition('repeated_declines', 'manager', 'engineer', {
    meaning: 'declined dispatches within 7 days that trigger',
    default: 3,
    min: 2,
    max: 50,
    integer: true,
  }),
};

/** An organisation's stored changes to a rule; missing values keep the default. */
export interface StoredRuleSettings {
  enabled?: boolean | null;
  threshold?: number | null;
  giver?: string | null;
  receiver?: string | null;
  dueHours?: number | null;
}

/** Merges an organisation's stored changes over the rule's defaults. */
export function effectiveSettings(
  kind: FeedbackRuleKind,
  stored: StoredRuleSettings | undefined,
): RuleSettings {
  const { defaults } = RULE_DEFINITIONS[kind];
  if (!stored) return { ...defaults };
  return {
    enabled: stored.enabled ?? defaults.enabled,
    threshold: stored.threshold ?? defaults.threshold,
    giver: (stored.giver as ParticipantRole | null | undefined) ?? defaults.giver,
    receiver: (stored.receiver as ParticipantRole | null | undefined) ?? defaults.receiver,
    dueHours: stored.dueHours ?? defaults.dueHours,
  };
}

export function isRuleKind(value: string): value is FeedbackRuleKind {
  return (FEEDBACK_RULE_KINDS as readonly string[]).includes(value);
}

/** A change to one rule's settings, as an operator sends it. */
export const ruleSettingsPatchSchema = z
  .object({
    enabled: z.boolean({ error: 'must be true or false' }).optional(),
    threshold: z.number({ error: 'must be a number' }).nullable().optional(),
    giver: z
      .enum(PARTICIPANT_ROLES, { error: `must be one of ${PARTICIPANT_ROLES.join(', ')}` })
      .optional(),
    receiver: z
      .enum(PARTICIPANT_ROLES, { error: `must be one of ${PARTICIPANT_ROLES.join(', ')}` })
      .optional(),
    due_hours: z.number({ error: 'must be a number of hours' }).optional(),
  })
  .strict();
export type RuleSettingsPatch = z.infer<typeof ruleSettingsPatchSchema>;

/**
 * Checks a change against the rule it applies to, merged over the current settings. Returns the
 * first invalid field and what to send instead, or undefined when the change fits.
 */
export function checkRuleSettings(
  kind: FeedbackRuleKind,
  merged: RuleSettings,
): { field: string; message: string } | undefined {
  const { roles, threshold } = RULE_DEFINITIONS[kind];
  for (const field of ['giver', 'receiver'] as const) {
    if (!roles.includes(merged[field])) {
      return { field, message: `must be one of ${roles.join(', ')} for ${kind}` };
    }
  }
  if (merged.giver === merged.receiver) {
    return { field: 'receiver', message: 'must differ from giver' };
  }
  if (threshold === undefined) {
    if (merged.threshold !== null) {
      return { field: 'threshold', message: `${kind} has no threshold; send null or leave it out` };
    }
  } else {
    const value = merged.threshold;
    if (value === null || value < threshold.min || value > threshold.max) {
      return {
        field: 'threshold',
        message: `must be between ${threshold.min} and ${threshold.max} (${threshold.meaning})`,
      };
    }
    if (threshold.integer && !Number.isInteger(value)) {
      return { field: 'threshold', message: 'must be a whole number' };
    }
  }
  if (
    !Number.isFinite(merged.dueHours) ||
    merged.dueHours < DUE_HOURS_RANGE.min ||
    merged.dueHours > DUE_HOURS_RANGE.max
  ) {
    return {
      field: 'due_hours',
      message: `must be between ${DUE_HOURS_RANGE.min} and ${DUE_HOURS_RANGE.max} hours`,
    };
  }
  return undefined;
}

/** Applies an operator's change to the current settings, without checking it. */
export function applyPatch(current: RuleSettings, patch: RuleSettingsPatch): RuleSettings {
  return {
    enabled: patch.enabled ?? current.enabled,
    threshold: patch.threshold === undefined ? current.threshold : patch.threshold,
    giver: patch.giver ?? current.giver,
    receiver: patch.receiver ?? current.receiver,
    dueHours: patch.due_hours ?? current.dueHours,
  };
}
