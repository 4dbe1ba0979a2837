import { and, eq, sql } from 'drizzle-orm';
import { inbox, people } from '../../models/schema/index.js';
import { FakeFeishu, type FakeFeishuOptions } from '../fakes/feishu-server.js';
import { startTestPulse, type TestPulse, waitFor } from './pulse.js';

/** Returns the environment that points a test Pulse at a fake Feishu. */
export function feishuEnv(
  fake: FakeFeishu,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    FEISHU_APP_ID: fake.appId,
    FEISHU_APP_SECRET: fake.appSecret,
    FEISHU_VERIFICATION_TOKEN: fake.verificationToken,
    ...(fake.encryptKey ? { FEISHU_ENCRYPT_KEY: fake.encryptKey } : {}),
    FEISHU_API_BASE: fake.url,
    ...extra,
  };
}

/** Gives every demo person the Feishu open id `ou_<employee no>`. */
export async function mapPeopleToFeishu(pulse: TestPulse): Promise<void> {
  await pulse.database.db.update(people).set({ feishuOpenId: sql`'ou_' || ${people.employeeNo}` });
}

/** Returns the Feishu open id of a person. */
export async function openIdOf(pulse: TestPulse, personId: string): Promise<string> {
  const [row] = await pulse.database.db
    .select({ openId: people.feishuOpenId })
    .from(people)
    .where(eq(people.id, personId));
  if (!row?.openId) throw new Error(`person ${personId} has no Feishu open id`);
  return row.openId;
}

/** Waits until the Feishu event or click `eventId` is processed and returns its inbox row. */
export async function processedFeishuEvent(pulse: TestPulse, eventId: string) {
  return waitFor(
    async () => {
      const [row] = await pulse.database.db
        .select()
        .from(inbox)
        .where(and(eq(inbox.source, 'feishu'), eq(inbox.sourceId, eventId)));
      return row && row.status !== 'pending' ? row : undefined;
    },
    10_000,
    `Feishu event ${eventId} to be processed`,
  );
}

/**
 * Starts a fake Feishu and a Pulse instance that sends through it, with the sandbox off and
 * the demo people mapped to open ids. `close` stops both.
 */
export async function startFeishuPulse(options: FakeFeishuOptions = {}) {
  const fake = new FakeFeishu(options);
  await fake.start();
  try {
    const pulse = await startTestPulse({ env: feishuEnv(fake, { PULSE_SANDBOX: 'off' }) });
    await mapPeopleToFeishu(pulse);
    return {
      fake,
      pulse,
      async close() {
        await pulse.close();
        await fake.stop();
      },
    };
  } catch (error) {
    await fake.stop();
    throw error;
  }
}
