import { defineConfig } from 'vitest/config';

/**
 * The Swarm tests (test/swarm/live): after every compose test, one file at a time, on an engine that the
 * fixture makes a single-node swarm (and leaves again when it made it). Set DOCKER_HOST to run them on
 * another engine than the one compose tests use.
 */
export default defineConfig({
  test: {
    include: ['test/swarm/live/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    maxWorkers: 1,
    fileParallelism: false,
    reporters: ['default'],
    globalSetup: ['test/fixtures/global-setup.ts', 'test/fixtures/swarmSetup.ts'],
  },
});
