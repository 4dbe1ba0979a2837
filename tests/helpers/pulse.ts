import type { Channel } from '../../bot/channel.js';
import { createPulse, type Pulse } from '../../handlers/runtime.js';
import { seedDemoIfEmpty } from '../../handlers/seed/demo.js';
import type { KeyResultSource } from '../../jobs/key-results.js';
import type { Clock } from '../../lib/clock.js';
import { type Config, loadConfig } from '../../lib/config.js';
import { signPayload } from '../../lib/signature.js';
import { createTestDatabase, type TestDatabase, testLog } from './database.js';

export const TEST_SECRET = 'test-webhook-secret';
export const TEST_ADMIN_TOKEN = 'test-admin-token';

export interface TestPulse {
  url: string;
  pulse: Pulse;
  database: TestDatabase;
  config: Config;
  /** Posts a signed business event; `timestamp` overrides the signing time (unix seconds). */
  postEvent(
    body: unknown,
    options?: { timestamp?: number; secret?: string; org?: string },
  ): Promise<Response>;
  /** Stops the instance and drops its database (unless `keepDatabase`). */
  close(): Promise<void>;
}

export interface TestPulseOptions {
  env?: Record<string, string>;
  clock?: Clock;
  seedDemo?: boolean;
  channels?: Channel[];
  /** Share a database with another instance instead of creating one. */
  database?: TestDatabase;
  /** Start the processor and sender loops (default true). */
  workers?: boolean;
  /** Key results for the mid-period job. */
  keyResults?: KeyResultSource;
  /** The instance's name in job run records. */
  instanceName?: string;
}

/** Starts a Pulse instance on a free loopback port with its own migrated database. */
export async function startTestPulse(options: TestPulseOptions = {}): Promise<TestPulse> {
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    PULSE_WEBHOOK_SECRET: TEST_SECRET,
    PULSE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    PULSE_SANDBOX: 'on',
    HOST: '127.0.0.1',
    PORT: '0',
    ...options.env,
  });
  if (options.seedDemo ?? true)
    await seedDemoIfEmpty(database.db, options.clock?.now() ?? new Date(), testLog);
  const pulse = createPulse({
    config,
    database,
    log: testLog,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.channels ? { channels: options.channels } : {}),
    ...(options.keyResults ? { keyResults: options.keyResults } : {}),
    ...(options.instanceName ? { instanceName: options.instanceName } : {}),
  });
  const port = await pulse.start(0);
  if (options.workers === false) {
    await pulse.services.processor.stop();
    await pulse.services.sender.stop();
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    pulse,
    database,
    config,
    async postEvent(body, postOptions = {}) {
      const raw = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const timestamp =
        postOptions.timestamp ?? Math.floor((options.clock?.now() ?? new Date()).getTime() / 1000);
      return fetch(`${url}/webhooks/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-pulse-timestamp': String(timestamp),
          'x-pulse-signature': signPayload(postOptions.secret ?? TEST_SECRET, timestamp, raw),
          ...(postOptions.org ? { 'x-pulse-org': postOptions.org } : {}),
        },
        body: raw,
      });
    },
    async close() {
      await pulse.stop();
      if (!options.database) await database.destroy();
    },
  };
}

/** Waits until `check` returns a value other than undefined, polling every 20 ms. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
