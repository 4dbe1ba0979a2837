import { randomBytes } from 'node:crypto';
import { createLogger } from '../../lib/logger.js';
import {
  createServerDatabase,
  type Database,
  dropServerDatabase,
  openDatabase,
} from '../../models/db.js';

export const testLog = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface TestDatabase extends Database {
  /** The server URL of this database, or undefined for PGlite. */
  url: string | undefined;
  /** Closes the connections and drops the database. */
  destroy(): Promise<void>;
}

/** True when the tests run against a PostgreSQL server rather than PGlite. */
export const usingServer = Boolean(process.env.DATABASE_URL);

/**
 * Opens a fresh, migrated database for one test file: a new database on the server named by
 * DATABASE_URL, or an in-memory PGlite when it is unset.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const database = await openDatabase({ dataDir: 'memory://', log: testLog });
    await database.migrate();
    return { ...database, url: undefined, destroy: () => database.close() };
  }
  const name = `pulse_test_${randomBytes(6).toString('hex')}`;
  const url = await createServerDatabase(serverUrl, name);
  const database = await openDatabase({ url, log: testLog });
  await database.migrate();
  return {
    ...database,
    url,
    async destroy() {
      await database.close();
      await dropServerDatabase(serverUrl, name);
    },
  };
}
