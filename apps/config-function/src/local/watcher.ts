import type { BigIntStats } from 'node:fs';
import { watch, type FSWatcher } from 'node:fs';
import { lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@vigie/log';
import { DELETED, FINALIZED } from '../events.js';
import type { Outcome } from '../handler.js';
import { TransientError } from '../ports.js';
import { buildReport, formatReportText, reportNames } from '../report.js';
import type { EntryKind, EntryState, EntryVerdict } from './entry.js';
import { judgeEntry } from './entry.js';
import type { FolderObjectStore } from './folder-store.js';
import { LOCAL_BUCKET } from './folder-store.js';

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

/** What the watcher last did about a name. */
interface Seen {
  readonly generation: string;
  /** The function saw this name, so its disappearance is news to the function. */
  readonly handled: boolean;
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
  const dirBytes = Buffer.from(join(dir, '/'));
  const settle = options.settleMs ?? 50;
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  // Keyed by the raw name as latin1, which maps bytes one to one, so any name has its own key.
  const known = new Map<string, Seen>();
  const timers = new Map<string, NodeJS.Timeout>();
  const failures = new Map<string, number>();
  // One event at a time per file, in order.
  const queues = new Map<string, Promise<void>>();
  let watcher: FSWatcher | undefined;
  let closed = false;

  const observe = (name: string, outcome: Outcome | Error) => {
    try {
      options.onOutcome?.(name, outcome);
    } catch {
      // A failing observer must not stop the watcher.
    }
  };

  const refuse = async (verdict: Extract<EntryVerdict, { action: 'refuse' }>) => {
    const object = `${prefix}${verdict.name}`;
    const client = verdict.name.slice(0, -'.xml'.length);
    const fields = { bucket: LOCAL_BUCKET, object, generation: verdict.generation, client };
    const problems = [verdict.problem];
    let where = 'in the logs only: its report cannot be written next to it';
    if (verdict.nextToFile) {
      const report = buildReport({ ...fields, problems, now: now() });
      const names = reportNames(object);
      try {
        await options.objects.write(
          LOCAL_BUCKET,
          names.json,
          `${JSON.stringify(report, null, 2)}\n`,
          'application/json',
        );
        await options.objects.write(
          LOCAL_BUCKET,
          names.text,
          formatReportText(report),
          'text/plain; charset=utf-8',
        );
        where = 'reported next to it';
      } catch (error) {
        where = `in the logs only: its report could not be written (${String(error)})`;
      }
    }
    log(
      'WARNING',
      `refused ${JSON.stringify(object)} unread, ${where}: ${verdict.problem.code} ${verdict.problem.message}`,
      { ...fields, problems: [`${verdict.problem.code} ${verdict.problem.message}`] },
    );
    observe(object, { result: 'rejected', client, problems });
  };

  const emit = async (raw: Buffer) => {
    const key = raw.toString('latin1');
    const previous = known.get(key);
    let verdict: EntryVerdict;
    try {
      verdict = judgeEntry(raw, await inspect(Buffer.concat([dirBytes, raw])));
    } catch (error) {
      retry(raw, error);
      return;
    }
    switch (verdict.action) {
      case 'ignore':
        return;
      case 'refuse':
        if (previous?.generation === verdict.generation) return;
        // Remembered before reporting: a report that cannot be written is not retried hot.
        known.set(key, { generation: verdict.generation, handled: !verdict.named });
        await refuse(verdict);
        return;
      case 'gone':
        if (previous === undefined) return;
        if (!previous.handled) {
          known.delete(key);
          return;
        }
        break;
      case 'handle':
        if (previous?.generation === verdict.generation) return;
        break;
    }
    const name = `${prefix}${raw.toString('utf8')}`;
    const gone = verdict.action === 'gone';
    const generation =
      verdict.action === 'gone' ? (previous?.generation ?? '0') : verdict.generation;
    const type = gone ? DELETED : FINALIZED;
    const event = {
      specversion: '1.0',
      id: `${name}#${generation}#${type}`,
      type,
      source: `//storage.googleapis.com/projects/_/buckets/${LOCAL_BUCKET}`,
      subject: `objects/${name}`,
      time: new Date().toISOString(),
      data: {
        bucket: LOCAL_BUCKET,
        name,
        generation,
        ...(verdict.action === 'handle' ? { size: String(verdict.size) } : {}),
      },
    };
    let outcome: Outcome | Error;
    try {
      outcome = await options.handle(event);
      if (gone) known.delete(key);
      else known.set(key, { generation, handled: true });
      failures.delete(key);
    } catch (error) {
      outcome = error instanceof Error ? error : new Error(String(error));
      if (error instanceof TransientError) retry(raw, error);
      else {
        // Retrying will not help: say it once, and try again when the file changes.
        if (!gone) known.set(key, { generation, handled: true });
        log(
          'ERROR',
          `failed on ${JSON.stringify(name)}, waiting for its next change: ${outcome.message}`,
          { bucket: LOCAL_BUCKET, object: name, generation },
        );
      }
    }
    observe(name, outcome);
  };

  /** Retries with backoff, as Eventarc would; the file's state is read again then. */
  const retry = (raw: Buffer, error: unknown) => {
    const key = raw.toString('latin1');
    const attempt = (failures.get(key) ?? 0) + 1;
    failures.set(key, attempt);
    schedule(raw, Math.min(30_000, 200 * 2 ** attempt));
    if (!(error instanceof TransientError)) {
      observe(
        `${prefix}${raw.toString('utf8')}`,
        error instanceof Error ? error : new Error(String(error)),
      );
    }
  };

  const enqueue = (raw: Buffer) => {
    const key = raw.toString('latin1');
    const run = (queues.get(key) ?? Promise.resolve()).then(
      () => emit(raw),
      () => emit(raw),
    );
    queues.set(key, run);
    return run;
  };

  function schedule(raw: Buffer, delay = settle) {
    if (closed) return;
    const key = raw.toString('latin1');
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        void enqueue(raw);
      }, delay),
    );
  }

  const ready = (async () => {
    await mkdir(dir, { recursive: true });
    watcher = watch(dir, { encoding: 'buffer' }, (_kind, file) => {
      if (file) schedule(file);
    });
    await Promise.all((await readdir(dir, { encoding: 'buffer' })).map((file) => enqueue(file)));
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

/** What is at `path` now, without following a link; undefined when nothing is. */
async function inspect(path: Buffer): Promise<EntryState | undefined> {
  let info: BigIntStats;
  try {
    info = await lstat(path, { bigint: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  return {
    kind: kindOf(info),
    generation: String(info.ctimeNs),
    size: info.size,
    links: info.nlink,
  };
}

function kindOf(info: BigIntStats): EntryKind {
  if (info.isFile()) return 'file';
  if (info.isSymbolicLink()) return 'symlink';
  if (info.isDirectory()) return 'directory';
  if (info.isFIFO()) return 'fifo';
  if (info.isSocket()) return 'socket';
  return 'device';
}
