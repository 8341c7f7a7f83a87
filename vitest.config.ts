import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const alias = { '@shared': resolve(import.meta.dirname, 'shared') };

/**
 * Two projects: `unit` (no servers; runs anywhere) and `integration` (`*.int.test.ts`, against
 * the lab's real sshd, dockerd and databases; the lab is brought up once per run by its global
 * setup and a lab that cannot start fails the run).
 */
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          environment: 'node',
          include: ['{electron,shared,renderer,bench}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**', 'out/**'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          environment: 'node',
          include: ['**/*.int.test.ts'],
          exclude: ['node_modules/**', 'out/**'],
          globalSetup: ['lab/global-setup.ts'],
          testTimeout: 240_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
