/**
 * The alert outbox: alerts are written to local disk before anything else happens to them, and
 * a delivery loop posts them to the console until the console says it has them. A file leaves
 * the outbox only after that, so an alert survives a crash, a kill or a console outage
 * (delivery is at least once). Each alert carries its ID, which the console keeps as an
 * idempotency key within the client: it stores each one once. Alerts are JSON files (the
 * envelope of `@vigie/config`); clips are MP4 files, sent as they are.
 */

import { randomInt } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { IngestEnvelope } from '@vigie/config';
import { errorMessage } from '@vigie/log';

/** What an outbox file holds: an alert's JSON envelope, or the MP4 clip of an alert. */
export type OutboxKind = 'alert' | 'clip';

/** What the outbox needs from the console. */
export interface AlertSink {
  /**
   * Delivers one alert, or the clip of the alert `id`. Resolves when the console has stored it
   * (or already had it); rejects with an {@link DeliveryError} otherwise.
   */
  deliver(id: string, body: Uint8Array, kind: OutboxKind): Promise<void>;
}

/**
 * A failed delivery; `transient` is false when the console refused the alert for good (so
 * `isTransient` of `@vigie/log` reads it too), and `retryAfterMs` is the console's own word on
 * when to try again.
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly transient: boolean,
    readonly retryAfterMs?: number,
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
  /**
   * The most the waiting files may take on disk (default {@link DEFAULT_OUTBOX_BYTES}). The
   * outbox lives on a pod's volume, which the kubelet evicts the pod for overfilling, and an
   * evicted pod loses every alert it held: so during a long console outage clips are shed,
   * oldest first, then new alerts are kept without their snapshot. Alerts themselves are never
   * shed.
   */
  readonly maxBytes?: number;
  /** Called when evidence is shed to keep under `maxBytes`. */
  readonly onShed?: (event: { id: string; kind: 'clip' | 'snapshot'; bytes: number }) => void;
  /** Called on every delivery attempt, for metrics and logs. */
  readonly onAttempt?: (event: {
    id: string;
    kind: OutboxKind;
    ok: boolean;
    error?: string;
  }) => void;
}

/** A durable outbox with its delivery loop. */
export interface Outbox {
  /**
   * Writes an alert to disk; once this resolves the alert will be delivered. `lighter` is the
   * same alert without its evidence, written instead when the full one would overfill the
   * outbox.
   */
  put(id: string, alert: IngestEnvelope, lighter?: IngestEnvelope): Promise<void>;
  /** Writes the clip of the alert `id` to disk, to be delivered after the alert. */
  putClip(id: string, clip: Uint8Array): Promise<void>;
  /** Alerts waiting for delivery. */
  depth(): Promise<number>;
  /** Starts delivering, until `stop`. */
  start(): void;
  /** Stops after the delivery in flight. */
  stop(): Promise<void>;
  /** Resolves when the outbox is empty (for tests and graceful shutdown). */
  drained(): Promise<void>;
}

/**
 * The outbox's default cap: half the detector pod's 256 MiB scratch volume, which also holds
 * local evidence, ffmpeg's work and the model cache.
 */
export const DEFAULT_OUTBOX_BYTES = 128 * 1024 * 1024;

