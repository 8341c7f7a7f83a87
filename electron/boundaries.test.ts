import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

// ESLint loads the whole config and its plugins on first use: seconds on a busy machine.
describe('folder boundaries (ESLint)', { timeout: 60_000 }, () => {
  it('stops the renderer from importing electron/ or Node', async () => {
    expect(await boundaryErrors('renderer/src/features/x/a.ts', "import { createApp } from '../../../../electron/app/create-app';\nexport const a = createApp;")).toHaveLength(1);
    expect(await boundaryErrors('renderer/src/features/x/a.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;")).toHaveLength(1);
    expect(await boundaryErrors('renderer/src/features/x/a.ts', "import { invoke } from '../../lib/api';\nexport const a = invoke;")).toHaveLength(0);
  });

  it('keeps shared/ free of Node and Electron', async () => {
    expect(await boundaryErrors('shared/x.ts', "import { createHash } from 'node:crypto';\nexport const a = createHash;")).toHaveLength(1);
    expect(await boundaryErrors('shared/x.ts', "import { app } from 'electron';\nexport const a = app;")).toHaveLength(1);
    expect(await boundaryErrors('shared/x.ts', "import { z } from 'zod';\nexport const a = z;")).toHaveLength(0);
  });

  it('lets only the entry files import electron', async () => {
    expect(await boundaryErrors('electron/servers/pool.ts', "import { app } from 'electron';\nexport const a = app;")).toHaveLength(1);
    expect(await boundaryErrors('electron/main/index.ts', "import { app } from 'electron';\nexport const a = app;")).toHaveLength(0);
    expect(await boundaryErrors('electron/preload/index.ts', "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;")).toHaveLength(0);
  });

  it('keeps electron/servers/ below inventory/ and migrations/', async () => {
    expect(await boundaryErrors('electron/servers/pool.ts', "import { inspectServer } from '../inventory/discovery';\nexport const a = inspectServer;")).toHaveLength(1);
    expect(await boundaryErrors('electron/servers/pool.ts', "import { acquireTargetLock } from '../migrations/target-lock';\nexport const a = acquireTargetLock;")).toHaveLength(1);
    expect(await boundaryErrors('electron/servers/pool.ts', "import { shellQuote } from './remote-host';\nexport const a = shellQuote;")).toHaveLength(0);
    expect(await boundaryErrors('electron/inventory/a.ts', "import { shellQuote } from '../servers/remote-host';\nexport const a = shellQuote;")).toHaveLength(0);
  });
});
