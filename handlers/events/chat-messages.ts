import type { CardActionEvent } from '../../bot/channel.js';
import { findPersonByIdentity } from '../../models/people.js';
import type { HandlerContext, Outcome } from '../context.js';

/** A message or app event a person sent to the bot, stored as inbox type `chat.message`. */
export interface ChatMessageEvent {
  channel: CardActionEvent['channel'];
  actor: CardActionEvent['actor'];
  /** The platform's event type, such as im.message.receive_v1. */
  event: string;
  text?: string;
}

/**
 * Records a chat message to the bot. Pulse has no conversation features yet, so the handler
 * only resolves and logs who wrote; the text itself is not logged.
 */
export async function handleChatMessage(context: HandlerContext): Promise<Outcome> {
  const message = context.event.payload as unknown as ChatMessageEvent;
  const person = await findPersonByIdentity(context.tx, context.org.id, message.actor);
  context.log.info(
    {
      channel: message.channel,
      platformEvent: message.event,
      personId: person?.id ?? null,
      textLength: message.text?.length ?? 0,
    },
    person ? 'chat message received' : 'chat message from a person not registered in Pulse',
  );
  return { ok: true, data: { personId: person?.id ?? null } };
}
