import { chmodSync, mkdirSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The folder where Gantry keeps its database and logs: `GANTRY_DATA_DIR` when set (each test
 * gets its own), otherwise the OS user-data folder Electron would choose. Created if missing,
 * and made owner-only (0700) even when it already existed.
 */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env, electronUserData?: string): string {
  const dir = env.GANTRY_DATA_DIR ? resolve(env.GANTRY_DATA_DIR) : (electronUserData ?? defaultUserDataDir(env));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (platform() !== 'win32') chmodSync(dir, 0o700);
  return dir;
}

function defaultUserDataDir(env: NodeJS.ProcessEnv): string {
  switch (platform()) {
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'Gantry');
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Gantry');
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Gantry');
  }
}
