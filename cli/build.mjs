// Builds Pulse for `npm start`: the TypeScript server into dist/ and, when present, the mini-app.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', shell: false });
  if (result.status !== 0) {
    process.stderr.write(`build step failed: ${command} ${args.join(' ')}\n`);
    process.exit(result.status ?? 1);
  }
}

rmSync('dist', { recursive: true, force: true });
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
if (existsSync('miniapp/vite.config.ts')) {
  run(process.execPath, [
    'node_modules/vite/bin/vite.js',
    'build',
    '--config',
    'miniapp/vite.config.ts',
    '--logLevel',
    'warn',
  ]);
}
