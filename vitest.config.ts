import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores in CI: keep parallelism modest so real servers in integration tests get CPU.
    maxWorkers: 2,
    setupFiles: ['test/helpers/kill-children.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
