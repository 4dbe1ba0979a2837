import { createServer } from 'node:http';
import { createPulse, listen } from './handlers/runtime.js';
import { seedDemoIfEmpty } from './handlers/seed/demo.js';
import { type Config, ConfigError, loadConfig } from './lib/config.js';
import { StartupError } from './lib/errors.js';
import { createLogger } from './lib/logger.js';
import { openDatabase } from './models/db.js';

/** Composition root: configuration, database, migrations, demo data, channels, server, workers. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const log = createLogger({
    level: config.logLevel,
    pretty: process.stdout.isTTY && config.env !== 'production',
  });
  log.info({ env: config.env, sandbox: config.sandbox }, 'starting Pulse');
  if (config.webhookSecretIsDefault) {
    log.warn('PULSE_WEBHOOK_SECRET is not set; using the development secret "pulse-dev-secret"');
  }

  // A port in use is found before the database is opened and seeded.
  if (config.port !== 0) {
    const probe = createServer();
    await listen(probe, config.port, config.host);
    await new Promise((resolve) => probe.close(resolve));
  }

  const database = await openDatabase({
    url: config.database.url,
    dataDir: config.database.dataDir,
    log,
  });
  await database.migrate();
  log.info('database migrations applied');
  if (config.demoSeed) await seedDemoIfEmpty(database.db, new Date(), log);

  const pulse = createPulse({ config, database, log });
  await pulse.start();
  if (config.sandbox) {
    log.info(
      `sandbox chat: http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}/sandbox`,
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutdown requested');
    const timer = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5000);
    try {
      await pulse.stop();
      await database.close();
      log.info('database closed');
      clearTimeout(timer);
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection');
  });
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  const detail =
    error instanceof StartupError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`Pulse failed to start: ${detail}\n`);
  process.exit(1);
});