const ID = /^[A-Za-z0-9_-]{1,128}$/;
const EXTENSIONS: Readonly<Record<OutboxKind, string>> = { alert: '.json', clip: '.mp4' };
const PARTIAL = '.partial';
/** The longest wait the console may ask for, so that a bad header cannot stall the outbox. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

const kindOf = (name: string): OutboxKind | undefined =>
  name.endsWith(EXTENSIONS.alert) ? 'alert' : name.endsWith(EXTENSIONS.clip) ? 'clip' : undefined;

/** Creates an outbox in `dir`; alerts left there by an earlier run are delivered too. */
export function createOutbox(options: OutboxOptions): Outbox {
  const { dir, sink } = options;
  const minBackoff = options.minBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 60_000;
  const maxBytes = options.maxBytes ?? DEFAULT_OUTBOX_BYTES;
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
    return names.filter((n) => kindOf(n) !== undefined).sort();
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
    // A write cut short by a crash never became an alert; its partial file is dropped. In the
    // writers' queue, so that an alert being written right now is not taken for one.
    await serially(async () => {
      await ready();
      for (const name of await readdir(dir)) {
        if (name.endsWith(PARTIAL)) await rm(join(dir, name), { force: true });
      }
    });
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
        const kind = kindOf(name) ?? 'alert';
        const id = name.slice(name.indexOf('-') + 1, -EXTENSIONS[kind].length);
        const path = join(dir, name);
        let body: Buffer;
        try {
          body = await readFile(path);
        } catch {
          continue; // delivered and removed meanwhile
        }
        try {
          await sink.deliver(id, body, kind);
          await rm(path, { force: true });
          failures = 0;
          options.onAttempt?.({ id, kind, ok: true });
        } catch (error) {
          const message = errorMessage(error);
          options.onAttempt?.({ id, kind, ok: false, error: message });
          if (error instanceof DeliveryError && !error.transient) {
            // Refused for good (a bad alert): set aside, never retried hot, never deleted.
            await rename(path, `${path}.rejected`);
            continue;
          }
          failures++;
          const ceiling = Math.min(maxBackoff, minBackoff * 2 ** Math.min(failures - 1, 20));
          const backoff = ceiling / 2 + randomInt(Math.max(1, Math.floor(ceiling / 2)));
          const asked =
            error instanceof DeliveryError && error.retryAfterMs !== undefined
              ? Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS)
              : 0;
          await sleep(Math.max(backoff, asked));
          break;
        }
      }
    }
  }

  /** The waiting files with their sizes, oldest first. */
  async function sizes(): Promise<{ name: string; bytes: number }[]> {
    const out: { name: string; bytes: number }[] = [];
    for (const name of await pending()) {
      try {
        out.push({ name, bytes: (await stat(join(dir, name))).size });
      } catch {
        // Delivered meanwhile.
      }
    }
    return out;
  }

  /**
   * Makes room for `bytes` more by shedding the oldest clips; whether it fits afterwards.
   * Writes are serialised (see `writing`), so two cannot both count the same free room.
   */
  async function room(bytes: number): Promise<boolean> {
    const files = await sizes();
    let used = files.reduce((sum, f) => sum + f.bytes, 0);
    for (const file of files) {
      if (used + bytes <= maxBytes) break;
      if (kindOf(file.name) !== 'clip') continue;
      await rm(join(dir, file.name), { force: true });
      used -= file.bytes;
      const id = file.name.slice(file.name.indexOf('-') + 1, -EXTENSIONS.clip.length);
      options.onShed?.({ id, kind: 'clip', bytes: file.bytes });
    }
    return used + bytes <= maxBytes;
  }

  let writing: Promise<unknown> = Promise.resolve();
  function serially<T>(task: () => Promise<T>): Promise<T> {
    const next = writing.then(task, task);
    writing = next.catch(() => undefined);
    return next;
  }

  async function write(id: string, kind: OutboxKind, bytes: string | Uint8Array): Promise<void> {
    if (!ID.test(id)) throw new Error(`alert ID "${id}" must be 1 to 128 letters, digits, - or _`);
    await ready();
    // Time first, so that name order is delivery order; the sequence breaks ties.
    const name = `${Date.now().toString().padStart(15, '0')}${(seq++ % 1000).toString().padStart(3, '0')}-${id}${EXTENSIONS[kind]}`;
    const path = join(dir, name);
    const partial = `${path}${PARTIAL}`;
    const handle = await open(partial, 'w');
    try {
      await handle.writeFile(bytes);
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
  }

  return {
    put(id, alert, lighter) {
      return serially(async () => {
        await ready();
        const full = JSON.stringify(alert);
        const size = Buffer.byteLength(full);
        if (lighter === undefined || (await room(size))) {
          await write(id, 'alert', full);
          return;
        }
        const light = JSON.stringify(lighter);
        options.onShed?.({ id, kind: 'snapshot', bytes: size - Buffer.byteLength(light) });
        // Written even over the cap: an alert is never shed, and one without evidence is small.
        await room(Buffer.byteLength(light));
        await write(id, 'alert', light);
      });
    },
    putClip(id, clip) {
      return serially(async () => {
        await ready();
        if (!(await room(clip.byteLength))) {
          options.onShed?.({ id, kind: 'clip', bytes: clip.byteLength });
          return;
        }
        await write(id, 'clip', clip);
      });
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

/** What a console answer means for the outbox. */
function outcomeOf(status: number, retryAfter: string | null): DeliveryError {
  const retry = status >= 500 || [401, 403, 408, 429].includes(status);
  const seconds = retryAfter === null ? NaN : Number(retryAfter);
  return new DeliveryError(
    `console answered ${String(status)}`,
    retry,
    Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined,
  );
}

/**
 * Whether a 409 says that this very alert is stored: the console's code and the key it was
 * sent with. Any other 409 (a proxy's, another service's) proves nothing, so the alert is set
 * aside rather than dropped.
 */
async function storedAlready(response: Response, id: string): Promise<boolean> {
  try {
    const body = (await response.json()) as { code?: unknown; key?: unknown };
    return body.code === 'VIGIE_E_ALREADY_STORED' && body.key === id;
  } catch {
    return false;
  }
}

/** The bytes of an outbox clip: an MP4, or the JSON clip envelope of earlier detectors. */
function clipBytes(body: Uint8Array, kind: OutboxKind): Uint8Array {
  if (kind === 'clip') return body;
  const legacy = JSON.parse(Buffer.from(body).toString('utf8')) as { data?: unknown };
  if (typeof legacy.data !== 'string') throw new DeliveryError('a clip file holds no data', false);
  return new Uint8Array(Buffer.from(legacy.data, 'base64'));
}

/** Whether an outbox JSON file is a clip written by an earlier detector. */
function isLegacyClip(body: Uint8Array): boolean {
  return Buffer.from(body.subarray(0, 32)).toString('utf8').startsWith('{"type":"clip"');
}

/**
 * Posts alerts to the console's ingest API, with the tenant's ingest token: an alert as JSON
 * to `POST /api/v1/ingest/alerts`, its clip as MP4 bytes to
 * `PUT /api/v1/ingest/alerts/{id}/clip`.
 */
export function createConsoleSink(options: ConsoleSinkOptions): AlertSink {
  return {
    async deliver(id, body, kind) {
      const clip = kind === 'clip' || isLegacyClip(body);
      const alertId = clip && kind === 'alert' ? id.replace(/-clip$/, '') : id;
      const url = new URL(
        clip ? `/api/v1/ingest/alerts/${alertId}/clip` : '/api/v1/ingest/alerts',
        options.consoleUrl,
      );
      let response: Response;
      try {
        response = await fetch(url, {
          method: clip ? 'PUT' : 'POST',
          headers: {
            authorization: `Bearer ${(await options.token()).trim()}`,
            'content-type': clip ? 'video/mp4' : 'application/json',
            ...(clip ? {} : { 'idempotency-key': id }),
          },
          body: clip ? clipBytes(body, kind) : body,
          signal: AbortSignal.timeout(options.timeoutMs ?? (clip ? 120_000 : 10_000)),
        });
      } catch (error) {
        throw new DeliveryError(`console unreachable: ${errorMessage(error)}`, true);
      }
      if (response.ok) {
        await response.body?.cancel();
        return;
      }
      if (response.status === 409 && (await storedAlready(response, alertId))) return;
      await response.body?.cancel().catch(() => undefined);
      throw outcomeOf(response.status, response.headers.get('retry-after'));
    },
  };
}

/** The age of the oldest alert waiting, in seconds, or 0. */
export async function oldestPendingSeconds(dir: string): Promise<number> {
  try {
    const names = (await readdir(dir)).filter((n) => kindOf(n) !== undefined).sort();
    const first = names[0];
    if (!first) return 0;
    return (Date.now() - (await stat(join(dir, first))).mtimeMs) / 1000;
  } catch {
    return 0;
  }
}
