/**
 * Detectors that an earlier `vigie up` on the same data folder left running, if it was killed
 * before it could stop them. The supervisor writes each detector's PID next to its config
 * (`<dataDir>/detectors/<client>/<shard>/detector.pid`); on start, every process named there is
 * stopped, but only after its command line shows that it is really that shard's detector: a PID
 * may have been reused by anything since. Nothing is ever found or killed by name.
 */

import { execFile } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@vigie/log';

/** The file, in a shard's folder, that holds its running detector's PID. */
export const DETECTOR_PID_FILE = 'detector.pid';

/** The config file a shard's detector is started with, in the shard's folder. */
export const DETECTOR_CONFIG_FILE = 'config.json';

/**
 * Whether a process's arguments are those of the detector of one shard: the detector's entry
 * point, run with that shard's config. Pure.
 */
export function isShardDetector(
  argv: readonly string[],
  expected: { readonly detectorMain: string; readonly configPath: string },
): boolean {
  const config = argv.indexOf('--config');
  return (
    argv.includes(expected.detectorMain) && config >= 0 && argv[config + 1] === expected.configPath
  );
}

/** A process's arguments; empty when it is gone (or a zombie, which has none). */
async function argumentsOf(pid: number): Promise<string[]> {
  try {
    const raw = await readFile(`/proc/${String(pid)}/cmdline`, 'utf8');
    return raw.split('\0').filter((arg) => arg !== '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && process.platform === 'linux') {
      return [];
    }
  }
  // No /proc (macOS): ps joins the arguments with spaces, which paths with spaces would split.
  return new Promise((resolve) => {
    execFile('ps', ['-ww', '-o', 'command=', '-p', String(pid)], (error, stdout) => {
      resolve(error ? [] : stdout.trim().split(/\s+/));
    });
  });
}

/** Options of {@link stopStaleDetectors}. */
export interface StaleDetectorsOptions {
  readonly dataDir: string;
  /** The `vigie-detector` entry point the supervisor starts. */
  readonly detectorMain: string;
  readonly log: Logger;
  /** How long a stale detector has to stop on SIGTERM before SIGKILL. Default 10 s. */
  readonly graceMs?: number;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone meanwhile.
  }
}

async function shardDirs(dataDir: string): Promise<string[]> {
  const root = join(dataDir, 'detectors');
  const shards: string[] = [];
  for (const client of await readdir(root).catch(() => [])) {
    for (const shard of await readdir(join(root, client)).catch(() => [])) {
      shards.push(join(root, client, shard));
    }
  }
  return shards;
}

/**
 * Stops the detectors an earlier run on this data folder left behind; resolves with their PIDs
 * once they are gone. Call it while holding the data folder's lock, so that no live `vigie up`
 * owns them.
 */
export async function stopStaleDetectors(options: StaleDetectorsOptions): Promise<number[]> {
  const { log } = options;
  const graceMs = options.graceMs ?? 10_000;
  const stopped: number[] = [];
  await Promise.all(
    (await shardDirs(options.dataDir)).map(async (dir) => {
      const pidPath = join(dir, DETECTOR_PID_FILE);
      const text = await readFile(pidPath, 'utf8').catch(() => undefined);
      if (text === undefined) return;
      const pid = Number(text.trim());
      const expected = {
        detectorMain: options.detectorMain,
        configPath: join(dir, DETECTOR_CONFIG_FILE),
      };
      const ours = async () => isShardDetector(await argumentsOf(pid), expected);
      if (Number.isInteger(pid) && pid > 1 && pid !== process.pid && (await ours())) {
        log('WARNING', 'stopping a detector that an earlier run left running', { pid, dir });
        signal(pid, 'SIGTERM');
        const deadline = Date.now() + graceMs;
        while ((await ours()) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        if (await ours()) signal(pid, 'SIGKILL');
        const killed = Date.now() + 5000;
        while ((await ours()) && Date.now() < killed) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        stopped.push(pid);
      }
      await rm(pidPath, { force: true });
    }),
  );
  return stopped;
}
