import { buildMiniappIfStale } from './build-miniapp.js';

/**
 * Prints which database the integration tests use, so a log shows what was covered, and builds
 * the mini-app for the browser tests when it is missing or older than its sources.
 */
export default function setup(): void {
  const url = process.env.DATABASE_URL;
  const target = url
    ? `PostgreSQL server (${new URL(url).host})`
    : 'embedded PGlite (set DATABASE_URL to use a server)';
  process.stdout.write(`Pulse tests: database = ${target}\n`);
  buildMiniappIfStale();
}
