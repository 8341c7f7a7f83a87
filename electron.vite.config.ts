/**
 * Build configuration for Gantry.
 *
 * Deviations from electron-vite's defaults, and why:
 * - Entries are explicit: the project keeps the main process in `electron/` and the UI in
 *   `renderer/`, not electron-vite's default `src/main`, `src/renderer`.
 * - The main build has two entries: `index` (the Electron app) and `browser` (the same
 *   engine served to a browser over a loopback WebSocket, for machines without Electron).
 * - The preload is emitted as one CommonJS file with every dependency bundled in: a
 *   sandboxed preload can neither load `.mjs` nor `require` npm packages.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const sharedAlias = { '@shared': resolve(import.meta.dirname, 'shared') };

export default defineConfig({
  main: {
    resolve: { alias: sharedAlias },
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'electron/main/index.ts'),
          browser: resolve(import.meta.dirname, 'electron/main/browser.ts'),
        },
      },
    },
  },
  preload: {
    resolve: { alias: sharedAlias },
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'electron/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'renderer'),
    resolve: { alias: sharedAlias },
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'renderer/index.html') } },
    },
  },
});
