import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildMiniapp } from '../../bench/miniapp-size.js';
import { projectPath } from '../../lib/paths.js';

/** Newest modification time under `folder`, in milliseconds. */
function newestMtime(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the mini-app into dist/miniapp unless a build newer than every source file exists,
 * so the browser tests never depend on an earlier `npm run build`.
 */
export function buildMiniappIfStale(): void {
  const built = projectPath('dist', 'miniapp', '.vite', 'manifest.json');
  const sources = Math.max(
    newestMtime(projectPath('miniapp')),
    statSync(projectPath('package-lock.json')).mtimeMs,
  );
  if (existsSync(built) && statSync(built).mtimeMs > sources) return;
  process.stdout.write('Pulse tests: building the mini-app\n');
  buildMiniapp(projectPath());
}
