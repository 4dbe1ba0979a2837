import type { Card } from '../bot/card.js';
import type { Logger } from '../lib/logger.js';
import type { Tx } from '../models/db.js';
import type { InboxRow } from '../models/inbox.js';
import type { Organisation } from '../models/orgs.js';
import { type EnqueueInput, enqueueOutboxRows } from '../models/outbox.js';

/**
 * Queues cards in the handler's transaction, so they go out only if the change commits. A
 * queue created with `buffered` keeps the cards until `flush` writes them in one statement;
 * its creator must call `flush` before the transaction ends. The inbox processor does so
 * after each handler.
 */
export class CardQueue {
  private readonly pending: EnqueueInput[] = [];

  constructor(
    private readonly tx: Tx,
    private readonly orgId: string,
    private readonly now: Date,
    private readonly inboxId: number | undefined,
    private readonly options: { buffered?: boolean } = {},
  ) {}

  async send(recipientId: string, cardKey: string, card: Card): Promise<void> {
    await this.add(this.row('send', recipientId, cardKey, card));
  }

  /** Replaces a card sent before; `context` carries the platform data of the click, if any. */
  async update(
    recipientId: string,
    cardKey: string,
    card: Card,
    context?: Record<string, unknown>,
  ): Promise<void> {
    await this.add({
      ...this.row('update', recipientId, cardKey, card),
      ...(context ? { context } : {}),
    });
  }

  private async add(row: EnqueueInput): Promise<void> {
    this.pending.push(row);
    if (!this.options.buffered) await this.flush();
  }

  /** Writes the queued cards to the outbox; returns how many. */
  async flush(): Promise<number> {
    const rows = this.pending.splice(0);
    await enqueueOutboxRows(this.tx, rows);
    return rows.length;
  }

  private row(
    kind: 'send' | 'update',
    recipientId: string,
    cardKey: string,
    card: Card,
  ): EnqueueInput {
    return {
      orgId: this.orgId,
      kind,
      recipientId,
      cardKey,
      card: card as unknown as Record<string, unknown>,
      now: this.now,
      ...(this.inboxId !== undefined ? { inboxId: this.inboxId } : {}),
    };
  }
}

export interface HandlerContext {
  tx: Tx;
  org: Organisation;
  event: InboxRow;
  now: Date;
  log: Logger;
  cards: CardQueue;
}

/** A handler's result; the sandbox and chat platforms show `message` to the clicker. */
export interface Outcome {
  ok: true;
  message?: string;
  data?: Record<string, unknown>;
}

/**
 * A handler's refusal of an event: nothing the handler wrote is kept, the event is marked
 * rejected and never retried. `status` is the HTTP status a synchronous caller gets.
 */
export class Rejection extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 422,
    readonly field?: string,
    /** Machine-readable facts about an invalid field, returned beside `field`. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'Rejection';
  }
}

/** The outcome stored on an inbox row that a handler rejected. */
export function rejectionOutcome(error: Rejection): Record<string, unknown> {
  return {
    ok: false,
    code: error.code,
    message: error.message,
    status: error.status,
    ...(error.field ? { field: error.field } : {}),
  };
}

/**
 * A failure that may clear up by itself, such as an event that arrived before the one it
 * depends on. It is retried at most `maxAttempts` times and then rejected with its message.
 * The default of 8 attempts, 1 s apart and doubling, waits about two minutes in all.
 */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly maxAttempts = 8,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

export type EventHandler = (context: HandlerContext) => Promise<Outcome>;
