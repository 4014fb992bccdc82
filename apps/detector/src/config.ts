/**
 * The detector's config: the shard's `DetectorConfig`, written by the operator into a ConfigMap
 * (or by the local supervisor into a file), read at start and watched for changes. A file that
 * cannot be used is reported and ignored: the last good config keeps running.
 */

import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { errorMessage } from '@vigie/log';
import type { DetectorConfig } from '@vigie/plan';
import { parseDetectorConfig } from '@vigie/plan';

/** A config that cannot be used, with its stable code. */
export interface ConfigProblem {
  readonly code: 'VIGIE_E_DETECTOR_CONFIG' | 'VIGIE_E_DETECTOR_CONFIG_UNREADABLE';
  readonly message: string;
}

/** The result of reading a config. */
export type ConfigRead =
  | { readonly ok: true; readonly config: DetectorConfig; readonly digest: string }
  | { readonly ok: false; readonly problem: ConfigProblem };

/**
 * Checks a config file's text: JSON, of the shape `@vigie/plan` defines for a shard's config.
 * The digest tells a reload whether anything changed.
 */
function checkConfigText(text: string): ConfigRead {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return refused(`not JSON: ${errorMessage(error)}`);
  }
  const checked = parseDetectorConfig(value);
  if (!checked.ok) return refused(checked.message);
  return {
    ok: true,
    config: checked.config,
    digest: createHash('sha256').update(text).digest('hex'),
  };
}

function refused(message: string): ConfigRead {
  return { ok: false, problem: { code: 'VIGIE_E_DETECTOR_CONFIG', message } };
}

/** Reads and checks the config file. */
export async function readDetectorConfig(path: string): Promise<ConfigRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return {
      ok: false,
      problem: {
        code: 'VIGIE_E_DETECTOR_CONFIG_UNREADABLE',
        message: `cannot read ${path}: ${code}`,
      },
    };
  }
  return checkConfigText(text);
}

/** Options of {@link watchDetectorConfig}. */
export interface WatchOptions {
  readonly path: string;
  /** The digest of the config already running; only a different one is reported. */
  readonly digest: string;
  readonly onConfig: (config: DetectorConfig, digest: string) => void;
  readonly onProblem: (problem: ConfigProblem) => void;
  /** A safety net for missed file events. Default 5 s. */
  readonly pollMs?: number;
}

/**
 * Watches the config file. ConfigMap volumes change by swapping a symlinked folder, so the
 * folder is watched, not the file; a slow poll catches anything the watcher misses.
 */
export function watchDetectorConfig(options: WatchOptions): { close(): void } {
  let digest = options.digest;
  let lastProblem = '';
  let timer: NodeJS.Timeout | undefined;
  let reading = false;
  let again = false;
  const check = async (): Promise<void> => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      const read = await readDetectorConfig(options.path);
      if (read.ok) {
        lastProblem = '';
        if (read.digest !== digest) {
          digest = read.digest;
          options.onConfig(read.config, read.digest);
        }
      } else if (read.problem.message !== lastProblem) {
        // The same problem is reported once, not every poll.
        lastProblem = read.problem.message;
        options.onProblem(read.problem);
      }
    } finally {
      reading = false;
      if (again) {
        again = false;
        void check();
      }
    }
  };
  const soon = (): void => {
    if (timer) clearTimeout(timer);
    // Editors and kubelet write in several steps; settle first.
    timer = setTimeout(() => void check(), 50);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(options.path), (_event, name) => {
      if (name === null || name === basename(options.path) || name.startsWith('..')) soon();
    });
  } catch {
    // No watcher (folder missing): the poll still works.
  }
  const poll = setInterval(() => void check(), options.pollMs ?? 5000);
  return {
    close() {
      watcher?.close();
      clearInterval(poll);
      if (timer) clearTimeout(timer);
    },
  };
}
