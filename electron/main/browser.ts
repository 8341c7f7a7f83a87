/**
 * Browser mode: the Gantry engine served to the real renderer over a loopback WebSocket.
 * For machines where the Electron binary is unavailable (headless boxes, CI) and for the
 * end-to-end tests. Never imports `electron`.
 *
 * Usage: node out/main/browser.js [--port N]   (env GANTRY_DATA_DIR picks the data folder)
 */
import { fileURLToPath } from 'node:url';
import { createApp } from '../app/create-app';
import { startBrowserServer } from '../bridge/browser-server';
import { resolveDataDir } from '../store/data-dir';
import packageJson from '../../package.json';

function portFromArgs(args: string[]): number {
  const index = args.indexOf('--port');
  const raw = index >= 0 ? args[index + 1] : process.env.GANTRY_PORT;
  if (raw === undefined) return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a number between 0 and 65535 (got "${raw}")`);
  }
  return port;
}

async function main(): Promise<void> {
  const dataDir = resolveDataDir();
  const app = createApp({ dataDir, version: packageJson.version });
  const server = await startBrowserServer({
    app,
    rendererDir: fileURLToPath(new URL('../renderer', import.meta.url)),
    port: portFromArgs(process.argv.slice(2)),
  });
  process.stdout.write(`Gantry is running in browser mode (data folder: ${dataDir}).\nOpen: ${server.url}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`Gantry could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
