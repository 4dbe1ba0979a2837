import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import { PollLoop } from '../lib/poll-loop.js';
import type { Db } from '../models/db.js';
import {
  claimDueOutbox,
  deferOutbox,
  findChatMessage,
  markOutboxFailed,
  markOutboxSent,
  type OutboxRow,
  saveChatMessage,
} from '../models/outbox.js';
import { findPerson, type Person } from '../models/people.js';
import { type Card, withAbsoluteLink } from './card.js';
import { type Channel, ChannelError, type MessageRef, type Recipient } from './channel.js';
import type { ChannelRegistry } from './registry.js';

/** Attempts before a message goes to the dead letters. */
export const MAX_SEND_ATTEMPTS = 8;

/** Backoff before attempt `n + 1`: 2 s, 4 s, 8 s … capped at 10 minutes. */
export function sendRetryDelayMs(attempts: number): number {
  return Math.min(600_000, 2000 * 2 ** Math.max(0, attempts - 1));
}

export function recipientOf(person: Person): Recipient {
  return {
    personId: person.id,
    orgId: person.orgId,
    name: person.name,
    wecomUserId: person.wecomUserId,
    feishuOpenId: person.feishuOpenId,
    feishuUserId: person.feishuUserId,
  };
}

export interface OutboxSenderOptions {
  db: Db;
  log: Logger;
  clock: Clock;
  channels: ChannelRegistry;
  onFaultPoint?: (point: string) => void;
  /**
   * The address people reach Pulse at (PULSE_PUBLIC_URL); relative card links are made
   * absolute against it for chat platforms.
   */
  publicUrl?: string | undefined;
  /** Called after a message is sent or updated, with its recipient, for live views. */
  onDelivered?: (row: OutboxRow) => void;
  batchSize?: number;
  leaseMs?: number;
  idleMs?: number;
}

/**
 * Sends queued outbound messages. A message is leased before it is sent and marked sent
 * after; a sender that crashes in between leaves the lease to run out, and the next attempt
 * reuses the message's idempotency key so the platform does not deliver it twice.
 */
export class OutboxSender {
  private readonly loop: PollLoop;

  constructor(private readonly options: OutboxSenderOptions) {
    this.loop = new PollLoop({
      name: 'outbox',
      log: options.log,
      idleMs: options.idleMs ?? 1000,
      tick: () => this.sendDue(),
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

  /** Sends one batch of due messages; returns true when there were any. */
  async sendDue(): Promise<boolean> {
    const now = this.options.clock.now();
    const rows = await claimDueOutbox(
      this.options.db,
      now,
      this.options.batchSize ?? 10,
      this.options.leaseMs ?? 30_000,
    );
    for (const row of rows) await this.deliver(row);
    return rows.length > 0;
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const { db, clock } = this.options;
    const log = this.options.log.child({
      outboxId: row.id,
      cardKey: row.cardKey,
      recipientId: row.recipientId,
      kind: row.kind,
      attempt: row.attempts,
    });
    let channel: Channel | undefined;
    try {
      const person = await findPerson(db, row.orgId, row.recipientId);
      if (!person)
        throw new ChannelError('unknown_recipient', `Person ${row.recipientId} does not exist.`, {
          retryable: false,
        });
      const recipient = recipientOf(person);
      const stored = row.card as unknown as Card;
      const cardFor = (target: Channel): Card => {
        if (target.name === 'sandbox') return stored;
        const { card, removed } = withAbsoluteLink(stored, this.options.publicUrl);
        if (removed)
          log.warn(
            { channel: target.name },
            'card link left out; set PULSE_PUBLIC_URL so chat platforms can open it',
          );
        return card;
      };
      const existing =
        row.kind === 'update' ? await findChatMessage(db, row.orgId, row.cardKey) : undefined;
      let ref: MessageRef;
      if (existing) {
        channel = this.options.channels.get(existing.channel);
        if (!channel) {
          throw new ChannelError(
            'channel_gone',
            `Channel ${existing.channel} is not configured any more.`,
            { retryable: false },
          );
        }
        const result = await channel.update(
          existing.messageRef as unknown as MessageRef,
          cardFor(channel),
          recipient,
          {
            idempotencyKey: `pulse-${row.id}`,
            cardKey: row.cardKey,
            ...(row.context ? { context: row.context } : {}),
          },
        );
        ref = result.ref;
        if (result.replaced)
          log.info({ channel: channel.name }, 'card could not be updated; sent a new one');
      } else {
        channel =
          (row.channel && this.options.channels.get(row.channel)) ||
          this.options.channels.pick(recipient);
        if (!channel) {
          throw new ChannelError('unreachable', `No configured channel reaches ${person.name}.`, {
            retryable: false,
          });
        }
        ref = await channel.send(recipient, cardFor(channel), {
          idempotencyKey: `pulse-${row.id}`,
          cardKey: row.cardKey,
        });
      }
      this.options.onFaultPoint?.('after-channel-send');
      const now = clock.now();
      await db.transaction(async (tx) => {
        await saveChatMessage(tx, {
          id: existing?.id ?? newId(),
          orgId: row.orgId,
          cardKey: row.cardKey,
          recipientId: row.recipientId,
          channel: ref.channel,
          messageRef: ref as unknown as Record<string, unknown>,
          card: row.card,
          now,
        });
        const marked = await markOutboxSent(tx, row, ref.channel, now);
        if (!marked) log.warn('message was sent but its lease had passed to another sender');
      });
      log.info(
        { channel: ref.channel, messageId: ref.id },
        row.kind === 'send' ? 'card sent' : 'card updated',
      );
      this.options.onDelivered?.(row);
    } catch (error) {
      await this.handleFailure(row, error, log, channel?.name);
    }
  }

  private async handleFailure(
    row: OutboxRow,
    error: unknown,
    log: Logger,
    channel: string | undefined,
  ): Promise<void> {
    const now = this.options.clock.now();
    const channelError = error instanceof ChannelError ? error : undefined;
    // A deferral waits without counting as an attempt: `rate_limited` for a platform limit,
    // `deferred` for a platform rule such as "update only after the callback response".
    if (channelError?.code === 'rate_limited' || channelError?.code === 'deferred') {
      const until = new Date(now.getTime() + (channelError.retryAfterMs ?? 60_000));
      log.info(
        { until, channel, reason: channelError.message },
        channelError.code === 'rate_limited'
          ? 'rate limit reached; message queued'
          : 'message deferred',
      );
      await deferOutbox(this.options.db, row, until);
      return;
    }
    const retryable = channelError ? channelError.retryable : true;
    const message = error instanceof Error ? error.message : String(error);
    if (!retryable || row.attempts >= MAX_SEND_ATTEMPTS) {
      log.error({ err: error, channel }, 'message moved to dead letters');
      await markOutboxFailed(this.options.db, row, message, undefined, channel);
      return;
    }
    const delay = channelError?.retryAfterMs ?? sendRetryDelayMs(row.attempts);
    const retryAt = new Date(now.getTime() + delay);
    log.warn({ err: error, channel, retryAt }, 'send failed; will retry');
    await markOutboxFailed(this.options.db, row, message, retryAt, channel);
  }
}
