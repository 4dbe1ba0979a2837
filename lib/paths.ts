import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding package.json. Files that are not compiled (migrations, the sandbox page,
 * the built mini-app) are read from there, whether the code runs from source or from dist/.
 */
export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(start: string): string {
  let folder = start;
  for (;;) {
    if (existsSync(join(folder, 'package.json'))) return folder;
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`package.json not found above ${start}`);
    folder = parent;
  }
}

export function projectPath(...parts: string[]): string {
  return join(PROJECT_ROOT, ...parts);
}
