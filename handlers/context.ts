import type { Card } from '../bot/card.js';
import type { Logger } from '../lib/logger.js';
import type { Tx } from '../models/db.js';
import type { InboxRow } from '../models/inbox.js';
import type { Organisation } from '../models/orgs.js';
import { enqueueOutbox } from '../models/outbox.js';

/** Queues cards in the handler's transaction, so they go out only if the change commits. */
export class CardQueue {
  constructor(
    private readonly tx: Tx,
    private readonly orgId: string,
    private readonly now: Date,
    private readonly inboxId: number | undefined,
  ) {}

  async send(recipientId: string, cardKey: string, card: Card): Promise<void> {
    await enqueueOutbox(this.tx, {
      orgId: this.orgId,
      kind: 'send',
      recipientId,
      cardKey,
      card: card as unknown as Record<string, unknown>,
      now: this.now,
      ...(this.inboxId !== undefined ? { inboxId: this.inboxId } : {}),
    });
  }

  /** Replaces a card sent before; `context` carries the platform data of the click, if any. */
  async update(
    recipientId: string,
    cardKey: string,
    card: Card,
    context?: Record<string, unknown>,
  ): Promise<void> {
    await enqueueOutbox(this.tx, {
      orgId: this.orgId,
      kind: 'update',
      recipientId,
      cardKey,
      card: card as unknown as Record<string, unknown>,
      now: this.now,
      ...(context ? { context } : {}),
      ...(this.inboxId !== undefined ? { inboxId: this.inboxId } : {}),
    });
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

/** What a handler reports back; the sandbox and chat platforms show `message` to the clicker. */
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
  ) {
    super(message);
    this.name = 'Rejection';
  }
}

/**
 * A failure that may clear up by itself, such as an event that arrived before the one it
 * depends on. It is retried at most `maxAttempts` times and then rejected with its message.
 */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly maxAttempts = 3,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

export type EventHandler = (context: HandlerContext) => Promise<Outcome>;
