/**
 * A work queue with client-go's semantics: a key is queued at most once however often it is
 * added; a key being processed is never handed to a second worker, and if it is added meanwhile
 * it is queued again when the first worker is done; failures back off exponentially per key.
 */

/** What the queue reports, named as client-go's workqueue metrics are. */
export interface QueueMetrics {
  depth(value: number): void;
  added(): void;
  retried(): void;
  /** Seconds a key waited in the queue before a worker took it. */
  waited(seconds: number): void;
  /** Seconds a worker spent on a key. */
  worked(seconds: number): void;
}

/** Per-key exponential backoff: `base × 2^failures`, capped at `max`. */
export class ExponentialBackoff {
  private readonly failures = new Map<string, number>();

  constructor(
    readonly baseMs = 5,
    readonly maxMs = 300_000,
  ) {}

  /** The delay before the next try of `key`, counting this failure. */
  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }

  /** How many times `key` has failed in a row. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Forgets the failures of `key`, after it succeeds. */
  forget(key: string): void {
    this.failures.delete(key);
  }
}

const noMetrics: QueueMetrics = {
  depth: () => undefined,
  added: () => undefined,
  retried: () => undefined,
  waited: () => undefined,
  worked: () => undefined,
};

/** A deduplicating, per-key serialised work queue with delayed and rate-limited adds. */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Map<string, number>();
  private readonly enqueuedAt = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(
    private readonly backoff = new ExponentialBackoff(),
    private readonly metrics: QueueMetrics = noMetrics,
  ) {}

  /** Queues `key`, unless it is already queued. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics.added();
    this.dirty.add(key);
    this.enqueuedAt.set(key, performance.now());
    // A key being processed is queued again only when its worker is done.
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      this.take(key);
      waiter(key);
      return;
    }
    this.queue.push(key);
    this.metrics.depth(this.queue.length);
  }

  /** Queues `key` after `delayMs`; an earlier pending add for the key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending !== undefined && pending.at <= at) return;
    if (pending !== undefined) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** Queues `key` again after its backoff, counting a retry. */
  addRateLimited(key: string): void {
    this.metrics.retried();
    this.addAfter(key, this.backoff.when(key));
  }

  /** Resets the backoff of `key` after it succeeded. */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  /** How many times in a row `key` has been retried. */
  retries(key: string): number {
    return this.backoff.retries(key);
  }

  /** The next key to work on, or undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.metrics.depth(this.queue.length);
      this.take(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `key` done; if it was added while being processed, it is queued again. */
  done(key: string): void {
    const started = this.processing.get(key);
    if (started !== undefined) this.metrics.worked((performance.now() - started) / 1000);
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  /** Keys queued and not yet taken. */
  get length(): number {
    return this.queue.length;
  }

  /** Keys being worked on. */
  get inFlight(): number {
    return this.processing.size;
  }

  /** The time, in seconds, keys now in workers have spent there, summed. */
  unfinishedSeconds(): number {
    const now = performance.now();
    let total = 0;
    for (const started of this.processing.values()) total += now - started;
    return total / 1000;
  }

  /** The longest time, in seconds, any key has been in a worker. */
  longestRunningSeconds(): number {
    const now = performance.now();
    let longest = 0;
    for (const started of this.processing.values()) longest = Math.max(longest, now - started);
    return longest / 1000;
  }

  /** Stops handing out keys; pending delayed adds are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private take(key: string): void {
    this.dirty.delete(key);
    const queued = this.enqueuedAt.get(key);
    if (queued !== undefined) this.metrics.waited((performance.now() - queued) / 1000);
    this.enqueuedAt.delete(key);
    this.processing.set(key, performance.now());
  }
}
