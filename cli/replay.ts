/**
 * Replays MyLA311 service requests through a running Pulse server's signed webhook.
 *
 *   npm run replay -- <csv> [--limit N] [--org la311] [--concurrency 8] [--max-pending 50]
 *                       [--json summary.json] [--record NAME]
 *
 * --record NAME writes the summary to docs/benchmarks.md under that name.
 *
 * Environment: PULSE_URL (default http://127.0.0.1:3000), PULSE_WEBHOOK_SECRET (default the
 * development secret), PULSE_ADMIN_TOKEN (default the development token).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { parse } from 'csv-parse/sync';
import { machineDescription, writeBenchmarkSection } from '../bench/report.js';
import { signPayload } from '../lib/signature.js';
import {
  eventsForRequest,
  type La311Row,
  organisationFromRequests,
  type ReplayEvent,
  type ServiceRequest,
  toServiceRequest,
} from './la311.js';

const USAGE =
  'Usage: npm run replay -- <csv> [--limit N] [--org SLUG] [--concurrency N] [--json FILE] [--record NAME]';

interface Stats {
  inbox: { pending: number; done: number; rejected: number; failed: number };
  inboxRejections: Record<string, number>;
  dispatchLatencyMs: { count: number; p50: number | null; p99: number | null; max: number | null };
  dispatchProcessingMs: { p50: number | null; p99: number | null };
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function readOptions() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      limit: { type: 'string' },
      org: { type: 'string', default: 'la311' },
      concurrency: { type: 'string', default: '8' },
      'max-pending': { type: 'string', default: '50' },
      json: { type: 'string' },
      record: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file)
    fail(
      `${USAGE}\nPass a MyLA311 service-request CSV export (data.lacity.org, "MyLA311 Service Request Data").`,
    );
  if (!existsSync(file)) fail(`${file} does not exist. Pass the path of a MyLA311 CSV file.`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    fail('--limit must be a whole number above 0.');
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    fail('--concurrency must be 1 to 64.');
  const maxPending = Number(values['max-pending']);
  if (!Number.isInteger(maxPending) || maxPending < 0)
    fail('--max-pending must be 0 (no limit) or more.');
  const org = values.org as string;
  if (!/^[a-z0-9-]{2,40}$/.test(org)) fail('--org must be 2-40 lowercase letters, digits or -.');
  const record = values.record;
  if (record !== undefined && !/^[a-z0-9-]{1,40}$/.test(record)) {
    fail('--record must be a short name such as pglite: lowercase letters, digits or -.');
  }
  return { file, limit, concurrency, maxPending, org, json: values.json, record };
}

/** Redrawn in a terminal; one line every ten seconds when the output goes to a file or a pipe. */
const PROGRESS_OPTIONS = {
  hideCursor: true,
  noTTYOutput: true,
  notTTYSchedule: 10_000,
  // The time left is estimated from the last 500 updates, so bursts of replies do not swing it.
  etaBuffer: 500,
};

/** Events in time order, each order's events kept in their own sequence. */
function scheduleEvents(requests: ServiceRequest[]): ReplayEvent[] {
  const events: (ReplayEvent & { sortKey: string })[] = [];
  for (const request of requests) {
    let previous = '';
    for (const event of eventsForRequest(request)) {
      const sortKey = event.at > previous ? event.at : previous;
      previous = sortKey;
      events.push({ ...event, sortKey });
    }
  }
  // ISO times of one zone sort as text; the sort is stable, so ties keep file order.
  return events.sort((a, b) => {
    if (a.sortKey === b.sortKey) return 0;
    return a.sortKey < b.sortKey ? -1 : 1;
  });
}

