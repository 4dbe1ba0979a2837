import { FakeWecomServer } from '../../fakes/wecom-server.js';
import { startTestPulse, type TestPulse } from '../pulse.js';
import {
  clickEvent,
  clickOutcome,
  mapPeopleToWecom,
  viewCard,
  wecomEnv,
  wecomUserIdOf,
} from '../wecom.js';
import type { ChannelDriver, ClickResult, DriverCard } from './types.js';

/**
 * Drives Pulse through WeCom: cards are read from the fake WeCom server in their latest state,
 * and clicks are posted to /webhooks/wecom as signed, encrypted template_card_event callbacks.
 */
export function wecomDriver(): ChannelDriver {
  let fake: FakeWecomServer | undefined;
  let pulse: TestPulse | undefined;

  const started = () => {
    if (!fake || !pulse) throw new Error('the WeCom driver is not started');
    return { fake, pulse };
  };

  return {
    name: 'wecom',
    async start() {
      fake = await FakeWecomServer.start();
      pulse = await startTestPulse({ env: wecomEnv(fake) });
      await mapPeopleToWecom(pulse.database.db);
      return pulse;
    },
    async stop() {
      await pulse?.close();
      await fake?.stop();
    },
    async cardsFor(personId) {
      const { fake, pulse } = started();
      const userId = await wecomUserIdOf(pulse.database.db, personId);
      return fake.cardsFor(userId).map((message): DriverCard => {
        const view = viewCard(message);
        return {
          id: view.taskId,
          title: view.title,
          actionIds: view.actionIds,
          selectOptions: view.selectOptions,
        };
      });
    },
    async click(card, actionId, asPersonId, values = {}): Promise<ClickResult> {
      const { fake, pulse } = started();
      const message = fake.message(card.id);
      if (!message) throw new Error(`WeCom has no card with task id ${card.id}`);
      const userId = await wecomUserIdOf(pulse.database.db, asPersonId);
      const { xml, responseCode } = clickEvent(fake, viewCard(message), userId, actionId, values);
      const response = await fake.postCallback(pulse.url, xml);
      if (response.status !== 200 || response.body !== '') {
        throw new Error(`the click callback was answered ${response.status} ${response.body}`);
      }
      const row = await clickOutcome(pulse.database.db, responseCode);
      if (row.status === 'done') return { ok: true };
      return { ok: false, code: String(row.outcome?.code ?? row.status) };
    },
  };
}
