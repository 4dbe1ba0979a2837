import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Most initial JavaScript and CSS, gzipped, that the mini-app may load before its first tab. */
export const INITIAL_BUDGET_BYTES = 150 * 1024;

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

export interface AssetSize {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface MiniappSize {
  initial: AssetSize[];
  initialGzipBytes: number;
  /** Chunks loaded later, when a tab or the chart opens. */
  lazy: AssetSize[];
}

function sizeOf(distDir: string, file: string): AssetSize {
  const body = readFileSync(join(distDir, file));
  return { file, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
}

/**
 * Measures a built mini-app from Vite's manifest. The first page load needs the entry chunk,
 * every chunk it imports statically and their CSS, so those count as initial. The rest loads
 * on demand.
 */
export function measureMiniapp(distDir: string): MiniappSize {
  const manifest = JSON.parse(
    readFileSync(join(distDir, '.vite', 'manifest.json'), 'utf8'),
  ) as Record<string, ManifestChunk>;
  const initialFiles = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || initialFiles.has(chunk.file)) return;
    initialFiles.add(chunk.file);
    for (const css of chunk.css ?? []) initialFiles.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  const allFiles = new Set<string>();
  for (const chunk of Object.values(manifest)) {
    allFiles.add(chunk.file);
    for (const css of chunk.css ?? []) allFiles.add(css);
  }
  const initial = [...initialFiles].sort().map((file) => sizeOf(distDir, file));
  const lazy = [...allFiles]
    .filter((file) => !initialFiles.has(file) && /\.(js|css)$/.test(file))
    .sort()
    .map((file) => sizeOf(distDir, file));
  return {
    initial,
    initialGzipBytes: initial.reduce((sum, asset) => sum + asset.gzipBytes, 0),
    lazy,
  };
}

/** Runs the Vite production build of the mini-app into dist/miniapp; throws when it fails. */
export function buildMiniapp(projectRoot: string): void {
  const result = spawnSync(
    process.execPath,
    [
      'node_modules/vite/bin/vite.js',
      'build',
      '--config',
      'miniapp/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: projectRoot, stdio: 'inherit' },
  );
  if (result.status !== 0) throw new Error('the mini-app build failed; see the output above');
}

export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