async function main(): Promise<void> {
  const options = readOptions();
  const baseUrl = (process.env.PULSE_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
  const secret = process.env.PULSE_WEBHOOK_SECRET ?? 'pulse-dev-secret';
  const adminToken = process.env.PULSE_ADMIN_TOKEN ?? 'pulse-dev-admin';
  const admin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };

  const rows = parse(readFileSync(options.file), {
    columns: true,
    skip_empty_lines: true,
    bom: true,
  }) as La311Row[];
  const selected = options.limit ? rows.slice(0, options.limit) : rows;
  const requests = selected.map(toServiceRequest);
  const withoutLocation = requests.filter((r) => !r.location).length;
  const closedBeforeOpened = requests.filter((r) => r.closedAt && r.closedAt < r.createdAt).length;
  const withoutCloseTime = requests.filter((r) => !r.closedAt).length;

  const organisation = organisationFromRequests(requests);
  const imported = await fetch(`${baseUrl}/api/admin/orgs/${options.org}`, {
    method: 'PUT',
    headers: admin,
    body: JSON.stringify(organisation),
  }).catch((error: Error) =>
    fail(
      `Cannot reach Pulse at ${baseUrl} (${error.message}); start it with npm start or set PULSE_URL.`,
    ),
  );
  if (!imported.ok)
    fail(`Importing the organisation failed with ${imported.status}: ${await imported.text()}`);
  process.stderr.write(
    `Organisation ${options.org}: ${organisation.regions.length} districts, ${organisation.people.length} people from ${requests.length} requests\n`,
  );

  const stats = async (brief = false): Promise<Stats> => {
    const query = brief ? '?brief=1' : '';
    const response = await fetch(`${baseUrl}/api/admin/orgs/${options.org}/stats${query}`, {
      headers: admin,
    });
    if (!response.ok)
      fail(`Reading statistics failed with ${response.status}: ${await response.text()}`);
    return (await response.json()) as Stats;
  };
  const before = await stats();

  const events = scheduleEvents(requests);
  const statusCounts = new Map<number, number>();
  const intakeRejections = new Map<string, number>();
  const acceptedRequests = new Set<string>();
  const skippedRequests = new Set<string>();
  const bar = new SingleBar({
    format: 'Sending  [{bar}] {percentage}% | {value}/{total} events | {rate}/s | ETA {eta}s',
    ...PROGRESS_OPTIONS,
  });
  bar.start(events.length, 0, { rate: '0' });
  const started = performance.now();
  let sent = 0;

  const send = async (event: ReplayEvent): Promise<void> => {
    const isFollowUp = !String(event.body.id).endsWith('-created');
    if (isFollowUp && !acceptedRequests.has(event.requestId)) {
      skippedRequests.add(event.requestId);
      return;
    }
    const raw = JSON.stringify(event.body);
    for (let attempt = 1; ; attempt++) {
      const timestamp = Math.floor(Date.now() / 1000);
      try {
        const response = await fetch(`${baseUrl}/webhooks/events`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-pulse-org': options.org,
            'x-pulse-timestamp': String(timestamp),
            'x-pulse-signature': signPayload(secret, timestamp, raw),
          },
          body: raw,
        });
        statusCounts.set(response.status, (statusCounts.get(response.status) ?? 0) + 1);
        if (response.status === 202 || response.status === 200) {
          if (!isFollowUp) acceptedRequests.add(event.requestId);
        } else {
          const body = (await response.json().catch(() => ({}))) as {
            error?: { field?: string; code?: string };
          };
          const reason = `${response.status} ${body.error?.field ?? body.error?.code ?? 'unknown'}`;
          intakeRejections.set(reason, (intakeRejections.get(reason) ?? 0) + 1);
        }
        return;
      } catch (error) {
        if (attempt >= 5)
          throw new Error(
            `sending ${String(event.body.id)} failed 5 times: ${(error as Error).message}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
  };

  // Events of one request are sent in order; different requests go out concurrently.
  const tails = new Map<string, Promise<void>>();
  let active = 0;
  const waiters: (() => void)[] = [];
  const acquire = async () => {
    while (active >= options.concurrency)
      await new Promise<void>((resolve) => waiters.push(resolve));
    active += 1;
  };
  const release = () => {
    active -= 1;
    waiters.shift()?.();
  };
  // Sending waits while the server has more than --max-pending events waiting, as a business
  // system sending in real time would; the latency then measures a server that keeps up.
  let sinceCheck = 0;
  for (const event of events) {
    if (options.maxPending > 0 && ++sinceCheck >= Math.max(1, Math.floor(options.maxPending / 2))) {
      sinceCheck = 0;
      while ((await stats(true)).inbox.pending > options.maxPending) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await acquire();
    const previous = tails.get(event.requestId) ?? Promise.resolve();
    const task = previous
      .then(() => send(event))
      .finally(() => {
        release();
        sent += 1;
        const seconds = (performance.now() - started) / 1000;
        bar.update(sent, { rate: (sent / seconds).toFixed(0) });
      });
    tails.set(event.requestId, task);
  }
  await Promise.all(tails.values());
  bar.stop();
  const sendSeconds = (performance.now() - started) / 1000;

  const accepted = statusCounts.get(202) ?? 0;
  const processing = new SingleBar({
    format: 'Processing [{bar}] {percentage}% | {value}/{total} events',
    ...PROGRESS_OPTIONS,
  });
  processing.start(accepted, 0);
  let after = await stats();
  const processedSince = (current: Stats) =>
    current.inbox.done +
    current.inbox.rejected +
    current.inbox.failed -
    (before.inbox.done + before.inbox.rejected + before.inbox.failed);
  const waitUntil = Date.now() + 30 * 60_000;
  while (after.inbox.pending > 0 && Date.now() < waitUntil) {
    processing.update(Math.min(accepted, processedSince(after)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    after = await stats();
  }
  processing.update(Math.min(accepted, processedSince(after)));
  processing.stop();
  const totalSeconds = (performance.now() - started) / 1000;

  const storedSince =
    Object.values(after.inbox).reduce((sum, n) => sum + n, 0) -
    Object.values(before.inbox).reduce((sum, n) => sum + n, 0);
  const processed = processedSince(after);
  const processingRejections = Object.entries(after.inboxRejections).map(([code, count]) => ({
    code,
    count: count - (before.inboxRejections[code] ?? 0),
  }));
  const summary = {
    file: basename(options.file),
    rowsRead: requests.length,
    rowsWithoutCoordinates: withoutLocation,
    rowsClosedBeforeOpened: closedBeforeOpened,
    rowsWithoutCloseTime: withoutCloseTime,
    eventsPlanned: events.length,
    followUpsSkipped: skippedRequests.size,
    accepted,
    duplicates: statusCounts.get(200) ?? 0,
    rejectedAtIntake: Object.fromEntries(intakeRejections),
    storedByServer: storedSince,
    processed,
    stillPending: after.inbox.pending,
    failed: after.inbox.failed - before.inbox.failed,
    rejectedInProcessing: Object.fromEntries(
      processingRejections.filter((r) => r.count > 0).map((r) => [r.code, r.count]),
    ),
    eventsLost: accepted - processed,
    sendSeconds: Number(sendSeconds.toFixed(1)),
    eventsPerSecondSent: Number((sent / sendSeconds).toFixed(1)),
    secondsUntilAllProcessed: Number(totalSeconds.toFixed(1)),
    eventsPerSecondProcessed: Number((accepted / totalSeconds).toFixed(1)),
    dispatchLatencyMs: after.dispatchLatencyMs,
    dispatchProcessingMs: after.dispatchProcessingMs,
  };
  process.stdout.write(`\n${formatSummary(summary)}\n`);
  if (options.json) writeFileSync(options.json, `${JSON.stringify(summary, null, 2)}\n`);
  if (options.record) {
    const args = process.argv.slice(2).map((arg) => (arg === options.file ? basename(arg) : arg));
    const command = `npm run replay -- ${args.join(' ')}`;
    writeBenchmarkSection(
      `replay-${options.record}`,
      `## LA 311 replay (${options.record})

Command: \`${command}\` against \`${baseUrl}\`.
Machine: ${machineDescription()}; one-minute load average ${loadavg()[0]?.toFixed(2)} at the end.
Measured: ${new Date().toISOString().slice(0, 10)}.

Rows without coordinates are rejected at intake with the field named, and their follow-up
events are not sent; requests closed before they were opened are rejected when processed.
Dispatch latency runs from the stored event to the committed recommendation.
The replay sends as fast as the server accepts (${options.concurrency} requests at once), so events queue, and the
processor dispatches up to 20 waiting orders jointly in one transaction: each order's latency
includes its queue and its whole batch. The dispatch benchmark above times one event at a time.

${formatSummary(summary)}`,
    );
    process.stderr.write('summary written to docs/benchmarks.md\n');
  }
  if (summary.eventsLost !== 0 || summary.stillPending > 0) process.exitCode = 1;
}

function formatSummary(summary: Record<string, unknown>): string {
  const lines = ['| measure | value |', '| --- | --- |'];
  for (const [key, value] of Object.entries(summary)) {
    const text =
      value !== null && typeof value === 'object'
        ? Object.entries(value as Record<string, unknown>)
            .map(([k, v]) => `${k}: ${typeof v === 'number' ? Number(v.toFixed(1)) : v}`)
            .join(', ') || 'none'
        : String(value);
    lines.push(`| ${key} | ${text} |`);
  }
  return lines.join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `replay failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
