import type { Channel, ChannelName, Recipient } from './channel.js';

/** Channels in the order they are preferred when a person is reachable on several. */
const PREFERENCE: readonly ChannelName[] = ['wecom', 'feishu', 'sandbox'];

/** The configured channels, and which one reaches a given person. */
export class ChannelRegistry {
  private readonly byName = new Map<ChannelName, Channel>();

  constructor(channels: readonly Channel[]) {
    for (const channel of channels) this.byName.set(channel.name, channel);
  }

  get(name: string): Channel | undefined {
    return this.byName.get(name as ChannelName);
  }

  /** The preferred channel that can reach the person, or undefined when none can. */
  pick(recipient: Recipient): Channel | undefined {
    for (const name of PREFERENCE) {
      const channel = this.byName.get(name);
      if (channel?.canReach(recipient)) return channel;
    }
    return undefined;
  }

  names(): ChannelName[] {
    return [...this.byName.keys()];
  }
}
