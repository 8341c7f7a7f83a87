/**
 * Runs only the lab's own integration tests (`npx vitest run --config lab/vitest.lab.config.ts`).
 * The project-wide config runs them too, in its "integration" project.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: resolve(import.meta.dirname, '..'),
  test: {
    name: 'lab',
    environment: 'node',
    include: ['lab/**/*.int.test.ts'],
    globalSetup: ['lab/global-setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
