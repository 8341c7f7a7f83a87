/** A browser-mode bridge for unit tests: an in-memory engine behind a real loopback server, serving a stub renderer. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type GantryApp } from '../../app/create-app';
import { startBrowserServer, type BrowserServer } from '../browser-server';

/** A running test bridge; `stop` closes it and removes its folder. */
export interface TestBridge {
  app: GantryApp;
  server: BrowserServer;
  rendererDir: string;
  stop(): Promise<void>;
}

const silentLogger = { info() {}, warn() {}, error() {} };

/** Starts an engine (in-memory database, silent log) and its bridge over a stub renderer with `assets`. */
export async function startTestBridge(assets: Record<string, string> = {}): Promise<TestBridge> {
  const rendererDir = mkdtempSync(join(tmpdir(), 'gantry-renderer-'));
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Gantry</title>');
  for (const [name, text] of Object.entries(assets)) writeFileSync(join(rendererDir, 'assets', name), text);
  const app = createApp({ dataDir: rendererDir, databaseFile: ':memory:', version: '0.0.0-test', logger: silentLogger });
  const server = await startBrowserServer({ app, rendererDir });
  return {
    app,
    server,
    rendererDir,
    async stop() {
      await server.close();
      await app.close();
      rmSync(rendererDir, { recursive: true, force: true });
    },
  };
}
