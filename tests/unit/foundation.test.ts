import { describe, expect, it } from 'vitest';
import {
  type Card,
  checkActionValues,
  describeValueProblem,
  listValueProblems,
  progressBarText,
} from '../../bot/card.js';
import { parseBusinessEvent } from '../../domain/events.js';
import { ConfigError, loadConfig } from '../../lib/config.js';
import { signPayload, verifySignature } from '../../lib/signature.js';

describe('loadConfig', () => {
  it('lists every invalid variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const fields = (error as ConfigError).problems.map((problem) => problem.split(':')[0]);
    expect(fields).toEqual(expect.arrayContaining(['PORT', 'LOG_LEVEL', 'DATABASE_URL']));
  });

  it('gives the range and the value, never a secret', () => {
    let problems: string[] = [];
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://user:hunter2@db/x' });
    } catch (caught) {
      problems = (caught as ConfigError).problems;
    }
    expect(problems).toContain('PORT: must be a whole number from 0 to 65535 (got "abc")');
    const database = problems.find((problem) => problem.startsWith('DATABASE_URL'));
    expect(database).toBe('DATABASE_URL: must be a postgres:// URL');
  });

  it('asks for every WeCom value once one is set', () => {
    expect(() => loadConfig({ WECOM_CORP_ID: 'ww1' })).toThrow(/WECOM_SECRET: missing/);
  });

  it('requires a webhook secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PULSE_WEBHOOK_SECRET/);
  });

  it('requires a session secret in production', () => {
    const production = { NODE_ENV: 'production', PULSE_WEBHOOK_SECRET: 's' };
    expect(() => loadConfig(production)).toThrow(/PULSE_SESSION_SECRET: required/);
    expect(() => loadConfig({ ...production, PULSE_SESSION_SECRET: 'short' })).toThrow(
      /at least 32 characters/,
    );
    expect(loadConfig({}).session.hours).toBe(12);
  });

  it('turns the sandbox on only without platforms outside production', () => {
    expect(loadConfig({}).sandbox).toBe(true);
    expect(
      loadConfig({
        NODE_ENV: 'production',
        PULSE_WEBHOOK_SECRET: 's',
        PULSE_SESSION_SECRET: 'x'.repeat(32),
      }).sandbox,
    ).toBe(false);
    const wecom = {
      WECOM_CORP_ID: 'ww1',
      WECOM_AGENT_ID: '1000002',
      WECOM_SECRET: 's',
      WECOM_TOKEN: 't',
      WECOM_ENCODING_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
    };
    expect(loadConfig(wecom).sandbox).toBe(false);
    expect(loadConfig({ ...wecom, PULSE_SANDBOX: 'on' }).sandbox).toBe(true);
  });
});

describe('webhook signature', () => {
  const body = Buffer.from('{"id":"e1"}');
  const now = new Date('2026-12-04T10:00:00Z');
  const timestamp = String(now.getTime() / 1000);

  it('accepts a body signed with the secret', () => {
    expect(
      verifySignature('s3cret', signPayload('s3cret', timestamp, body), timestamp, body, now),
    ).toEqual({ ok: true });
  });

  it('accepts hex digits in upper case', () => {
    const upper = signPayload('s3cret', timestamp, body).replace(/[a-f]/g, (c) => c.toUpperCase());
    expect(verifySignature('s3cret', upper, timestamp, body, now)).toEqual({ ok: true });
  });

  it('matches an HMAC computed by hand', () => {
    // printf '1.x' | openssl dgst -sha256 -hmac key
    expect(signPayload('key', '1', 'x')).toBe(
      'sha256=fc4913c41a7bf793267e2a384f3261c9436ec2cd097bd745e7b0d99113f510ec',
    );
  });

  it('rejects a changed body, a stale time and missing headers', () => {
    const signature = signPayload('s3cret', timestamp, body);
    expect(
      verifySignature('s3cret', signature, timestamp, Buffer.from('{"id":"e2"}'), now),
    ).toEqual({ ok: false, reason: 'bad_signature' });
    const late = new Date(now.getTime() + 301_000);
    expect(verifySignature('s3cret', signature, timestamp, body, late)).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(verifySignature('s3cret', undefined, timestamp, body, now)).toEqual({
      ok: false,
      reason: 'missing_signature',
    });
    expect(verifySignature('s3cret', signature, 'soon', body, now)).toEqual({
      ok: false,
      reason: 'malformed_timestamp',
    });
  });
});

describe('parseBusinessEvent', () => {
  it('names the first invalid field', () => {
    const result = parseBusinessEvent({
      id: 'e1',
      type: 'rating.submitted',
      occurred_at: '2026-12-04T10:00:00+08:00',
      data: {
        rating_id: 'r1',
        work_order_id: 'w1',
        score: 7,
        submitted_at: '2026-12-04T10:00:00+08:00',
      },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.field).toBe('data.score');
  });

  it('rejects a time without an offset', () => {
    const result = parseBusinessEvent({
      id: 'e1',
      type: 'work_order.cancelled',
      occurred_at: '2026-12-04 10:00:00',
      data: { work_order_id: 'w1', cancelled_at: '2026-12-04T10:00:00Z' },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.field).toBe('occurred_at');
  });
});

describe('card helpers', () => {
  const card: Card = {
    title: 't',
    blocks: [],
    inputs: [
      {
        type: 'select',
        name: 'reason',
        label: 'Reason',
        options: [{ value: 'travel', label: 'Travel' }],
      },
      { type: 'text', name: 'note', label: 'Note', minLength: 3, maxLength: 5 },
    ],
    actions: [{ id: 'go', label: 'Go', requires: ['reason'] }],
  };
  const action = card.actions[0] as Card['actions'][number];

  it('checks required inputs, options and lengths', () => {
    expect(checkActionValues(card, action, {})).toEqual({
      field: 'values.reason',
      message: 'is required for this action',
      rule: 'required',
    });
    expect(checkActionValues(card, action, { reason: 'boat' })?.field).toBe('values.reason');
    expect(checkActionValues(card, action, { reason: 'travel', note: 'ab' })?.field).toBe(
      'values.note',
    );
    expect(
      checkActionValues(card, action, { reason: 'travel', note: '你好世界啊' }),
    ).toBeUndefined();
  });

  it('lists one problem for each field at fault', () => {
    const problems = listValueProblems(card, action, { note: 'ab' });
    expect(problems.map((problem) => [problem.field, problem.rule])).toEqual([
      ['values.reason', 'required'],
      ['values.note', 'min_length'],
    ]);
  });

  it('words a value problem by the input label', () => {
    const problem = checkActionValues(card, action, { reason: 'travel', note: 'ab' });
    if (!problem) throw new Error('expected a problem');
    expect(describeValueProblem(card, problem, 'zh-CN')).toBe('“Note”至少 3 个字。');
    expect(describeValueProblem(card, problem, 'en')).toBe('"Note" needs at least 3 characters.');
  });

  it('draws a text progress bar', () => {
    expect(progressBarText({ type: 'progress', label: 'FTF', value: 3, target: 4 })).toBe(
      '▓▓▓▓▓▓▓▓░░ 75%',
    );
  });
});
