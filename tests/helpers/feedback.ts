import { and, desc, eq, sql } from 'drizzle-orm';
import type { Clock } from '../../lib/clock.js';
import { queryRows } from '../../models/db.js';
import type { FeedbackRequest } from '../../models/feedback.js';
import { feedbackRequests } from '../../models/schema/index.js';
import { eventId } from './events.js';
import { startTestPulse, TEST_ADMIN_TOKEN, type TestPulse, waitFor } from './pulse.js';
import { SandboxClient, type SandboxMessage, type SandboxPerson } from './sandbox.js';

/** A Pulse instance for feedback tests: a manual clock and no cron, so tests run jobs by hand. */
export async function startFeedbackPulse(
  clock: Clock,
  options: Omit<Parameters<typeof startTestPulse>[0] & object, 'clock'> = {},
) {
  const pulse = await startTestPulse({
    ...options,
    clock,
    env: { PULSE_JOBS: 'off', ...options.env },
  });
  const sandbox = new SandboxClient(pulse.url);
  const people = await sandbox.people();
  const byNo = (employeeNo: string): SandboxPerson => {
    const person = people.find((p) => p.employeeNo === employeeNo);
    if (!person) throw new Error(`no demo person ${employeeNo}`);
    return person;
  };
  return { pulse, sandbox, people, byNo };
}

/** Runs a job through the admin API and returns the response body. */
export async function runJob(pulse: TestPulse, name: string) {
  const response = await fetch(`${pulse.url}/api/admin/jobs/${name}/run`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  const body = (await response.json()) as {
    status: 'ran' | 'skipped';
    result?: Record<string, number>;
  };
  if (response.status !== 200)
    throw new Error(`job ${name}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Posts an event and checks that it was accepted. */
export async function post(pulse: TestPulse, event: unknown): Promise<void> {
  const response = await pulse.postEvent(event);
  if (response.status !== 202) {
    throw new Error(`event rejected with ${response.status}: ${await response.text()}`);
  }
}

/** Waits until the inbox has processed every event. */
export async function settle(pulse: TestPulse): Promise<void> {
  await waitFor(
    async () => {
      const [row] = await queryRows<{ n: number }>(
        pulse.database.db,
        sql`select count(*)::int as n from inbox where status = 'pending'`,
      );
      return Number(row?.n) === 0 ? true : undefined;
    },
    8000,
    'the inbox to drain',
  );
}

/** Waits for the feedback requests of one rule and returns them, newest first. */
export async function requestsOf(
  pulse: TestPulse,
  rule: string,
  count = 1,
): Promise<FeedbackRequest[]> {
  return waitFor(
    async () => {
      const rows = await pulse.database.db
        .select()
        .from(feedbackRequests)
        .where(eq(feedbackRequests.rule, rule))
        .orderBy(desc(feedbackRequests.requestedAt));
      return rows.length >= count ? rows : undefined;
    },
    8000,
    `${count} ${rule} request(s)`,
  );
}

export async function requestCount(pulse: TestPulse, rule: string, eventKey?: string) {
  const rows = await pulse.database.db
    .select()
    .from(feedbackRequests)
    .where(
      and(
        eq(feedbackRequests.rule, rule),
        eventKey ? eq(feedbackRequests.eventKey, eventKey) : undefined,
      ),
    );
  return rows.length;
}

/** Waits for a card with `cardKey` in a person's sandbox chat. */
export async function cardByKey(
  sandbox: SandboxClient,
  personId: string,
  cardKey: string,
  accept: (message: SandboxMessage) => boolean = () => true,
): Promise<SandboxMessage> {
  return waitFor(
    async () =>
      (await sandbox.messages(personId)).find(
        (message) => message.cardKey === cardKey && accept(message),
      ),
    8000,
    `card ${cardKey} for ${personId}`,
  );
}

/** Cards in a person's chat whose key starts with `prefix`. */
export async function cardsWithPrefix(sandbox: SandboxClient, personId: string, prefix: string) {
  return (await sandbox.messages(personId)).filter((message) => message.cardKey.startsWith(prefix));
}

const HOUR_MS = 3_600_000;

export const hoursLater = (from: Date, hours: number) =>
  new Date(from.getTime() + hours * HOUR_MS).toISOString();

export interface OrderOptions {
  orderId: string;
  at: Date;
  region?: string;
  deviceId?: string;
  sla?: { respond_by?: string; resolve_by?: string };
  faultType?: string;
}

export function created(options: OrderOptions) {
  const at = options.at.toISOString();
  return {
    id: eventId('created'),
    type: 'work_order.created',
    occurred_at: at,
    data: {
      work_order_id: options.orderId,
      fault_type: options.faultType ?? 'ct_tube',
      priority: 'normal',
      opened_at: at,
      ...(options.deviceId ? { device_id: options.deviceId } : {}),
      ...(options.sla ? { sla: options.sla } : {}),
      customer: {
        id: 'C-EAST-01',
        name: '上海浦东人民医院',
        location: { lat: 31.22, lng: 121.54 },
        region: options.region ?? 'east',
      },
    },
  };
}

export function resolved(orderId: string, at: Date, engineerNo: string, extra = {}) {
  return {
    id: eventId('resolved'),
    type: 'work_order.resolved',
    occurred_at: at.toISOString(),
    data: {
      work_order_id: orderId,
      resolved_at: at.toISOString(),
      engineer_id: engineerNo,
      ...extra,
    },
  };
}

export function rated(orderId: string, at: Date, score: number, comment?: string) {
  return {
    id: eventId('rating'),
    type: 'rating.submitted',
    occurred_at: at.toISOString(),
    data: {
      rating_id: eventId('R'),
      work_order_id: orderId,
      score,
      submitted_at: at.toISOString(),
      ...(comment ? { comment } : {}),
    },
  };
}

export const VALID_ANSWERS = {
  fact: '客户反映工程师到场后没有说明故障原因。',
  impact: '科室医生不清楚设备何时恢复，影响了当天排班。',
  suggestion: '到场后先用两分钟说明判断和预计完成时间。',
};
