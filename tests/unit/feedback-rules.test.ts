import { describe, expect, it } from 'vitest';
import { checkFeedbackAnswers } from '../../domain/feedback/form.js';
import { remindersDue } from '../../domain/feedback/lifecycle.js';
import { computeTeamMeasures, type MeasureInput } from '../../domain/feedback/measures.js';
import {
  buildTrigger,
  findRepeatFault,
  isHandoffLate,
  isLowRating,
  isPraise,
  type KeyResultSnapshot,
  keyResultOffTrack,
  repeatedDeclinesKey,
  slaBreaches,
} from '../../domain/feedback/rules.js';
import {
  applyPatch,
  checkRuleSettings,
  effectiveSettings,
  FEEDBACK_RULE_KINDS,
  RULE_DEFINITIONS,
} from '../../domain/feedback/settings.js';
import { quote } from '../../handlers/feedback/triggers.js';
import { loadConfig } from '../../lib/config.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (iso: string) => new Date(iso);
const settingsOf = effectiveSettings;

describe('rule settings', () => {
  it('ships twelve kinds with 48-hour defaults that pass their own check', () => {
    expect(FEEDBACK_RULE_KINDS).toHaveLength(12);
    for (const kind of FEEDBACK_RULE_KINDS) {
      const defaults = RULE_DEFINITIONS[kind].defaults;
      expect(defaults.dueHours).toBe(48);
      expect(checkRuleSettings(kind, defaults)).toBeUndefined();
    }
  });

  it('names the invalid field', () => {
    const base = settingsOf('low_rating', undefined);
    expect(checkRuleSettings('low_rating', { ...base, giver: 'actor' })?.field).toBe('giver');
    expect(checkRuleSettings('low_rating', { ...base, receiver: 'manager' })?.field).toBe(
      'receiver',
    );
    expect(checkRuleSettings('low_rating', { ...base, threshold: 2.5 })?.field).toBe('threshold');
    expect(checkRuleSettings('low_rating', { ...base, dueHours: 721 })?.field).toBe('due_hours');
    expect(
      checkRuleSettings('work_order_reopened', {
        ...settingsOf('work_order_reopened', undefined),
        threshold: 1,
      })?.field,
    ).toBe('threshold');
  });

  it('merges stored values and patches over defaults', () => {
    const stored = settingsOf('repeat_fault', { threshold: 14, enabled: null });
    expect(stored).toMatchObject({ threshold: 14, enabled: true, dueHours: 48 });
    expect(applyPatch(stored, { enabled: false, due_hours: 24 })).toMatchObject({
      enabled: false,
      dueHours: 24,
      threshold: 14,
    });
  });
});

describe('buildTrigger', () => {
  const settings = settingsOf('low_rating', undefined);
  const input = {
    eventKey: 'low_rating:rating:1',
    occurredAt: at('2026-12-01T00:00:00Z'),
    participants: { engineer: 'e', manager: 'm' },
    facts: { order: 'WO-1' },
  };
  const now = at('2026-12-01T01:00:00Z');

  it('picks giver and receiver and sets the due time from now', () => {
    const result = buildTrigger('low_rating', settings, input, now);
    expect(result.fire).toBe(true);
    if (!result.fire) return;
    expect(result.trigger.giverId).toBe('m');
    expect(result.trigger.receiverId).toBe('e');
    expect(result.trigger.dueAt.toISOString()).toBe('2026-12-03T01:00:00.000Z');
  });

  it('gives reasons for not firing', () => {
    const reason = (changes: object, participants = input.participants) => {
      const result = buildTrigger(
        'low_rating',
        { ...settings, ...changes },
        { ...input, participants },
        now,
      );
      return result.fire ? 'fired' : result.reason;
    };
    expect(reason({ enabled: false })).toBe('disabled');
    expect(reason({}, { engineer: 'e', manager: null } as never)).toBe('no_giver');
    expect(reason({}, { manager: 'm' } as never)).toBe('no_receiver');
    expect(reason({}, { engineer: 'x', manager: 'x' })).toBe('same_person');
  });
});

