/**
 * When the folder watcher looks at each name: once it has been quiet for a while, one look at a
 * time per name and in order, and again with backoff after a failure, as Eventarc retries.
 */

/** Options of {@link createFileQueue}. */
export interface FileQueueOptions {
  /** How long a name must be quiet before it is looked at, in milliseconds. */
  readonly settleMs: number;
  /** Looks at a name (its raw bytes); never run twice at once for one name. */
  readonly run: (raw: Buffer) => Promise<void>;
}

/** The per-name queue. */
export interface FileQueue {
  /** Looks at the name once it has been quiet for `delay` (default: the settle time). */
  schedule(raw: Buffer, delay?: number): void;
  /** Looks at the name now, after any look at it under way. */
  enqueue(raw: Buffer): Promise<void>;
  /** Looks at the name again later, each failure in a row waiting longer. */
  retry(raw: Buffer): void;
  /** The last look at the name went through: the next failure waits the least. */
  succeeded(raw: Buffer): void;
  /** Nothing is scheduled any more. */
  close(): void;
}

/** The wait before the `attempt`-th retry in a row: 400 ms, doubling, at most 30 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(30_000, 200 * 2 ** attempt);
}

/** Keys by the raw name as latin1, which maps bytes one to one, so any name has its own key. */
export function nameKey(raw: Buffer): string {
  return raw.toString('latin1');
}

/** Creates the queue. */
export function createFileQueue(options: FileQueueOptions): FileQueue {
  const timers = new Map<string, NodeJS.Timeout>();
  const failures = new Map<string, number>();
  const queues = new Map<string, Promise<void>>();
  let closed = false;

  const queue: FileQueue = {
    schedule(raw, delay = options.settleMs) {
      if (closed) return;
      const key = nameKey(raw);
      clearTimeout(timers.get(key));
      timers.set(
        key,
        setTimeout(() => {
          timers.delete(key);
          void queue.enqueue(raw);
        }, delay),
      );
    },
    enqueue(raw) {
      const key = nameKey(raw);
      const run = (queues.get(key) ?? Promise.resolve()).then(
        () => options.run(raw),
        () => options.run(raw),
      );
      queues.set(key, run);
      return run;
    },
    retry(raw) {
      const key = nameKey(raw);
      const attempt = (failures.get(key) ?? 0) + 1;
      failures.set(key, attempt);
      queue.schedule(raw, retryDelayMs(attempt));
    },
    succeeded(raw) {
      failures.delete(nameKey(raw));
    },
    close() {
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
    },
  };
  return queue;
}
