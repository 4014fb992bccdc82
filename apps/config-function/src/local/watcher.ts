import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DELETED, FINALIZED } from '../events.js';
import type { Outcome } from '../handler.js';
import { generationOf, LOCAL_BUCKET } from './folder-store.js';

/** Options for {@link watchFolder}. */
export interface WatchOptions {
  /** The folder that plays the bucket; configs live in `<root>/<prefix>`. */
  readonly root: string;
  /** The config folder inside the root, with its trailing slash (default `client-configs/`). */
  readonly prefix?: string;
  /** The same handler the Cloud Function runs. */
  readonly handle: (event: unknown) => Promise<Outcome>;
  /** Called with each outcome, and with errors (a failed event is retried on the next change). */
  readonly onOutcome?: (name: string, outcome: Outcome | Error) => void;
  /** How long a file must be quiet before it is processed, in milliseconds (default 50). */
  readonly settleMs?: number;
}

/** A running watcher. */
export interface FolderWatcher {
  /** Resolves once every file present at start has been processed. */
  readonly ready: Promise<void>;
  readonly close: () => void;
}

/**
 * Turns file creates, changes and deletes in a local folder into the storage CloudEvents the
 * function takes, and hands them to the same handler. Files present at start are processed
 * too, so the watcher converges on the folder's content whatever happened while it was down.
 */
export function watchFolder(options: WatchOptions): FolderWatcher {
  const prefix = options.prefix ?? 'client-configs/';
  const dir = join(options.root, prefix);
  const settle = options.settleMs ?? 50;
  const known = new Map<string, string>();
  const timers = new Map<string, NodeJS.Timeout>();
  const failures = new Map<string, number>();
  // One event at a time per file, in order.
  const queues = new Map<string, Promise<void>>();
  let watcher: FSWatcher | undefined;
  let closed = false;

  const emit = async (file: string) => {
    const name = `${prefix}${file}`;
    const generation = await generationOf(join(dir, file));
    const previous = known.get(name);
    if (generation === previous) return;
    const type = generation === undefined ? DELETED : FINALIZED;
    const eventGeneration = generation ?? previous ?? '0';
    const event = {
      specversion: '1.0',
      id: `${name}#${eventGeneration}#${type}`,
      type,
      source: `//storage.googleapis.com/projects/_/buckets/${LOCAL_BUCKET}`,
      subject: `objects/${name}`,
      time: new Date().toISOString(),
      data: { bucket: LOCAL_BUCKET, name, generation: eventGeneration },
    };
    let outcome: Outcome | Error;
    try {
      outcome = await options.handle(event);
      if (generation === undefined) known.delete(name);
      else known.set(name, generation);
      failures.delete(file);
    } catch (error) {
      outcome = error instanceof Error ? error : new Error(String(error));
      // Retry with backoff, as Eventarc would; the file's state is read again then.
      const attempt = (failures.get(file) ?? 0) + 1;
      failures.set(file, attempt);
      schedule(file, Math.min(30_000, 200 * 2 ** attempt));
    }
    try {
      options.onOutcome?.(name, outcome);
    } catch {
      // A failing observer must not stop the watcher.
    }
  };

  const enqueue = (file: string) => {
    const run = (queues.get(file) ?? Promise.resolve()).then(
      () => emit(file),
      () => emit(file),
    );
    queues.set(file, run);
    return run;
  };

  function schedule(file: string, delay = settle) {
    if (closed) return;
    clearTimeout(timers.get(file));
    timers.set(
      file,
      setTimeout(() => {
        timers.delete(file);
        void enqueue(file);
      }, delay),
    );
  }

  const ready = (async () => {
    await mkdir(dir, { recursive: true });
    watcher = watch(dir, (_kind, file) => {
      if (file) schedule(file);
    });
    await Promise.all((await readdir(dir)).map((file) => enqueue(file)));
  })();

  return {
    ready,
    close: () => {
      closed = true;
      watcher?.close();
      for (const timer of timers.values()) clearTimeout(timer);
    },
  };
}
