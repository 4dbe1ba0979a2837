import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Channel } from '../bot/channel.js';
import { FeishuChannel } from '../bot/feishu/channel.js';
import { OutboxSender } from '../bot/outbox-sender.js';
import { ChannelRegistry } from '../bot/registry.js';
import { SandboxChannel } from '../bot/sandbox/channel.js';
import { WecomChannel } from '../bot/wecom/channel.js';
import { BUSINESS_EVENT_TYPES } from '../domain/events.js';
import { allJobs } from '../jobs/index.js';
import type { KeyResultSource } from '../jobs/key-results.js';
import { JobRunner } from '../jobs/runner.js';
import { type Clock, systemClock } from '../lib/clock.js';
import type { Config } from '../lib/config.js';
import { StartupError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Database } from '../models/db.js';
import { createApp } from './app.js';
import { CHAT_MESSAGE_TYPE } from './chat-messages.js';
import type { EventHandler } from './context.js';
import { DISPATCH_ACTION_IDS, handleDispatchAction } from './dispatch/actions.js';
import { type ActionHandler, createCardActionHandler } from './events/card-actions.js';
import { createChatMessageHandler } from './events/chat-messages.js';
import { handleComplaintReceived } from './events/complaints.js';
import { handleHandoffAccepted, handleHandoffRequested } from './events/handoffs.js';
import { handleRatingSubmitted } from './events/ratings.js';
import {
  handleWorkOrderCancelled,
  handleWorkOrderCreated,
  handleWorkOrderReopened,
  handleWorkOrderResolved,
  handleWorkOrderStatusChanged,
} from './events/work-orders.js';
import { FEEDBACK_ACTIONS } from './feedback/cards.js';
import { feedbackDeliveryListener } from './feedback/delivery.js';
import { handleFeedbackAction } from './feedback/submit.js';
import { handleOkrAction, OKR_ACTION_IDS } from './okr/checkins.js';
import { okrKeyResultSource } from './okr/key-result-source.js';
import { InboxProcessor } from './processor.js';
import { feedbackAdminRouter } from './routes/feedback-admin.js';
import { feedbackFormRouter } from './routes/feedback-form.js';
import { feishuRouter } from './routes/feishu.js';
import { wecomRouter } from './routes/wecom.js';
import type { Services } from './services.js';

export interface PulseOptions {
  config: Config;
  database: Database;
  log: Logger;
  clock?: Clock;
  /** Extra channels such as WeCom and Feishu; the sandbox is added when the config enables it. */
  channels?: Channel[];
  /** Where the mid-period job reads key results; without it the job finds none. */
  keyResults?: KeyResultSource;
  /** This instance's name in the job run records; defaults to host name and process id. */
  instanceName?: string;
}

export interface Pulse {
  services: Services;
  /** Starts the workers and listens on the configured port; resolves with the bound port. */
  start(port?: number): Promise<number>;
  /** Stops taking requests, lets in-flight work finish, stops the workers. */
  stop(): Promise<void>;
  server: Server;
}

/** The handler of every inbound event type, by type. */
export function eventHandlers(): Map<string, EventHandler> {
  const actions = new Map<string, ActionHandler>();
  for (const id of DISPATCH_ACTION_IDS) actions.set(id, handleDispatchAction);
  for (const id of OKR_ACTION_IDS) actions.set(id, handleOkrAction);
  for (const id of Object.values(FEEDBACK_ACTIONS)) actions.set(id, handleFeedbackAction);
  const handlers = new Map<string, EventHandler>([
    ['work_order.created', handleWorkOrderCreated],
    ['work_order.status_changed', handleWorkOrderStatusChanged],
    ['work_order.resolved', handleWorkOrderResolved],
    ['work_order.reopened', handleWorkOrderReopened],
    ['work_order.cancelled', handleWorkOrderCancelled],
    ['rating.submitted', handleRatingSubmitted],
    ['work_order.handoff_requested', handleHandoffRequested],
    ['work_order.handoff_accepted', handleHandoffAccepted],
    ['complaint.received', handleComplaintReceived],
    ['card.action', createCardActionHandler(actions)],
  ]);
  for (const type of BUSINESS_EVENT_TYPES) {
    if (!handlers.has(type)) throw new Error(`no handler registered for ${type}`);
  }
  return handlers;
}

