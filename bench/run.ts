/**
 * Runs the benchmarks and writes their figures to docs/benchmarks.md.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench
 *
 * The dispatch benchmark needs a PostgreSQL server: it creates and drops a database named
 * pulse_bench there.
 */
import { dispatchBenchSection } from './dispatch.js';
import { writeBenchmarkSection } from './report.js';

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL ?? process.env.BENCH_DATABASE_URL;
  if (!serverUrl) {
    process.stderr.write(
      'Set DATABASE_URL to a PostgreSQL server, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench\n',
    );
    process.exit(2);
  }
  writeBenchmarkSection('dispatch', await dispatchBenchSection(serverUrl));
  process.stderr.write('results written to docs/benchmarks.md\n');
}

main().catch((error: unknown) => {
  const cause = error instanceof Error && error.cause ? `\ncaused by: ${String(error.cause)}` : '';
  process.stderr.write(
    `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}${cause}\n`,
  );
  process.exit(1);
});
