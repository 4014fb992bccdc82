/** The data folder's lock: one `vigie up` per folder, as two embedded databases would corrupt it. */

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalPlatformError } from './errors.js';

/**
 * Takes the lock on `dataDir` (a `vigie.pid` file) and returns its path. Refuses with
 * `VIGIE_E_ALREADY_RUNNING` while the process that holds it is alive; a lock left by a process
 * that is gone is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<string> {
  const path = join(dataDir, 'vigie.pid');
  try {
    const pid = Number((await readFile(path, 'utf8')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
      try {
        process.kill(pid, 0);
        throw new LocalPlatformError(
          'VIGIE_E_ALREADY_RUNNING',
          `vigie up already runs on ${dataDir} (process ${String(pid)}); stop it first, or use another --data folder`,
        );
      } catch (error) {
        if (error instanceof LocalPlatformError) throw error;
        // That process is gone: the lock is stale.
      }
    }
  } catch (error) {
    if (error instanceof LocalPlatformError) throw error;
  }
  await writeFile(path, `${String(process.pid)}\n`);
  return path;
}
