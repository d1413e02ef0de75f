import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Swarm tests need an engine that is a swarm: their own run (vitest.swarm.config.ts), never beside compose tests.
    exclude: ['test/swarm/live/**', '**/node_modules/**'],
    // Real PostgreSQL, Docker and compose: generous timeouts, and files in
    // parallel only up to the two cores this kind of machine has.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    maxWorkers: 2,
    reporters: ['default'],
    globalSetup: ['test/fixtures/global-setup.ts'],
  },
});
