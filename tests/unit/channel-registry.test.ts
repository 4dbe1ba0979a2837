import { describe, expect, it } from 'vitest';
import type { Channel, ChannelName, Recipient } from '../../bot/channel.js';
import { FeishuChannel } from '../../bot/feishu/channel.js';
import { ChannelRegistry } from '../../bot/registry.js';
import { systemClock } from '../../lib/clock.js';
import { testLog } from '../helpers/database.js';

const feishu = new FeishuChannel({
  appId: 'cli_test',
  appSecret: 'secret',
  verificationToken: 'token',
  encryptKey: undefined,
  apiBase: 'http://127.0.0.1:9',
  clock: systemClock,
  log: testLog,
});

/** Returns a stand-in for WeCom or the sandbox that reaches the people `reaches` accepts. */
function stub(name: ChannelName, reaches: (recipient: Recipient) => boolean): Channel {
  return {
    name,
    canReach: reaches,
    send: () => Promise.reject(new Error('not used')),
    update: () => Promise.reject(new Error('not used')),
  };
}

const wecom = stub('wecom', (recipient) => recipient.wecomUserId !== null);
const sandbox = stub('sandbox', () => true);

function person(ids: Partial<Recipient>): Recipient {
  return {
    personId: 'p1',
    orgId: 'o1',
    name: 'Li Wei',
    wecomUserId: null,
    feishuOpenId: null,
    feishuUserId: null,
    ...ids,
  };
}

describe('channel registry with Feishu', () => {
  it('reaches people with an open id or a user id', () => {
    const registry = new ChannelRegistry([feishu, sandbox]);
    expect(registry.pick(person({ feishuOpenId: 'ou_1' }))?.name).toBe('feishu');
    expect(registry.pick(person({ feishuUserId: 'u_1' }))?.name).toBe('feishu');
  });

  it('falls back to the sandbox for people without Feishu ids', () => {
    const registry = new ChannelRegistry([feishu, sandbox]);
    expect(registry.pick(person({}))?.name).toBe('sandbox');
  });

  it('prefers WeCom for people on both platforms', () => {
    const registry = new ChannelRegistry([feishu, wecom, sandbox]);
    expect(registry.pick(person({ wecomUserId: 'w1', feishuOpenId: 'ou_1' }))?.name).toBe('wecom');
    expect(registry.pick(person({ feishuOpenId: 'ou_2' }))?.name).toBe('feishu');
  });

  it('reaches nobody without ids when only Feishu runs', () => {
    const registry = new ChannelRegistry([feishu]);
    expect(registry.pick(person({}))).toBeUndefined();
  });
});
