/**
 * One engine per data folder. Two engines on one database would each take the other's running
 * migrations for ones a dead engine left behind, and undo them. Electron's single-instance lock
 * does not cover browser mode or a second build, so the engine itself claims the folder: a file
 * beside the database holding its process id, reclaimed when that process no longer exists.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GantryError } from '@shared/ipc/result';

/** True when a process with this id exists (EPERM: it exists but belongs to someone else). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Claims the data folder of `databaseFile` for this process; returns the function that lets it
 * go. Throws `already_running` naming the holder when a live engine has it.
 */
export function claimDataFolder(databaseFile: string, dataDir: string): () => void {
  const file = `${databaseFile}.lock`;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          if (holderOf(file) === process.pid) unlinkSync(file);
        } catch {
          // Already gone: nothing to let go.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new GantryError('data_folder_unusable', `Gantry cannot write to its data folder ${dataDir} (${(error as NodeJS.ErrnoException).code}). Check its permissions, or choose another folder with GANTRY_DATA_DIR.`);
      }
      const holder = holderOf(file);
      if (holder !== null && processExists(holder)) {
        throw new GantryError(
          'already_running',
          `Gantry is already running with the data folder ${dataDir} (process ${holder}${holder === process.pid ? ', this one' : ''}). Use that Gantry, or quit it first; to run a second one, give it its own folder with GANTRY_DATA_DIR.`,
        );
      }
      // Left by an engine that died: take it over.
      try {
        unlinkSync(file);
      } catch {
        // Another engine took it over first; the next attempt tells.
      }
    }
  }
  throw new GantryError('already_running', `Another Gantry is starting with the data folder ${dataDir}. Wait a moment and try again.`);
}
