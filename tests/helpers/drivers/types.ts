import type { TestPulse } from '../pulse.js';

/** A card as a person sees it on a channel, reduced to what the scenario tests compare. */
export interface DriverCard {
  /** The channel's id of the message (sandbox message id, WeCom task id, Feishu message id). */
  id: string;
  title: string;
  /** Action ids of the buttons the card offers now. */
  actionIds: string[];
  /** Options of each select input, by input name. */
  selectOptions: Record<string, string[]>;
}

export interface ClickResult {
  ok: boolean;
  /** The rejection code, such as not_permitted, when `ok` is false. */
  code?: string;
}

/**
 * Drives Pulse through one chat channel the way its users would: read the cards a person got,
 * and click a button as a person through the channel's own callback.
 */
export interface ChannelDriver {
  name: 'sandbox' | 'wecom' | 'feishu';
  /** Starts the channel's fake platform and a Pulse instance that uses it, with demo people mapped to platform ids. */
  start(): Promise<TestPulse>;
  stop(): Promise<void>;
  /** Every card the person received on this channel, in its latest state, oldest first. */
  cardsFor(personId: string): Promise<DriverCard[]>;
  click(
    card: DriverCard,
    actionId: string,
    asPersonId: string,
    values?: Record<string, string>,
  ): Promise<ClickResult>;
}
