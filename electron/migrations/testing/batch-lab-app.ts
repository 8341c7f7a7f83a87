/**
 * The batch lab's in-process driver (lab tests): a whole Gantry app in this process. Apart from
 * batch-lab.ts because the app's store needs Vite's import.meta.glob (vitest has it; tsx does not).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestChannel, RequestOf, ResponseOf } from '@shared/ipc/contract';
import { createApp, type GantryApp } from '../../app/create-app';
import { createOsKeychain } from '../../keychain/secret-store';
import { saveServer, type BatchDriver, type LabDetails } from './batch-lab';

/** A Gantry app in this process (createApp, the real keychain) on a fresh data folder, with dev and uat saved as servers. */
export async function inProcessDriver(lab: LabDetails, prefix: string): Promise<BatchDriver & { app: GantryApp }> {
  const dataDir = mkdtempSync(join(tmpdir(), `gantry-${prefix}-`));
  const secretStore = createOsKeychain(`Gantry-test-${prefix}`);
  const app = createApp({ dataDir, version: 'test', secretStore });
  const serverIds: Record<string, string> = {};
  const call = async <C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> => {
    const result = await app.router.dispatch(channel, request, { bridge: 'browser' });
    if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
    return result.value as ResponseOf<C>;
  };
  for (const name of ['dev', 'uat'] as const) serverIds[name] = await saveServer(call, lab, prefix, name);
  return {
    app,
    call,
    async sh(server, command) {
      const result = await app.servers.connections.get(serverIds[server]!).exec(command);
      if (result.code !== 0) throw new Error(`${server}: ${command.slice(0, 300)} failed: ${result.stderr}`);
      return result.stdout.trim();
    },
    async close() {
      secretStore.delete('inventory:spec-fingerprint-key');
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

