import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@vigie/log';
import type { Outcome } from '../handler.js';
import { TransientError } from '../ports.js';
import { judgeEntry } from './entry.js';
import type { FileQueue } from './file-queue.js';
import { createFileQueue, nameKey } from './file-queue.js';
import type { FolderStep, Seen } from './folder-event.js';
import { folderEvent, nextStep } from './folder-event.js';
import type { FolderObjectStore } from './folder-store.js';
import { LOCAL_BUCKET } from './folder-store.js';
import { inspectEntry } from './inspect.js';
import { reportRefusal } from './refusal.js';

/** Options for {@link watchFolder}. */
export interface WatchOptions {
  /** The folder that plays the bucket; configs live in `<root>/<prefix>`. */
  readonly root: string;
  /** The config folder inside the root, with its trailing slash (default `client-configs/`). */
  readonly prefix?: string;
  /** The same handler the Cloud Function runs. */
  readonly handle: (event: unknown) => Promise<Outcome>;
  /** The folder's store, the handler's too: reports on refused entries are written with it. */
  readonly objects: FolderObjectStore;
  /** Where refused entries whose report cannot be written, and failures, are logged. */
  readonly log?: Logger;
  /**
   * Called with each outcome, and with errors (a transient failure is retried with backoff;
   * any other one waits for the file's next change).
   */
  readonly onOutcome?: (name: string, outcome: Outcome | Error) => void;
  /** How long a file must be quiet before it is processed, in milliseconds (default 50). */
  readonly settleMs?: number;
  /** Clock for reports, for tests. */
  readonly now?: () => Date;
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
 *
 * Only plain files with usable names reach the handler, with their size, so the folder behaves
 * like a bucket: links, special files and bad names are refused here with a stable code, once
 * per change, and never read (see `entry.ts`).
 */
export function watchFolder(options: WatchOptions): FolderWatcher {
  const prefix = options.prefix ?? 'client-configs/';
  const dir = join(options.root, prefix);
  const sync: FolderSync = {
    prefix,
    dirBytes: Buffer.from(join(dir, '/')),
    handle: options.handle,
    objects: options.objects,
    log: options.log ?? (() => undefined),
    now: options.now ?? (() => new Date()),
    known: new Map(),
    queue: createFileQueue({
      settleMs: options.settleMs ?? 50,
      run: (raw) => look(sync, raw),
    }),
    observe: (name, outcome) => {
      try {
        options.onOutcome?.(name, outcome);
      } catch {
        // A failing observer must not stop the watcher.
      }
    },
  };
  let watcher: FSWatcher | undefined;

  const ready = (async () => {
    await mkdir(dir, { recursive: true });
    watcher = watch(dir, { encoding: 'buffer' }, (_kind, file) => {
      if (file) sync.queue.schedule(file);
    });
    const files = await readdir(dir, { encoding: 'buffer' });
    await Promise.all(files.map((file) => sync.queue.enqueue(file)));
  })();

  return {
    ready,
    close: () => {
      sync.queue.close();
      watcher?.close();
    },
  };
}

/** What the watcher's steps share. */
interface FolderSync {
  readonly prefix: string;
  /** The config folder's path, with its trailing separator, as bytes. */
  readonly dirBytes: Buffer;
  readonly handle: (event: unknown) => Promise<Outcome>;
  readonly objects: FolderObjectStore;
  readonly log: Logger;
  readonly now: () => Date;
  /** What was last done about each name, by {@link nameKey}. */
  readonly known: Map<string, Seen>;
  readonly queue: FileQueue;
  readonly observe: (name: string, outcome: Outcome | Error) => void;
}

/** Looks at one name of the folder, and does what its state calls for. */
async function look(sync: FolderSync, raw: Buffer): Promise<void> {
  const key = nameKey(raw);
  let step: FolderStep;
  try {
    const verdict = judgeEntry(raw, await inspectEntry(Buffer.concat([sync.dirBytes, raw])));
    step = nextStep(verdict, sync.known.get(key));
  } catch (error) {
    retry(sync, raw, error);
    return;
  }
  switch (step.action) {
    case 'none':
      return;
    case 'forget':
      sync.known.delete(key);
      return;
    case 'refuse': {
      const { refusal } = step;
      // Remembered before reporting: a report that cannot be written is not retried hot.
      sync.known.set(key, { generation: refusal.generation, handled: !refusal.named });
      const { prefix, objects, log } = sync;
      const refused = await reportRefusal({ refusal, prefix, objects, log, now: sync.now() });
      sync.observe(refused.object, refused.outcome);
      return;
    }
    case 'deliver':
      await deliver(sync, raw, step);
      return;
  }
}

/** Hands the function the name's event, and remembers what came of it. */
async function deliver(
  sync: FolderSync,
  raw: Buffer,
  step: Extract<FolderStep, { action: 'deliver' }>,
): Promise<void> {
  const key = nameKey(raw);
  const name = `${sync.prefix}${raw.toString('utf8')}`;
  const { gone, generation } = step;
  let outcome: Outcome | Error;
  try {
    outcome = await sync.handle(folderEvent(name, step, new Date()));
    if (gone) sync.known.delete(key);
    else sync.known.set(key, { generation, handled: true });
    sync.queue.succeeded(raw);
  } catch (error) {
    outcome = error instanceof Error ? error : new Error(String(error));
    if (error instanceof TransientError) retry(sync, raw, error);
    else {
      // Retrying will not help: say it once, and try again when the file changes.
      if (!gone) sync.known.set(key, { generation, handled: true });
      sync.log(
        'ERROR',
        `failed on ${JSON.stringify(name)}, waiting for its next change: ${outcome.message}`,
        { bucket: LOCAL_BUCKET, object: name, generation },
      );
    }
  }
  sync.observe(name, outcome);
}

/** Retries with backoff, as Eventarc would; the file's state is read again then. */
function retry(sync: FolderSync, raw: Buffer, error: unknown): void {
  sync.queue.retry(raw);
  if (!(error instanceof TransientError)) {
    sync.observe(
      `${sync.prefix}${raw.toString('utf8')}`,
      error instanceof Error ? error : new Error(String(error)),
    );
  }
}
