import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { StartupError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { projectPath } from '../lib/paths.js';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Anything that runs queries: the database or an open transaction. */
export type Executor = Db | Tx;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Runs the schema migrations; safe when several instances start at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

const MIGRATIONS_FOLDER = projectPath('models', 'migrations');

/** Lock id for migrations and the demo seed, so that two instances never run them together. */
export const STARTUP_LOCK_ID = 7_261_001;

export interface OpenDatabaseOptions {
  url?: string | undefined;
  /** Folder for the embedded database; `memory://` keeps it in memory. */
  dataDir?: string;
  log: Logger;
  /** Connection pool size for a PostgreSQL server. */
  poolSize?: number;
}

/**
 * Opens PostgreSQL: a server when `url` is set, otherwise the embedded PGlite database stored
 * under `dataDir`.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.url) return openServer(options.url, options);
  return openEmbedded(options.dataDir ?? './data', options.log);
}

async function openServer(url: string, options: OpenDatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  pool.on('error', (error) => options.log.error({ err: error }, 'idle database connection failed'));
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw new StartupError(
      `Could not connect to the PostgreSQL server at ${redactUrl(url)}: ${(error as Error).message}. Check DATABASE_URL and that the server is running.`,
      { cause: error },
    );
  }
  const db = drizzleNodePg(pool, { schema }) as unknown as Db;
  options.log.info({ database: redactUrl(url) }, 'connected to PostgreSQL server');
  return {
    db,
    kind: 'postgres',
    async migrate() {
      const connection = await pool.connect();
      try {
        await connection.query('select pg_advisory_lock($1)', [STARTUP_LOCK_ID]);
        await migrateNodePg(drizzleNodePg(connection, { schema }), {
          migrationsFolder: MIGRATIONS_FOLDER,
        });
      } finally {
        await connection.query('select pg_advisory_unlock($1)', [STARTUP_LOCK_ID]).catch(() => {});
        connection.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * Takes the embedded database's lock file, so that a second process cannot open the same
 * folder (PGlite is a single-process database). A lock left by a dead process is taken over.
 */
async function lockDataDir(folder: string): Promise<() => Promise<void>> {
  const lockPath = resolve(folder, 'pulse.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new StartupError(
          `The embedded database in ${folder} is in use by process ${owner}; stop that process or set PULSE_DATA_DIR to another folder.`,
        );
      }
      await rm(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock the embedded database in ${folder}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process that its parent has not yet reaped still accepts signals. On Linux its
  // state in /proc is then Z (zombie), and it owns no lock.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

async function openEmbedded(dataDir: string, log: Logger): Promise<Database> {
  let client: PGlite;
  let unlock = async () => {};
  if (dataDir.startsWith('memory://')) {
    client = new PGlite();
  } else {
    const folder = resolve(dataDir, 'pglite');
    await mkdir(folder, { recursive: true });
    unlock = await lockDataDir(resolve(dataDir));
    client = new PGlite(folder);
  }
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  log.info({ dataDir }, 'opened embedded database');
  return {
    db,
    kind: 'pglite',
    async migrate() {
      await migratePglite(drizzlePglite(client, { schema }), {
        migrationsFolder: MIGRATIONS_FOLDER,
      });
    },
    async close() {
      await client.close();
      await unlock();
    },
  };
}

/** Hides the password of a connection URL for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '[unparsable url]';
  }
}

/**
 * Runs a raw SQL query and returns its rows. Both drivers (node-postgres and PGlite) return
 * results with a `rows` array.
 */
export async function queryRows<Row>(db: Executor, query: SQL): Promise<Row[]> {
  const result = (await db.execute(query)) as unknown as { rows: Row[] };
  return result.rows;
}

/** Runs one statement on the server of `serverUrl` through a connection of its own. */
async function runAdminStatement(serverUrl: string, statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

/**
 * Creates database `name` on the server of `serverUrl` and returns its URL. `name` must be a
 * plain identifier, because it is written into the statement.
 */
export async function createServerDatabase(serverUrl: string, name: string): Promise<string> {
  await runAdminStatement(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops database `name` on the server of `serverUrl`, closing its connections. */
export async function dropServerDatabase(serverUrl: string, name: string): Promise<void> {
  await runAdminStatement(serverUrl, `drop database if exists ${name} with (force)`);
}
