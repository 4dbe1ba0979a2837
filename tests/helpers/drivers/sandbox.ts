import { startTestPulse, type TestPulse } from '../pulse.js';
import { SandboxClient } from '../sandbox.js';
import type { ChannelDriver, ClickResult, DriverCard } from './types.js';

/** Drives the built-in sandbox chat through its JSON API. */
export function sandboxDriver(): ChannelDriver {
  let pulse: TestPulse | undefined;
  let client: SandboxClient;
  return {
    name: 'sandbox',
    async start() {
      pulse = await startTestPulse();
      client = new SandboxClient(pulse.url);
      return pulse;
    },
    async stop() {
      await pulse?.close();
    },
    async cardsFor(personId) {
      const messages = await client.messages(personId);
      return messages.map(
        (message): DriverCard => ({
          id: message.id,
          title: message.card.title,
          actionIds: message.card.actions.map((action) => action.id),
          selectOptions: Object.fromEntries(
            (message.card.inputs ?? [])
              .filter((input) => input.type === 'select')
              .map((input) => [input.name, (input.options ?? []).map((option) => option.value)]),
          ),
        }),
      );
    },
    async click(card, actionId, asPersonId, values = {}): Promise<ClickResult> {
      const result = await client.click(card.id, actionId, asPersonId, values);
      if (result.status === 200) return { ok: true };
      return {
        ok: false,
        code: (result.body.error as { code?: string } | undefined)?.code ?? String(result.status),
      };
    },
  };
}
