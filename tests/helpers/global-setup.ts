/** Prints which database the integration tests use, so a log shows what was covered. */
export default function setup(): void {
  const url = process.env.DATABASE_URL;
  const target = url
    ? `PostgreSQL server (${new URL(url).host})`
    : 'embedded PGlite (set DATABASE_URL to use a server)';
  process.stdout.write(`Pulse tests: database = ${target}\n`);
}
