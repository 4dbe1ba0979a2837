import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../lib/paths.js';
import { runTsx } from '../helpers/child.js';
import { startTestPulse, TEST_ADMIN_TOKEN, TEST_SECRET, type TestPulse } from '../helpers/pulse.js';

/** The public MyLA311 extract kept beside the project; LA311_CSV points elsewhere. */
const CSV =
  process.env.LA311_CSV ??
  projectPath(
    '..',
    'shared',
    'data',
    'la311_work_orders',
    'MyLA311_Service_Request_Data_2017_Subset.csv',
  );

describe.skipIf(!existsSync(CSV))('LA 311 replay command', () => {
  let pulse: TestPulse;
  let folder: string;

  beforeAll(async () => {
    pulse = await startTestPulse({ seedDemo: false });
    folder = await mkdtemp(join(tmpdir(), 'pulse-replay-'));
  });
  afterAll(async () => {
    await pulse?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('replays 400 requests with no event lost', async () => {
    const summaryPath = join(folder, 'summary.json');
    const { code, output } = await runTsx(
      ['cli/replay.ts', CSV, '--limit', '400', '--json', summaryPath],
      {
        PULSE_URL: pulse.url,
        PULSE_WEBHOOK_SECRET: TEST_SECRET,
        PULSE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      },
      280_000,
    );
    expect(code, output).toBe(0);

    const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as Record<string, unknown>;
    expect(summary.rowsRead).toBe(400);
    expect(summary.eventsLost).toBe(0);
    expect(summary.stillPending).toBe(0);
    expect(summary.failed).toBe(0);
    expect(summary.accepted).toBe(summary.processed);
    const rejected = summary.rejectedAtIntake as Record<string, number>;
    expect(
      Object.keys(rejected).every((reason) => reason === '400 data.customer.location.lat'),
    ).toBe(true);
    expect(output).toContain('| eventsLost | 0 |');
  }, 300_000);
});
