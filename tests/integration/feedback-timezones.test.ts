import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../fixtures/timezone-run.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

interface RunOutput {
  processZone: string;
  jobs: Record<string, unknown>;
  requests: {
    rule: string;
    occurredAt: string;
    requestedAt: string;
    dueAt: string;
    reminded24At: string | null;
    reminded4At: string | null;
    expiredAt: string | null;
  }[];
  measures: Record<string, { from: string; teams: { team: string | null }[] }>;
}

/** Runs the fixture in a child process whose TZ is `zone`. */
async function runIn(zone: string): Promise<RunOutput> {
  const { stdout } = await run(TSX, [SCRIPT], {
    env: { ...process.env, TZ: zone },
    timeout: 120_000,
    maxBuffer: 4 * 1024 * 1024,
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as RunOutput;
}

describe('jobs in different process time zones', () => {
  it('store the same due, reminder and expiry times', { timeout: 240_000 }, async () => {
    const utc = await runIn('UTC');
    const shanghai = await runIn('Asia/Shanghai');
    expect(utc.processZone).toBe('UTC');
    expect(shanghai.processZone).toBe('Asia/Shanghai');
    const { processZone: _utcZone, ...utcResult } = utc;
    const { processZone: _shanghaiZone, ...shanghaiResult } = shanghai;
    expect(shanghaiResult).toEqual(utcResult);

    // The organisation's zone is Asia/Shanghai: 00:10 on 1 January there is 16:10 UTC the day before.
    const byRule = new Map(utc.requests.map((request) => [request.rule, request]));
    const rating = byRule.get('low_rating');
    expect(rating?.requestedAt).toBe('2026-12-31T16:10:00.000Z');
    expect(rating?.dueAt).toBe('2027-01-02T16:10:00.000Z');
    expect(rating?.reminded24At).toBe('2027-01-01T16:11:00.000Z');
    expect(rating?.reminded4At).toBe('2027-01-02T12:11:00.000Z');
    expect(rating?.expiredAt).toBe('2027-01-02T16:11:00.000Z');
    expect(byRule.get('sla_breached')?.occurredAt).toBe('2026-12-31T16:05:00.000Z');

    // Only the key result whose period runs past 31 December (Shanghai) is checked.
    expect(utc.jobs.keyResultsManual).toEqual({ checked: 2, requested: 1 });
    expect(utc.jobs.keyResultsAt09).toEqual({ checked: 2, requested: 0 });
    expect(utc.jobs.keyResultsAt13).toEqual({ checked: 0, requested: 0 });

    // Events just after midnight in Shanghai count in January, not December.
    expect(utc.measures['2027-01']?.from).toBe('2026-12-31T16:00:00.000Z');
    expect(utc.measures['2027-01']?.teams.map((team) => team.team)).toEqual(['east']);
    expect(utc.measures['2026-12']?.teams).toEqual([]);
  });
});
