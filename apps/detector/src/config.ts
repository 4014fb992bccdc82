/**
 * The detector's config: the shard's `DetectorConfig`, written by the operator into a ConfigMap
 * (or by the local supervisor into a file), read at start and watched for changes. A file that
 * cannot be used is reported and ignored: the last good config keeps running.
 */

import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { DetectorConfig } from '@vigie/plan';

/** A config that cannot be used, with its stable code. */
export interface ConfigProblem {
  readonly code: 'VIGIE_E_DETECTOR_CONFIG' | 'VIGIE_E_DETECTOR_CONFIG_UNREADABLE';
  readonly message: string;
}

/** The result of reading a config. */
export type ConfigRead =
  | { readonly ok: true; readonly config: DetectorConfig; readonly digest: string }
  | { readonly ok: false; readonly problem: ConfigProblem };

function problem(message: string): ConfigRead {
  return { ok: false, problem: { code: 'VIGIE_E_DETECTOR_CONFIG', message } };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a config's shape. The operator writes it from a verified Client, so this guards
 * against a hand-edited or truncated file, not against every semantic mistake.
 */
export function parseDetectorConfig(text: string): ConfigRead {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return problem(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(value)) return problem('the config must be a JSON object');
  if (value.apiVersion !== 'vigie.dev/v1alpha1' || value.kind !== 'DetectorConfig') {
    return problem('apiVersion must be vigie.dev/v1alpha1 and kind DetectorConfig');
  }
  for (const key of ['client', 'shard', 'timezone'] as const) {
    if (typeof value[key] !== 'string' || value[key] === '')
      return problem(`"${key}" must be a string`);
  }
  for (const key of ['detection', 'alerts', 'privacy', 'schedule'] as const) {
    if (!isObject(value[key])) return problem(`"${key}" must be an object`);
  }
  if (!Array.isArray(value.cameras)) return problem('"cameras" must be an array');
  const ids = new Set<string>();
  for (const [i, camera] of (value.cameras as unknown[]).entries()) {
    const where = `cameras[${String(i)}]`;
    if (!isObject(camera) || typeof camera.id !== 'string' || camera.id === '') {
      return problem(`${where} needs an "id"`);
    }
    if (ids.has(camera.id)) return problem(`${where}: camera "${camera.id}" appears twice`);
    ids.add(camera.id);
    if (!isObject(camera.stream) || typeof camera.stream.url !== 'string') {
      return problem(`${where}.stream.url must be a string`);
    }
    try {
      new URL(camera.stream.url);
    } catch {
      return problem(`${where}.stream.url is not a URL`);
    }
    const analysis = camera.analysis;
    if (
      !isObject(analysis) ||
      typeof analysis.fps !== 'number' ||
      !(analysis.fps > 0 && analysis.fps <= 30)
    ) {
      return problem(`${where}.analysis.fps must be a number in (0, 30]`);
    }
    if (!Array.isArray(camera.zones)) return problem(`${where}.zones must be an array`);
    if (!isObject(camera.model)) return problem(`${where}.model must be an object`);
  }
  return {
    ok: true,
    config: value as unknown as DetectorConfig,
    digest: createHash('sha256').update(text).digest('hex'),
  };
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
  return parseDetectorConfig(text);
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
