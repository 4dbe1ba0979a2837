import type { OutboxSender } from '../bot/outbox-sender.js';
import type { ChannelRegistry } from '../bot/registry.js';
import type { JobRunner } from '../jobs/runner.js';
import type { Clock } from '../lib/clock.js';
import type { Config } from '../lib/config.js';
import { AppError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Db } from '../models/db.js';
import { findOrgBySlug, type Organisation } from '../models/orgs.js';
import type { InboxProcessor } from './processor.js';

/** What the HTTP routes and jobs share; built once by the composition root. */
export interface Services {
  config: Config;
  db: Db;
  log: Logger;
  clock: Clock;
  processor: InboxProcessor;
  sender: OutboxSender;
  channels: ChannelRegistry;
  /** Crashes the process at a named point when a test asked for it; otherwise does nothing. */
  faultPoint: (point: string) => void;
  /** The scheduled jobs, for running one by hand. */
  jobs?: JobRunner;
}

/** Finds the organisation a request addresses: the X-Pulse-Org slug, or the default one. */
export async function resolveOrg(
  services: Services,
  slug: string | undefined,
): Promise<Organisation> {
  const wanted = slug?.trim() || services.config.defaultOrg;
  const org = await findOrgBySlug(services.db, wanted);
  if (!org) {
    throw new AppError(
      'unknown_organisation',
      404,
      `Organisation "${wanted}" does not exist; check X-Pulse-Org.`,
      {
        details: { field: 'X-Pulse-Org' },
      },
    );
  }
  return org;
}