/** Wires the services, workers and HTTP app of one Pulse instance. */
export function createPulse(options: PulseOptions): Pulse {
  const { config, database, log } = options;
  const clock = options.clock ?? systemClock;
  const db = database.db;
  const faultPoint = (point: string) => {
    if (config.faultInject === point) {
      log.fatal({ point }, 'fault injection: killing the process');
      process.kill(process.pid, 'SIGKILL');
    }
  };

  const channels: Channel[] = [...(options.channels ?? [])];
  const wecom = config.wecom
    ? new WecomChannel({ config: config.wecom, publicUrl: config.publicUrl, db, clock, log })
    : undefined;
  if (wecom) channels.push(wecom);
  if (config.sandbox) channels.push(new SandboxChannel(db, clock));
  if (config.feishu && !channels.some((channel) => channel.name === 'feishu')) {
    channels.push(new FeishuChannel({ ...config.feishu, clock, log }));
    if (!config.feishu.encryptKey) {
      log.warn(
        'FEISHU_ENCRYPT_KEY is not set: Feishu does not sign its requests then, and the Verification Token is the only check; set an Encrypt Key in the app console',
      );
    }
  }
  const feishu = channels.find((channel) => channel instanceof FeishuChannel);
  const registry = new ChannelRegistry(channels);
  const sender = new OutboxSender({
    db,
    log: log.child({ component: 'sender' }),
    clock,
    channels: registry,
    onFaultPoint: faultPoint,
    leaseMs: config.outboxLeaseMs,
    publicUrl: config.publicUrl,
    onDelivered: feedbackDeliveryListener(db, clock, log.child({ component: 'feedback' })),
  });
  const processor = new InboxProcessor({
    db,
    log: log.child({ component: 'processor' }),
    clock,
    handlers: eventHandlers().set(CHAT_MESSAGE_TYPE, createChatMessageHandler(config.publicUrl)),
    onOutboxWritten: () => sender.wake(),
    onFaultPoint: faultPoint,
  });
  const jobs = new JobRunner({
    db,
    clock,
    log: log.child({ component: 'jobs' }),
    jobs: allJobs(options.keyResults ?? okrKeyResultSource),
    timeZone: config.timezone,
    instance: options.instanceName ?? `${hostname()}:${process.pid}`,
    onCommitted: () => sender.wake(),
  });
  const services: Services = {
    config,
    db,
    log,
    clock,
    processor,
    sender,
    channels: registry,
    faultPoint,
    jobs,
  };
  const routers = [
    ...(wecom ? [wecomRouter(services, wecom)] : []),
    ...(feishu ? [feishuRouter(services, feishu)] : []),
    feedbackFormRouter(services),
  ];
  if (config.adminToken) routers.push(feedbackAdminRouter(services, config.adminToken));
  const app = createApp(services, routers);
  const server = createServer(app.callback());
  server.keepAliveTimeout = 5000;

  return {
    services,
    server,
    async start(port = config.port) {
      await listen(server, port, config.host);
      processor.start();
      sender.start();
      if (config.jobs !== false) jobs.start();
      const bound = (server.address() as AddressInfo).port;
      log.info(
        { host: config.host, port: bound, channels: registry.names(), database: database.kind },
        'Pulse is listening',
      );
      return bound;
    },
    async stop() {
      log.info('stopping: no new requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await closed;
      clearTimeout(timer);
      await jobs.stop();
      await processor.stop();
      await sender.stop();
      log.info('stopped');
    },
  };
}

/** Listens on `port`, turning the usual failures into a StartupError that names the fix. */
export async function listen(server: Server, port: number, host: string): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new StartupError(
        `Port ${port} on ${host} is already in use; stop the other process or set PORT to a free port.`,
        { cause: error },
      );
    }
    if (code === 'EACCES') {
      throw new StartupError(
        `Port ${port} on ${host} needs more privileges; set PORT to 1024 or above.`,
        { cause: error },
      );
    }
    if (code === 'EADDRNOTAVAIL') {
      throw new StartupError(
        `HOST ${host} is not an address of this machine; set HOST to 127.0.0.1 or 0.0.0.0.`,
        { cause: error },
      );
    }
    throw error;
  }
}
