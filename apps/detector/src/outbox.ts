/**
 * The alert outbox: alerts are written to local disk before anything else happens to them, and
 * a delivery loop posts them to the console until the console says it has them. A file leaves
 * the outbox only after that, so an alert survives a crash, a kill or a console outage
 * (delivery is at least once). Each alert carries its ID, and the console stores each ID once.
 */

import { randomInt } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** What the outbox needs from the console. */
export interface AlertSink {
  /**
   * Delivers one alert. Resolves when the console has stored it (or already had it); rejects
   * with an {@link DeliveryError} otherwise.
   */
  deliver(id: string, body: Uint8Array): Promise<void>;
}

/** A failed delivery; `retry` is false when the console refused the alert for good. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

/** Options of {@link createOutbox}. */
export interface OutboxOptions {
  readonly dir: string;
  readonly sink: AlertSink;
  /** First retry delay; doubles up to `maxBackoffMs`, with jitter. */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Called on every delivery attempt, for metrics and logs. */
  readonly onAttempt?: (event: { id: string; ok: boolean; error?: string }) => void;
}

/** A durable outbox with its delivery loop. */
export interface Outbox {
  /** Writes an alert to disk; once this resolves the alert will be delivered. */
  put(id: string, alert: unknown): Promise<void>;
  /** Alerts waiting for delivery. */
  depth(): Promise<number>;
  /** Starts delivering, until `stop`. */
  start(): void;
  /** Stops after the delivery in flight. */
  stop(): Promise<void>;
  /** Resolves when the outbox is empty (for tests and graceful shutdown). */
  drained(): Promise<void>;
}

const ID = /^[A-Za-z0-9_-]{1,128}$/;
const PENDING = '.json';
const PARTIAL = '.partial';

/** Creates an outbox in `dir`; alerts left there by an earlier run are delivered too. */
export function createOutbox(options: OutboxOptions): Outbox {
  const { dir, sink } = options;
  const minBackoff = options.minBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 60_000;
  let running = false;
  // Read through a function: `stop()` changes it while the loop awaits.
  const active = (): boolean => running;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let seq = 0;
  const drainedWaiters: (() => void)[] = [];

  async function ready(): Promise<void> {
    await mkdir(dir, { recursive: true });
  }

  // Looked at every second while idle: a read of the folder, and nothing made.
  async function pending(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    // Files are named so that name order is enqueue order: oldest first.
    return names.filter((n) => n.endsWith(PENDING)).sort();
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async function run(): Promise<void> {
    // A write cut short by a crash never became an alert; its partial file is dropped.
    await ready();
    for (const name of await readdir(dir)) {
      if (name.endsWith(PARTIAL)) await rm(join(dir, name), { force: true });
    }
    let failures = 0;
    while (active()) {
      const names = await pending();
      if (names.length === 0) {
        for (const resolve of drainedWaiters.splice(0)) resolve();
        await sleep(1000);
        continue;
      }
      for (const name of names) {
        if (!active()) break;
        const id = name.slice(name.indexOf('-') + 1, -PENDING.length);
        const path = join(dir, name);
        let body: Buffer;
        try {
          body = await readFile(path);
        } catch {
          continue; // delivered and removed meanwhile
        }
        try {
          await sink.deliver(id, body);
          await rm(path, { force: true });
          failures = 0;
          options.onAttempt?.({ id, ok: true });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          options.onAttempt?.({ id, ok: false, error: message });
          if (error instanceof DeliveryError && !error.retry) {
            // Refused for good (a bad alert): set aside, never retried hot, never deleted.
            await rename(path, `${path}.rejected`);
            continue;
          }
          failures++;
          const ceiling = Math.min(maxBackoff, minBackoff * 2 ** Math.min(failures - 1, 20));
          await sleep(ceiling / 2 + randomInt(Math.max(1, Math.floor(ceiling / 2))));
          break;
        }
      }
    }
  }

  return {
    async put(id, alert) {
      if (!ID.test(id))
        throw new Error(`alert ID "${id}" must be 1 to 128 letters, digits, - or _`);
      await ready();
      // Time first, so that name order is delivery order; the sequence breaks ties.
      const name = `${Date.now().toString().padStart(15, '0')}${(seq++ % 1000).toString().padStart(3, '0')}-${id}${PENDING}`;
      const path = join(dir, name);
      const partial = `${path}${PARTIAL}`;
      const handle = await open(partial, 'w');
      try {
        await handle.writeFile(JSON.stringify(alert));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(partial, path);
      // The rename is durable only once the directory itself is synced.
      const dirHandle = await open(dir, 'r');
      try {
        await dirHandle.sync();
      } finally {
        await dirHandle.close();
      }
      wake?.();
    },
    async depth() {
      return (await pending()).length;
    },
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
    async drained() {
      if ((await pending()).length === 0) return;
      await new Promise<void>((resolve) => drainedWaiters.push(resolve));
    },
  };
}

/** Options of {@link createConsoleSink}. */
export interface ConsoleSinkOptions {
  /** The console's base URL, such as `http://vigie-console.vigie-system.svc:8080`. */
  readonly consoleUrl: string;
  /** Reads the tenant's ingest token; called on each delivery so that rotation needs no restart. */
  readonly token: () => Promise<string>;
  readonly timeoutMs?: number;
}

/** Posts alerts to the console's ingest API, with the tenant's ingest token. */
export function createConsoleSink(options: ConsoleSinkOptions): AlertSink {
  const url = new URL('/api/v1/ingest/alerts', options.consoleUrl);
  return {
    async deliver(id, body) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${(await options.token()).trim()}`,
            'content-type': 'application/json',
            'idempotency-key': id,
          },
          body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        throw new DeliveryError(
          `console unreachable: ${error instanceof Error ? error.message : String(error)}`,
          true,
        );
      }
      await response.body?.cancel();
      // 200/201: stored; 409: stored already. Both mean the alert is safe with the console.
      if (response.ok || response.status === 409) return;
      const retry =
        response.status >= 500 ||
        response.status === 429 ||
        response.status === 401 ||
        response.status === 403 ||
        response.status === 408;
      throw new DeliveryError(`console answered ${String(response.status)}`, retry);
    },
  };
}

/** The age of the oldest alert waiting, in seconds, or 0. */
export async function oldestPendingSeconds(dir: string): Promise<number> {
  try {
    const names = (await readdir(dir)).filter((n) => n.endsWith(PENDING)).sort();
    const first = names[0];
    if (!first) return 0;
    return (Date.now() - (await stat(join(dir, first))).mtimeMs) / 1000;
  } catch {
    return 0;
  }
}
