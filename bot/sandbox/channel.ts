import type { Clock } from '../../lib/clock.js';
import type { Db } from '../../models/db.js';
import { insertSandboxMessage, updateSandboxMessage } from '../../models/sandbox.js';
import type { Card } from '../card.js';
import {
  type Channel,
  ChannelError,
  type MessageRef,
  type Recipient,
  type SendOptions,
  type UpdateOptions,
  type UpdateResult,
} from '../channel.js';

/**
 * The built-in chat: cards are stored in the database and shown at /sandbox, where anyone may
 * act as any person. It reaches everybody, so it serves as the fallback channel.
 */
export class SandboxChannel implements Channel {
  readonly name = 'sandbox' as const;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  canReach(): boolean {
    return true;
  }

  async send(recipient: Recipient, card: Card, options: SendOptions): Promise<MessageRef> {
    const message = await insertSandboxMessage(this.db, {
      orgId: recipient.orgId,
      recipientId: recipient.personId,
      cardKey: options.cardKey,
      card: card as unknown as Record<string, unknown>,
      idempotencyKey: options.idempotencyKey,
      now: this.clock.now(),
    });
    return { channel: 'sandbox', id: message.id };
  }

  async update(
    ref: MessageRef,
    card: Card,
    _recipient: Recipient,
    _options: UpdateOptions,
  ): Promise<UpdateResult> {
    const updated = await updateSandboxMessage(
      this.db,
      ref.id,
      card as unknown as Record<string, unknown>,
      this.clock.now(),
    );
    if (!updated) {
      throw new ChannelError('message_not_found', `Sandbox message ${ref.id} does not exist.`, {
        retryable: false,
      });
    }
    return { ref };
  }
}
