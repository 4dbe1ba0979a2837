import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTsx } from '../helpers/child.js';

/** Runs main.ts with `env` added and resolves with its exit code and output once it ends. */
function runMain(env: Record<string, string>) {
  return runTsx(['main.ts'], { NODE_ENV: 'test', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env });
}

describe('start-up errors', () => {
  let folder: string;
  let busy: Server;
  let busyPort: number;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'pulse-startup-'));
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => busy?.close(resolve));
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('names a port in use before opening the database', async () => {
    const dataDir = join(folder, 'busy');
    const { code, output } = await runMain({ PORT: String(busyPort), PULSE_DATA_DIR: dataDir });
    expect(code).toBe(1);
    expect(output).toContain(`Port ${busyPort} on 127.0.0.1 is already in use`);
    expect(output).not.toMatch(/\n\s+at /);
    expect(existsSync(dataDir)).toBe(false);
  }, 70_000);

  it('names an unreachable database server', async () => {
    const { code, output } = await runMain({
      PORT: '0',
      DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/pulse',
    });
    expect(code).toBe(1);
    expect(output).toContain('Could not connect to the PostgreSQL server at');
    expect(output).toContain('Check DATABASE_URL');
    expect(output).not.toContain('hunter2');
    expect(output).not.toMatch(/\n\s+at /);
  }, 70_000);

  it('exits 78 with the value of an invalid variable', async () => {
    const { code, output } = await runMain({ PORT: 'abc' });
    expect(code).toBe(78);
    expect(output).toContain('PORT: must be a whole number from 0 to 65535 (got "abc")');
  }, 70_000);
});
