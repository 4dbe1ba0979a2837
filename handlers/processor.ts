import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { PollLoop } from '../lib/poll-loop.js';
import type { Db, Tx } from '../models/db.js';
import {
  claimNextInboxEvent,
  completeInboxEvent,
  failInboxEvent,
  getInboxEvent,
  type InboxRow,
} from '../models/inbox.js';
import { findOrgById, type Organisation } from '../models/orgs.js';
import {
  CardQueue,
  type EventHandler,
  type Outcome,
  Rejection,
  RetryLater,
  rejectionOutcome,
} from './context.js';

/** Attempts before an event that keeps failing is parked as failed for an operator. */
const MAX_ATTEMPTS = 10;

/** Delay before attempt `n + 1`: 1 s, 2 s, 4 s … capped at 5 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

export interface ProcessorOptions {
  db: Db;
  log: Logger;
  clock: Clock;
  handlers: ReadonlyMap<string, EventHandler>;
  /** Called after a transaction that queued outbound messages commits. */
  onOutboxWritten: () => void;
  /** Called at named points so that a test can crash the process there. */
  onFaultPoint?: (point: string) => void;
  idleMs?: number;
}

export type ProcessResult =
  | { status: 'done'; outcome: Outcome }
  | {
      status: 'rejected';
      outcome: { ok: false; code: string; message: string; status: number; field?: string };
    };

/**
 * Processes stored inbound events: each in one transaction that runs its handler, queues its
 * outbound messages and marks it done, so a crash at any point leaves it pending.
 */
export class InboxProcessor {
  private readonly loop: PollLoop;
  private readonly orgs = new Map<string, Organisation>();

  constructor(private readonly options: ProcessorOptions) {
    this.loop = new PollLoop({
      name: 'inbox',
      log: options.log,
      idleMs: options.idleMs ?? 1000,
      tick: async () => (await this.processNext()) !== undefined,
    });
  }

  start(): void {
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /**
   * Processes the next due event, or only event `onlyId` when given. Returns the event's id and
   * result, or undefined when nothing was due.
   */
  async processNext(onlyId?: number): Promise<{ id: number; result: ProcessResult } | undefined> {
    const { db, clock } = this.options;
    const now = clock.now();
    let claimed: InboxRow | undefined;
    try {
      const processed = await db.transaction(async (tx) => {
        const row = await claimNextInboxEvent(tx, now, onlyId);
        if (!row) return undefined;
        claimed = row;
        const result = await this.runHandler(tx, row, now);
        await completeInboxEvent(
          tx,
          row.id,
          result.status,
          result.outcome as unknown as Record<string, unknown>,
          now,
        );
        return { id: row.id, result };
      });
      if (processed) {
        this.options.onFaultPoint?.('after-inbox-commit');
        this.options.onOutboxWritten();
      }
      return processed;
    } catch (error) {
      if (!claimed) throw error;
      await this.recordFailure(claimed, error, now);
      return { id: claimed.id, result: await this.resultAfterFailure(claimed.id) };
    }
  }

  /**
   * Processes one event now and returns its result, waiting up to `timeoutMs` when another
   * worker has locked it or an earlier event of the same key is still pending. Returns undefined
   * when the event is still pending after the wait.
   */
  async processNow(id: number, timeoutMs: number): Promise<ProcessResult | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const processed = await this.processNext(id);
      if (processed) return processed.result;
      const row = await getInboxEvent(this.options.db, id);
      if (!row) return undefined;
      if (row.status !== 'pending') return resultOf(row);
      if (Date.now() >= deadline) return undefined;
      this.wake();
      await sleep(20);
    }
  }

  private async runHandler(tx: Tx, row: InboxRow, now: Date): Promise<ProcessResult> {
    const org = await this.organisation(tx, row.orgId);
    const handler = this.options.handlers.get(row.type);
    const log = this.options.log.child({
      inboxId: row.id,
      eventType: row.type,
      sourceId: row.sourceId,
      orgId: row.orgId,
    });
    if (!handler) {
      return rejected(
        new Rejection('unknown_event_type', `No handler for event type ${row.type}.`, 400),
      );
    }
    try {
      // A savepoint, so that a rejection undoes the handler's writes but keeps the verdict.
      const outcome = await tx.transaction(async (savepoint) => {
        const cards = new CardQueue(savepoint, org.id, now, row.id, { buffered: true });
        const result = await handler({ tx: savepoint, org, event: row, now, log, cards });
        await cards.flush();
        return result;
      });
      log.info({ attempts: row.attempts + 1 }, 'event processed');
      return { status: 'done', outcome };
    } catch (error) {
      if (error instanceof Rejection) {
        log.info({ code: error.code, reason: error.message }, 'event rejected');
        return rejected(error);
      }
      if (error instanceof RetryLater && row.attempts + 1 >= error.maxAttempts) {
        log.warn(
          { reason: error.message, attempts: row.attempts + 1 },
          'event rejected after retries',
        );
        return rejected(new Rejection('dependency_missing', error.message, 422));
      }
      throw error;
    }
  }

  private async organisation(tx: Tx, orgId: string): Promise<Organisation> {
    const cached = this.orgs.get(orgId);
    if (cached) return cached;
    const org = await findOrgById(tx, orgId);
    if (!org) throw new Error(`organisation ${orgId} not found`);
    this.orgs.set(orgId, org);
    return org;
  }

  /** Forgets cached organisation settings, such as after an import changed them. */
  forgetOrganisation(orgId: string): void {
    this.orgs.delete(orgId);
  }

  private async recordFailure(row: InboxRow, error: unknown, now: Date): Promise<void> {
    const attempts = row.attempts + 1;
    const message = error instanceof Error ? error.message : String(error);
    const retryAt =
      attempts >= MAX_ATTEMPTS ? undefined : new Date(now.getTime() + retryDelayMs(attempts));
    const log = this.options.log.child({
      inboxId: row.id,
      eventType: row.type,
      sourceId: row.sourceId,
    });
    if (retryAt) {
      log.warn({ err: error, attempts, retryAt }, 'event failed; will retry');
    } else {
      log.error({ err: error, attempts }, 'event failed too often; parked as failed');
    }
    await failInboxEvent(this.options.db, row.id, message, retryAt);
  }

  private async resultAfterFailure(id: number): Promise<ProcessResult> {
    const row = await getInboxEvent(this.options.db, id);
    return {
      status: 'rejected',
      outcome: {
        ok: false,
        code: row?.status === 'failed' ? 'failed' : 'retrying',
        message: row?.lastError ?? 'processing failed',
        status: 503,
      },
    };
  }
}

function rejected(error: Rejection): ProcessResult {
  return {
    status: 'rejected',
    outcome: rejectionOutcome(error) as Extract<ProcessResult, { status: 'rejected' }>['outcome'],
  };
}

function resultOf(row: InboxRow): ProcessResult | undefined {
  if (row.status === 'done')
    return { status: 'done', outcome: (row.outcome ?? { ok: true }) as unknown as Outcome };
  if (row.status === 'rejected') {
    return {
      status: 'rejected',
      outcome: row.outcome as unknown as Extract<ProcessResult, { status: 'rejected' }>['outcome'],
    };
  }
  return {
    status: 'rejected',
    outcome: {
      ok: false,
      code: 'failed',
      message: row.lastError ?? 'processing failed',
      status: 503,
    },
  };
}
