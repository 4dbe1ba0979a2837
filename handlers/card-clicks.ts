import type { CardActionEvent } from '../bot/channel.js';
import { storeInboxEvent } from '../models/inbox.js';
import type { Services } from './services.js';

/** The ordering key of a click: the first two parts of its card key, such as dispatch:<id>. */
export function clickOrderingKey(cardKey: string | undefined): string {
  if (!cardKey) return 'card:unknown';
  return `card:${cardKey.split(':').slice(0, 2).join(':')}`;
}

/**
 * Stores a verified card click in the inbox once per `sourceId` (the platform's de-duplication
 * key) and wakes the processor. Returns the inbox id and whether it was a repeat delivery.
 */
export async function storeCardClick(
  services: Services,
  orgId: string,
  sourceId: string,
  click: CardActionEvent,
): Promise<{ id: number; duplicate: boolean }> {
  const stored = await storeInboxEvent(services.db, {
    orgId,
    source: click.channel,
    sourceId,
    type: 'card.action',
    orderingKey: clickOrderingKey(click.cardKey),
    payload: click as unknown as Record<string, unknown>,
    receivedAt: services.clock.now(),
  });
  services.processor.wake();
  return { id: stored.id, duplicate: stored.status !== 'stored' };
}
