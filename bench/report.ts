import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { projectPath } from '../lib/paths.js';

/** Describes this machine for a benchmark record: CPU model, cores, memory, Node.js. */
export function machineDescription(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const memory = Math.round(totalmem() / 1024 ** 3);
  return `${cpu}, ${cpus().length} cores, ${memory} GiB RAM, Node.js ${process.version}, ${process.platform}`;
}

/** Percentile `p` (0-100) of sorted numbers, by nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

/**
 * Replaces the part of docs/benchmarks.md between `<!-- name:start -->` and `<!-- name:end -->`
 * with `markdown`, adding the section at the end when the markers are missing.
 */
export function writeBenchmarkSection(name: string, markdown: string): void {
  const path = projectPath('docs', 'benchmarks.md');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text =
      '# Benchmarks\n\nFigures measured on the machine named in each section, with the command that produced them.\n';
  }
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, text);
}
