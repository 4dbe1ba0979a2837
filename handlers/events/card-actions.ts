import type { CardActionEvent } from '../../bot/channel.js';
import { toLocale, translate } from '../../lib/i18n.js';
import { findPersonByIdentity, type Person } from '../../models/people.js';
import { type HandlerContext, type Outcome, Rejection } from '../context.js';

/** Said to a clicker Pulse cannot identify, in the organisation's language. */
const UNKNOWN_PERSON = {
  'zh-CN': { text: '你还没有在 Pulse 中登记，请联系管理员导入你的账号。' },
  en: { text: 'You are not registered in Pulse; ask an administrator to import your account.' },
};

export type ActionHandler = (
  context: HandlerContext,
  click: CardActionEvent,
  actor: Person,
) => Promise<Outcome>;

/**
 * Returns the handler of card clicks. It resolves the clicker from the platform identity,
 * never from the card, and passes the click to the handler registered for its action id.
 */
export function createCardActionHandler(actions: ReadonlyMap<string, ActionHandler>) {
  return async function handleCardAction(context: HandlerContext): Promise<Outcome> {
    const click = context.event.payload as unknown as CardActionEvent;
    const actor = await findPersonByIdentity(context.tx, context.org.id, click.actor);
    if (!actor) {
      throw new Rejection(
        'unknown_person',
        translate(UNKNOWN_PERSON, toLocale(context.org.locale), 'text'),
        403,
      );
    }
    const handler = actions.get(click.actionId);
    if (!handler) {
      throw new Rejection(
        'unknown_action',
        `No handler for action ${click.actionId}.`,
        400,
        'action',
      );
    }
    context.log = context.log.child({ actionId: click.actionId, actorId: actor.id });
    return handler(context, click, actor);
  };
}
