import type { CardActionEvent, ChannelName } from '../bot/channel.js';
import { storeInboxEvent } from '../models/inbox.js';
import type { Services } from './services.js';

/** Inbox type of a chat message or app event from a person. */
export const CHAT_MESSAGE_TYPE = 'chat.message';

/** A person's message or app event, or a notice Pulse owes them, as stored in the inbox. */
export interface ChatMessageEvent {
  channel: ChannelName;
  actor: CardActionEvent['actor'];
  /** enter_agent (opened the app), text (wrote to the app) or notice (tell them `text`). */
  event: 'enter_agent' | 'text' | 'notice';
  text?: string;
}

/**
 * Stores a chat message once per `sourceId` and wakes the processor; messages of one person
 * are processed in order. Returns the inbox id and whether it was a repeat delivery.
 */
export async function storeChatMessage(
  services: Services,
  orgId: string,
  sourceId: string,
  message: ChatMessageEvent,
): Promise<{ id: number; duplicate: boolean }> {
  const who =
    message.actor.wecomUserId ??
    message.actor.feishuOpenId ??
    message.actor.feishuUserId ??
    message.actor.personId;
  const stored = await storeInboxEvent(services.db, {
    orgId,
    source: message.channel,
    sourceId,
    type: CHAT_MESSAGE_TYPE,
    orderingKey: `chat:${message.channel}:${who ?? 'unknown'}`,
    payload: message as unknown as Record<string, unknown>,
    receivedAt: services.clock.now(),
  });
  services.processor.wake();
  return { id: stored.id, duplicate: stored.status !== 'stored' };
}
