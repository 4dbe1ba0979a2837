import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signPayload } from '../../lib/signature.js';
import { startPulseProcess } from '../helpers/child.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { workOrderCreated } from '../helpers/events.js';
import { waitFor } from '../helpers/pulse.js';
import { SandboxClient } from '../helpers/sandbox.js';

const SECRET = 'crash-test-secret';

async function postSigned(url: string, event: unknown): Promise<number | 'connection lost'> {
  const raw = JSON.stringify(event);
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const response = await fetch(`${url}/webhooks/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-pulse-timestamp': String(timestamp),
        'x-pulse-signature': signPayload(SECRET, timestamp, raw),
      },
      body: raw,
    });
    return response.status;
  } catch {
    return 'connection lost';
  }
}

/**
 * Each case kills the process with SIGKILL at one point between storing an event and sending
 * its card, restarts it on the same database, and counts the cards that arrive.
 */
describe('crash between storing an event and sending its card', () => {
  let dataDir: string | undefined;
  let serverDatabase: TestDatabase | undefined;

  afterEach(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (serverDatabase) await serverDatabase.destroy();
    dataDir = undefined;
    serverDatabase = undefined;
  });

  async function databaseEnv(): Promise<Record<string, string>> {
    if (process.env.DATABASE_URL) {
      serverDatabase = await createTestDatabase();
      return { DATABASE_URL: serverDatabase.url as string };
    }
    dataDir = await mkdtemp(join(tmpdir(), 'pulse-crash-'));
    return { PULSE_DATA_DIR: dataDir };
  }

  it.each([
    ['after-inbox-store', 'after the event is stored, before the acknowledgement'],
    ['after-inbox-commit', 'after the card is queued, before it is sent'],
    ['after-channel-send', 'after the card is sent, before it is marked sent'],
  ])(
    'sends the card once when killed %s',
    async (point) => {
      const env = {
        ...(await databaseEnv()),
        PULSE_WEBHOOK_SECRET: SECRET,
        PULSE_OUTBOX_LEASE_MS: '1000',
      };
      const orderId = `WO-CRASH-${point}`;
      const event = workOrderCreated({ orderId });

      const first = await startPulseProcess({ ...env, PULSE_FAULT_INJECT: point });
      const status = await postSigned(first.url, event);
      const ended = await first.exited;
      expect(ended.signal).toBe('SIGKILL');
      if (point === 'after-inbox-store') expect(status).toBe('connection lost');
      else expect(status).toBe(202);

      const second = await startPulseProcess(env);
      try {
        const sandbox = new SandboxClient(second.url);
        const people = await sandbox.people();
        const cardsOf = async () => {
          const all = await Promise.all(people.map((person) => sandbox.messages(person.id)));
          return all.flat().filter((message) => message.card.title.includes(orderId));
        };
        await waitFor(
          async () => ((await cardsOf()).length >= 2 ? true : undefined),
          20_000,
          'cards after restart',
        );
        // A sender that would repeat the send needs the 1-second lease to run out first.
        await new Promise((resolve) => setTimeout(resolve, 2500));
        const cards = await cardsOf();
        const engineerCards = cards.filter((card) =>
          card.card.actions.some((a) => a.id === 'dispatch.accept'),
        );
        const managerCards = cards.filter((card) =>
          card.card.actions.some((a) => a.id === 'dispatch.confirm'),
        );
        expect(engineerCards).toHaveLength(1);
        expect(managerCards).toHaveLength(1);
        expect(await postSigned(second.url, event)).toBe(200);
      } finally {
        second.child.kill('SIGTERM');
        const exit = await second.exited;
        expect(exit.code).toBe(0);
      }
    },
    120_000,
  );
});
