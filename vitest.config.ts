import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Integration files each open a database; more workers than cores only adds contention.
    maxWorkers: 2,
    globalSetup: ['tests/helpers/global-setup.ts'],
  },
});
