import type { Card } from '../../bot/card.js';
import { type Locale, toLocale, translate } from '../../lib/i18n.js';
import { cardQueuedSince, findOpenOrders } from '../../models/home.js';
import { findPersonByIdentity, type Person } from '../../models/people.js';
import type { ChatMessageEvent } from '../chat-messages.js';
import type { HandlerContext, Outcome } from '../context.js';
import { Rejection } from '../context.js';

/** Orders listed on the home card; the count covers the rest. */
const HOME_ORDERS = 5;
/** A person who opens the app again within this time gets no second home card. */
const HOME_CARD_INTERVAL_MS = 10 * 60_000;

const zh: Record<string, string> = {
  'home.title': 'Pulse 工作台 · {name}',
  'home.open': '进行中的工单',
  'home.none': '暂无进行中的工单。',
  'home.more': '另有 {count} 单，请在小程序中查看。',
  'help.title': 'Pulse 派单助手',
  'help.text':
    '派单卡片到达后，工程师点击“接单”或“拒单”；区域经理在派单建议卡片上确认推荐，或选择工程师和原因后改派。打开应用可随时查看你的工单。',
  'notice.title': '操作未完成',
  'link.app': '打开 Pulse 小程序',
  'status.offered': '待接单',
  'status.accepted': '已接单',
  'status.in_progress': '处理中',
  'status.new': '新建',
  'status.unassigned': '未派出',
};

const en: Record<string, string> = {
  'home.title': 'Pulse home · {name}',
  'home.open': 'Open work orders',
  'home.none': 'You have no open work orders.',
  'home.more': '{count} more in the mini-app.',
  'help.title': 'Pulse dispatch assistant',
  'help.text':
    'When a dispatch card arrives, engineers tap Accept or Decline; area managers confirm the recommendation, or choose an engineer and a reason to reassign. Open the app to see your work orders at any time.',
  'notice.title': 'Action not completed',
  'link.app': 'Open the Pulse mini-app',
  'status.offered': 'offered',
  'status.accepted': 'accepted',
  'status.in_progress': 'in progress',
  'status.new': 'new',
  'status.unassigned': 'unassigned',
};

function text(locale: Locale, key: string, values: Record<string, string | number> = {}) {
  return translate({ 'zh-CN': zh, en }, locale, key, values);
}

function appLink(publicUrl: string | undefined, locale: Locale): Card['link'] {
  if (!publicUrl) return undefined;
  return { label: text(locale, 'link.app'), url: `${publicUrl.replace(/\/+$/, '')}/app` };
}

function withLink(card: Card, link: Card['link']): Card {
  return link ? { ...card, link } : card;
}

async function homeCard(
  context: HandlerContext,
  person: Person,
  locale: Locale,
  link: Card['link'],
): Promise<Card> {
  const { total, orders } = await findOpenOrders(context.tx, context.org.id, person, HOME_ORDERS);
  const lines = orders.map(
    (order) => `${order.code} · ${order.faultType} · ${text(locale, `status.${order.status}`)}`,
  );
  if (total > orders.length)
    lines.push(text(locale, 'home.more', { count: total - orders.length }));
  const card: Card = {
    title: text(locale, 'home.title', { name: person.name }),
    tone: 'info',
    blocks: [
      { type: 'fields', fields: [{ label: text(locale, 'home.open'), value: String(total) }] },
      { type: 'text', text: lines.length > 0 ? lines.join('\n') : text(locale, 'home.none') },
    ],
    actions: [],
  };
  return withLink(card, link);
}

/**
 * Returns the handler of chat messages and app events. It replies with a card: the person's
 * home card when they open the app (at most one per 10 minutes), a short help card when they
 * write to it, or a notice such as why their click was rejected. Cards link to the mini-app
 * at `<publicUrl>/app` when a public URL is configured.
 */
export function createChatMessageHandler(publicUrl: string | undefined) {
  return async function handleChatMessage(context: HandlerContext): Promise<Outcome> {
    const message = context.event.payload as unknown as ChatMessageEvent;
    const person = await findPersonByIdentity(context.tx, context.org.id, message.actor);
    if (!person) {
      throw new Rejection(
        'unknown_person',
        'The person who wrote is not registered in Pulse.',
        403,
      );
    }
    const locale = toLocale(person.locale ?? context.org.locale);
    const link = appLink(publicUrl, locale);
    const key = (kind: string) => `${kind}:${person.id}:${context.event.id}`;

    if (message.event === 'enter_agent') {
      const since = new Date(context.now.getTime() - HOME_CARD_INTERVAL_MS);
      if (await cardQueuedSince(context.tx, person.id, 'home:', since)) {
        return { ok: true, message: 'home card sent recently' };
      }
      await context.cards.send(
        person.id,
        key('home'),
        await homeCard(context, person, locale, link),
      );
      return { ok: true, message: 'home card queued' };
    }
    if (message.event === 'notice') {
      const notice: Card = {
        title: text(locale, 'notice.title'),
        tone: 'warning',
        blocks: [{ type: 'text', text: message.text ?? '' }],
        actions: [],
      };
      await context.cards.send(person.id, key('notice'), withLink(notice, link));
      return { ok: true, message: 'notice queued' };
    }
    const help: Card = {
      title: text(locale, 'help.title'),
      tone: 'info',
      blocks: [{ type: 'text', text: text(locale, 'help.text') }],
      actions: [],
    };
    await context.cards.send(person.id, key('help'), withLink(help, link));
    return { ok: true, message: 'help card queued' };
  };
}
