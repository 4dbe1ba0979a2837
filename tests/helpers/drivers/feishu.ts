import { cardButtons, cardSelects } from '../../fakes/feishu-cards.js';
import type { FakeFeishu } from '../../fakes/feishu-server.js';
import { openIdOf, processedFeishuEvent, startFeishuPulse } from '../feishu.js';
import type { TestPulse } from '../pulse.js';
import type { ChannelDriver, ClickResult, DriverCard } from './types.js';

function titleOf(card: Record<string, unknown>): string {
  const header = card.header as { title?: { content?: string } } | undefined;
  return header?.title?.content ?? '';
}

/**
 * Drives Pulse through Feishu: cards are read from what the fake Feishu received (after
 * patches, delayed updates and callback responses), clicks are signed, encrypted
 * card.action.trigger callbacks posted to /webhooks/feishu. Demo people get the open id
 * `ou_<employee no>`.
 */
export function feishuDriver(): ChannelDriver & { fake(): FakeFeishu } {
  let fake: FakeFeishu | undefined;
  let pulse: TestPulse | undefined;
  let close: (() => Promise<void>) | undefined;
  const started = () => {
    if (!fake || !pulse) throw new Error('the Feishu driver is not started');
    return { fake, pulse };
  };
  return {
    name: 'feishu',
    fake: () => started().fake,
    async start() {
      const started = await startFeishuPulse();
      fake = started.fake;
      pulse = started.pulse;
      close = started.close;
      return pulse;
    },
    async stop() {
      await close?.();
    },
    async cardsFor(personId) {
      const { fake, pulse } = started();
      const openId = await openIdOf(pulse, personId);
      return fake.messagesTo(openId).map(
        (message): DriverCard => ({
          id: message.messageId,
          title: titleOf(message.card),
          actionIds: cardButtons(message.card).map((found) => String(found.value.action)),
          selectOptions: cardSelects(message.card),
        }),
      );
    },
    async click(card, actionId, asPersonId, values = {}): Promise<ClickResult> {
      const { fake, pulse } = started();
      const clicked = await fake.click(pulse.url, {
        messageId: card.id,
        operator: { open_id: await openIdOf(pulse, asPersonId) },
        actionId,
        values,
      });
      if (clicked.status !== 200) return { ok: false, code: String(clicked.status) };
      if (clicked.outcome === 'pending') {
        // The response came before the outcome; the inbox row has it once processing ends.
        const row = await processedFeishuEvent(pulse, clicked.eventId);
        const code = (row.outcome as { code?: string } | null)?.code;
        return row.status === 'done' ? { ok: true } : { ok: false, code: code ?? row.status };
      }
      return clicked.outcome === 'ok' ? { ok: true } : { ok: false, code: clicked.outcome ?? '' };
    },
  };
}