describe('rating rules', () => {
  it('treats scores below the threshold as low', () => {
    const settings = settingsOf('low_rating', undefined);
    expect([1, 2, 3, 4, 5].map((score) => isLowRating(score, settings))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('needs five stars and a comment for praise', () => {
    const settings = settingsOf('recognition', undefined);
    expect(isPraise(5, '很好', settings)).toBe(true);
    expect(isPraise(5, '  ', settings)).toBe(false);
    expect(isPraise(5, null, settings)).toBe(false);
    expect(isPraise(4, '很好很专业', settings)).toBe(false);
  });
});

describe('findRepeatFault', () => {
  const settings = settingsOf('repeat_fault', undefined);
  const opened = at('2026-12-31T00:00:00Z');
  const order = (code: string, daysBefore: number) => ({
    id: code,
    code,
    engineerId: 'e',
    resolvedAt: new Date(opened.getTime() - daysBefore * DAY),
  });

  it('returns the latest resolution within 30 days', () => {
    expect(findRepeatFault(opened, [order('A', 25), order('B', 3)], settings)?.code).toBe('B');
    expect(findRepeatFault(opened, [order('A', 30)], settings)?.code).toBe('A');
  });

  it('ignores older resolutions', () => {
    expect(findRepeatFault(opened, [order('A', 31)], settings)).toBeUndefined();
    expect(findRepeatFault(opened, [], settings)).toBeUndefined();
  });
});

describe('repeatedDeclinesKey', () => {
  const settings = settingsOf('repeated_declines', undefined);
  const now = at('2026-12-10T12:00:00Z');
  const decline = (id: string, daysBefore: number) => ({
    id,
    at: new Date(now.getTime() - daysBefore * DAY),
  });

  it('fires at three declines within seven days', () => {
    expect(repeatedDeclinesKey('e', [decline('a', 6), decline('b', 1)], now, settings)).toBe(
      undefined,
    );
    const found = repeatedDeclinesKey(
      'e',
      [decline('b', 1), decline('a', 6), decline('c', 0)],
      now,
      settings,
    );
    expect(found).toEqual({
      eventKey: 'repeated_declines:e:a',
      count: 3,
      firstAt: decline('a', 6).at,
    });
  });

  it('keeps the key for a fourth decline in the same window', () => {
    const three = [decline('a', 6), decline('b', 1), decline('c', 0.5)];
    const four = [...three, decline('d', 0)];
    expect(repeatedDeclinesKey('e', four, now, settings)?.eventKey).toBe(
      repeatedDeclinesKey('e', three, now, settings)?.eventKey,
    );
  });

  it('does not count declines older than seven days', () => {
    expect(
      repeatedDeclinesKey('e', [decline('a', 8), decline('b', 1), decline('c', 0)], now, settings),
    ).toBeUndefined();
  });
});

describe('slaBreaches', () => {
  const base = {
    respondBy: at('2026-12-01T10:00:00Z'),
    resolveBy: at('2026-12-01T14:00:00Z'),
    respondedAt: null,
    resolvedAt: null,
    cancelledAt: null,
  };

  it('reports nothing before a deadline', () => {
    expect(slaBreaches(base, at('2026-12-01T09:59:00Z'))).toEqual([]);
  });

  it('reports deadlines passed without the action', () => {
    expect(slaBreaches(base, at('2026-12-01T14:00:00Z')).map((b) => b.target)).toEqual([
      'first_response',
      'resolution',
    ]);
  });

  it('accepts actions at or before the deadline and flags late ones', () => {
    const state = {
      ...base,
      respondedAt: at('2026-12-01T10:00:00Z'),
      resolvedAt: at('2026-12-01T14:00:01Z'),
    };
    expect(slaBreaches(state, at('2026-12-02T00:00:00Z')).map((b) => b.target)).toEqual([
      'resolution',
    ]);
  });

  it('ignores deadlines after a cancellation', () => {
    const state = { ...base, cancelledAt: at('2026-12-01T09:00:00Z') };
    expect(slaBreaches(state, at('2026-12-02T00:00:00Z'))).toEqual([]);
  });
});

describe('isHandoffLate', () => {
  const acceptBy = at('2026-12-01T10:00:00Z');

  it('is late once the time passed without acceptance', () => {
    expect(isHandoffLate(acceptBy, null, at('2026-12-01T09:00:00Z'))).toBe(false);
    expect(isHandoffLate(acceptBy, null, at('2026-12-01T10:00:00Z'))).toBe(true);
    expect(isHandoffLate(acceptBy, at('2026-12-01T11:00:00Z'), at('2026-12-01T12:00:00Z'))).toBe(
      true,
    );
    expect(isHandoffLate(acceptBy, at('2026-12-01T10:00:00Z'), at('2026-12-01T12:00:00Z'))).toBe(
      false,
    );
  });
});

describe('keyResultOffTrack', () => {
  const settings = settingsOf('key_result_off_track', undefined);
  const keyResult: KeyResultSnapshot = {
    id: 'kr',
    title: 'First-time fix rate',
    ownerId: 'e',
    baseline: 0,
    current: 30,
    target: 100,
    periodStart: '2026-10-01',
    periodEnd: '2026-12-31',
  };
  const zone = 'Asia/Shanghai';

  it('stays quiet before the middle of the period', () => {
    expect(keyResultOffTrack(keyResult, zone, at('2026-11-10T00:00:00+08:00'), settings)).toBe(
      undefined,
    );
  });

  it('fires after the middle when progress lags', () => {
    const result = keyResultOffTrack(keyResult, zone, at('2026-12-01T00:00:00+08:00'), settings);
    expect(result?.progressShare).toBeCloseTo(0.3);
    expect(result?.elapsedShare).toBeCloseTo(61 / 92);
    expect(result?.periodEndAt.toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });

  it('stays quiet on track and after the period ends in the organisation’s zone', () => {
    const now = at('2026-12-01T00:00:00+08:00');
    expect(keyResultOffTrack({ ...keyResult, current: 60 }, zone, now, settings)).toBeUndefined();
    expect(
      keyResultOffTrack(keyResult, zone, at('2027-01-01T00:10:00+08:00'), settings),
    ).toBeUndefined();
    expect(
      keyResultOffTrack(keyResult, 'UTC', at('2027-01-01T00:10:00+08:00'), settings),
    ).toBeDefined();
  });
});

describe('remindersDue', () => {
  const requestedAt = at('2026-12-01T00:00:00Z');
  const dueAt = new Date(requestedAt.getTime() + 48 * HOUR);
  const state = { requestedAt, dueAt, remindedAt: {} };

  it('sends the 24-hour and then the 4-hour reminder', () => {
    expect(remindersDue(state, new Date(dueAt.getTime() - 25 * HOUR))).toEqual({
      record: [],
      send: undefined,
    });
    expect(remindersDue(state, new Date(dueAt.getTime() - 24 * HOUR))).toEqual({
      record: [24],
      send: 24,
    });
    const reminded = { ...state, remindedAt: { 24: requestedAt } };
    expect(remindersDue(reminded, new Date(dueAt.getTime() - 4 * HOUR))).toEqual({
      record: [4],
      send: 4,
    });
  });

  it('sends only the latest of two due reminders', () => {
    expect(remindersDue(state, new Date(dueAt.getTime() - HOUR))).toEqual({
      record: [24, 4],
      send: 4,
    });
    expect(remindersDue(state, dueAt)).toEqual({ record: [], send: undefined });
  });

  it('skips a reminder that would fall before the request', () => {
    const short = {
      requestedAt,
      dueAt: new Date(requestedAt.getTime() + 12 * HOUR),
      remindedAt: {},
    };
    expect(remindersDue(short, new Date(requestedAt.getTime() + 9 * HOUR))).toEqual({
      record: [4],
      send: 4,
    });
  });
});

describe('checkFeedbackAnswers', () => {
  const valid = {
    fact: '工程师到场后没有说明原因。',
    impact: '科室不知道何时能恢复使用。',
    suggestion: '先说明判断和预计完成时间。',
  };

  it('accepts trimmed answers and an optional assessment', () => {
    const result = checkFeedbackAnswers({ ...valid, fact: `  ${valid.fact}  `, assessment: '' });
    expect(result).toEqual({ ok: true, answers: { ...valid, assessment: null } });
  });

  it('names the first invalid field', () => {
    const field = (values: Record<string, unknown>) => {
      const result = checkFeedbackAnswers(values);
      return result.ok ? 'ok' : result.field;
    };
    expect(field({ ...valid, fact: undefined })).toBe('values.fact');
    expect(field({ ...valid, impact: '短' })).toBe('values.impact');
    expect(field({ ...valid, suggestion: '建'.repeat(501) })).toBe('values.suggestion');
    expect(field({ ...valid, suggestion: 42 })).toBe('values.suggestion');
    expect(field({ ...valid, assessment: 'great' })).toBe('values.assessment');
  });

  it('counts characters, not UTF-16 units', () => {
    expect(checkFeedbackAnswers({ ...valid, fact: '😀'.repeat(10) }).ok).toBe(true);
  });
});

describe('computeTeamMeasures', () => {
  const t0 = at('2026-12-01T00:00:00Z');
  const later = (hours: number) => new Date(t0.getTime() + hours * HOUR);
  const row = (changes: Partial<MeasureInput>): MeasureInput => ({
    teamId: 'east',
    eventKey: 'e1',
    occurredAt: t0,
    dueAt: later(48),
    status: 'requested',
    submittedAt: null,
    otherTeamActionAt: null,
    ...changes,
  });

  it('takes the earlier of feedback and another team’s action per event', () => {
    const [east] = computeTeamMeasures(
      [
        row({ eventKey: 'e1', submittedAt: later(10), status: 'submitted' }),
        row({ eventKey: 'e1', otherTeamActionAt: later(2) }),
        row({ eventKey: 'e2', submittedAt: later(6), status: 'submitted' }),
        row({ eventKey: 'e3' }),
      ],
      later(1),
    );
    expect(east?.responseTime).toEqual({ events: 3, responded: 2, medianHours: 4, meanHours: 4 });
  });

  it('rates on-time completion over settled requests', () => {
    const [east] = computeTeamMeasures(
      [
        row({ submittedAt: later(47), status: 'submitted' }),
        row({ submittedAt: later(49), status: 'submitted' }),
        row({ status: 'expired' }),
        row({ dueAt: later(100) }),
      ],
      later(60),
    );
    expect(east?.completion).toEqual({
      requests: 4,
      submittedOnTime: 1,
      submittedLate: 1,
      expired: 1,
      open: 1,
      rate: 0.333,
    });
  });

  it('groups by team', () => {
    const teams = computeTeamMeasures([row({ teamId: 'b' }), row({ teamId: 'a' })], t0);
    expect(teams.map((team) => team.teamId)).toEqual(['a', 'b']);
  });
});

describe('quote', () => {
  it('keeps short text and cuts long text by characters', () => {
    expect(quote('  很好  ')).toBe('很好');
    expect(quote(undefined)).toBe('—');
    const long = quote('慢'.repeat(301));
    expect([...long]).toHaveLength(301);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('PULSE_TIMEZONE', () => {
  it('must be an IANA time zone', () => {
    expect(loadConfig({ PULSE_TIMEZONE: 'Asia/Shanghai' }).timezone).toBe('Asia/Shanghai');
    expect(() => loadConfig({ PULSE_TIMEZONE: 'Mars/Olympus' })).toThrow(/PULSE_TIMEZONE/);
  });
});
