import { projectPath } from '../lib/paths.js';
import { buildMiniapp, INITIAL_BUDGET_BYTES, kib, measureMiniapp } from './miniapp-size.js';
import { machineDescription, writeBenchmarkSection } from './report.js';

/**
 * Builds the mini-app, measures what the first page load needs, and writes the figures to
 * docs/benchmarks.md. Exits with status 1 when the initial assets exceed the budget.
 */
function main(): void {
  buildMiniapp(projectPath());
  const size = measureMiniapp(projectPath('dist', 'miniapp'));
  const rows = (assets: typeof size.initial) =>
    assets.map((a) => `| \`${a.file}\` | ${kib(a.bytes)} | ${kib(a.gzipBytes)} |`).join('\n');
  const markdown = `## Mini-app size

Command: \`npm run build:size\` (Vite production build, then gzip level 9 of each file).
Measured on ${machineDescription()}, ${new Date().toISOString().slice(0, 10)}.

Initial JavaScript and CSS (the entry chunk, the chunks it imports statically and their CSS):
**${kib(size.initialGzipBytes)} gzipped**, budget ${kib(INITIAL_BUDGET_BYTES)}. Every tab, the key-result
page and the ECharts chart are separate chunks that load when opened.

| Initial file | Size | Gzipped |
| --- | --- | --- |
${rows(size.initial)}

| Loaded on demand | Size | Gzipped |
| --- | --- | --- |
${rows(size.lazy)}`;
  writeBenchmarkSection('miniapp-size', markdown);
  process.stdout.write(`mini-app initial assets: ${kib(size.initialGzipBytes)} gzipped\n`);
  if (size.initialGzipBytes > INITIAL_BUDGET_BYTES) process.exit(1);
}

main();
