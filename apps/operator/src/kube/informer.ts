/**
 * An informer: a local cache of one resource type kept current by list and watch, as client-go's
 * reflector does. It survives dropped connections (it resumes from the last resourceVersion),
 * `410 Gone` (it lists again and reports what changed meanwhile), and API server restarts
 * (it retries under exponential backoff with jitter). Objects are stored without managedFields.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient, WatchEvent } from './client.js';
import { KubeApiError } from './client.js';
import type { ResourceType } from './resources.js';
import { collectionPath } from './resources.js';

/** A cached object. */
export interface CachedObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly generation?: number;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly ownerReferences?: readonly { readonly uid: string; readonly kind: string }[];
    readonly deletionTimestamp?: string;
  };
  readonly [field: string]: unknown;
}

/** What changed: an object appeared or changed, disappeared, or is re-delivered by a resync. */
export type InformerEvent = 'upsert' | 'delete' | 'resync';

/** Options for an {@link Informer}. */
export interface InformerOptions {
  readonly type: ResourceType;
  /** Only objects in this namespace (all namespaces when undefined). */
  readonly namespace?: string;
  /** Only objects with these labels (a label selector string). */
  readonly labelSelector?: string;
  /** Cache metadata only (PartialObjectMetadata), for types whose content the operator never reads. */
  readonly metadataOnly?: boolean;
  /** Re-deliver every cached object this often (± 10 % jitter); 0 never does. */
  readonly resyncMs?: number;
  /** Keeps only what the operator reads of each object, to bound the cache's memory. */
  readonly transform?: (object: CachedObject) => CachedObject;
  /** The label whose value indexes the cache, for {@link Informer.byIndex}. */
  readonly indexLabel?: string;
  readonly onEvent: (event: InformerEvent, object: CachedObject) => void;
  /** Called on each watch failure, for logs and metrics. */
  readonly onError?: (error: unknown, willRelist: boolean) => void;
}

const INITIAL_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 30_000;
const PAGE_SIZE = 500;

/** The cache key of an object: `namespace/name`, or `name` when cluster-scoped. */
export function keyOf(object: { metadata: { name: string; namespace?: string } }): string {
  return object.metadata.namespace === undefined
    ? object.metadata.name
    : `${object.metadata.namespace}/${object.metadata.name}`;
}

/** A list-and-watch cache of one resource type. */
export class Informer {
  private readonly store = new Map<string, CachedObject>();
  private readonly index = new Map<string, Map<string, CachedObject>>();
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private syncedOnce = false;
  private resourceVersion = '';

  constructor(
    private readonly client: KubeClient,
    readonly options: InformerOptions,
  ) {}

  /** True once the first list has filled the cache. */
  get synced(): boolean {
    return this.syncedOnce;
  }

  /** Starts listing and watching in the background. */
  start(): void {
    this.running ??= this.run();
    this.scheduleResync();
  }

  /** Stops watching. */
  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.resyncTimer);
    await this.running;
  }

  /** Resolves once the cache is filled, or rejects after `timeoutMs`. */
  async waitForSync(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.syncedOnce) {
      if (Date.now() > deadline || this.abort.signal.aborted) {
        throw new Error(`the ${this.options.type.plural} cache did not sync`);
      }
      await sleep(20);
    }
  }

  /** The cached object with this key (`namespace/name` or `name`). */
  get(key: string): CachedObject | undefined {
    return this.store.get(key);
  }

  /** Every cached object. */
  list(): IterableIterator<CachedObject> {
    return this.store.values();
  }

  /** Cached objects whose index label has this value. */
  byIndex(value: string): readonly CachedObject[] {
    return [...(this.index.get(value)?.values() ?? [])];
  }

  /** How many objects are cached. */
  get size(): number {
    return this.store.size;
  }

  private scheduleResync(): void {
    const every = this.options.resyncMs ?? 0;
    if (every <= 0 || this.abort.signal.aborted) return;
    const delay = every * (0.9 + Math.random() * 0.2);
    this.resyncTimer = setTimeout(() => {
      if (this.syncedOnce) {
        for (const object of this.store.values()) this.options.onEvent('resync', object);
      }
      this.scheduleResync();
    }, delay);
    this.resyncTimer.unref();
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    // A function, so that the compiler does not assume the flag cannot change across awaits.
    const aborted = () => signal.aborted;
    let relist = true;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (relist) {
          await this.relist();
          relist = false;
        }
        await this.watchOnce();
        failures = 0;
      } catch (error) {
        if (aborted()) break;
        const gone =
          error instanceof KubeApiError && (error.status === 410 || error.reason === 'Expired');
        relist ||= gone;
        this.options.onError?.(error, relist);
        failures += 1;
        // 410 relists at once; anything else waits, so a restarting API server is not hammered.
        if (!gone) {
          const ceiling = Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** (failures - 1));
          await sleep(ceiling / 2 + Math.random() * (ceiling / 2), undefined, { signal }).catch(
            () => undefined,
          );
        }
      }
    }
  }

  private accept(list: boolean): string | undefined {
    if (this.options.metadataOnly !== true) return undefined;
    const kind = list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata';
    return `application/json;as=${kind};g=meta.k8s.io;v=v1,application/json`;
  }

  private async relist(): Promise<void> {
    const seen = new Map<string, CachedObject>();
    let next: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.client.request<{
        metadata: { resourceVersion: string; continue?: string };
        items: CachedObject[] | null;
      }>(collectionPath(this.options.type, this.options.namespace), {
        query: {
          labelSelector: this.options.labelSelector,
          limit: String(PAGE_SIZE),
          continue: next,
        },
        ...acceptOption(this.accept(true)),
      });
      // Metadata-only lists encode an empty list as null.
      for (const item of page.items ?? []) {
        const object = this.shrink(item);
        seen.set(keyOf(object), object);
      }
      next = page.metadata.continue === '' ? undefined : page.metadata.continue;
      resourceVersion = page.metadata.resourceVersion;
    } while (next !== undefined);
    // Report what changed while no watch was open: deletions first, then changes.
    for (const [key, old] of this.store) {
      if (!seen.has(key)) this.remove(key, old);
    }
    for (const [key, object] of seen) {
      const old = this.store.get(key);
      if (old?.metadata.resourceVersion !== object.metadata.resourceVersion) {
        this.put(key, object);
      }
    }
    this.resourceVersion = resourceVersion;
    this.syncedOnce = true;
  }

  private async watchOnce(): Promise<void> {
    await this.client.watch(
      collectionPath(this.options.type, this.options.namespace),
      {
        labelSelector: this.options.labelSelector,
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: 'true',
        // Servers end watches after this; a fresh one then resumes from the last version.
        timeoutSeconds: String(240 + Math.floor(Math.random() * 120)),
      },
      (event) => {
        this.handle(event);
      },
      this.abort.signal,
      this.accept(false),
    );
  }

  private handle(event: WatchEvent): void {
    if (event.type === 'ERROR') {
      const status = event.object as { code?: number; reason?: string; message?: string };
      throw new KubeApiError(
        status.code ?? 500,
        status.reason ?? 'WatchError',
        `watch ${this.options.type.plural}: ${status.message ?? 'error event'}`,
      );
    }
    const object = this.shrink(event.object as unknown as CachedObject);
    if (object.metadata.resourceVersion !== undefined) {
      this.resourceVersion = object.metadata.resourceVersion;
    }
    if (event.type === 'BOOKMARK') return;
    const key = keyOf(object);
    if (event.type === 'DELETED') this.remove(key, object);
    else this.put(key, object);
  }

  private shrink(object: CachedObject): CachedObject {
    const stripped = strip(object);
    return this.options.transform === undefined ? stripped : this.options.transform(stripped);
  }

  private put(key: string, object: CachedObject): void {
    const old = this.store.get(key);
    if (old !== undefined) this.unindex(key, old);
    this.store.set(key, object);
    const label = this.options.indexLabel;
    const value = label === undefined ? undefined : object.metadata.labels?.[label];
    if (value !== undefined) {
      let bucket = this.index.get(value);
      if (bucket === undefined) {
        bucket = new Map<string, CachedObject>();
        this.index.set(value, bucket);
      }
      bucket.set(key, object);
    }
    this.options.onEvent('upsert', object);
  }

  private remove(key: string, object: CachedObject): void {
    const old = this.store.get(key);
    if (old !== undefined) this.unindex(key, old);
    this.store.delete(key);
    this.options.onEvent('delete', old ?? object);
  }

  private unindex(key: string, object: CachedObject): void {
    const label = this.options.indexLabel;
    const value = label === undefined ? undefined : object.metadata.labels?.[label];
    if (value === undefined) return;
    const bucket = this.index.get(value);
    bucket?.delete(key);
    if (bucket?.size === 0) this.index.delete(value);
  }
}

function acceptOption(accept: string | undefined): { accept?: string } {
  return accept === undefined ? {} : { accept };
}

/** Drops what the operator never reads and what would bloat the cache. */
function strip(object: CachedObject): CachedObject {
  const metadata = { ...object.metadata } as Record<string, unknown>;
  delete metadata.managedFields;
  const annotations = metadata.annotations as Record<string, string> | undefined;
  if (annotations?.['kubectl.kubernetes.io/last-applied-configuration'] !== undefined) {
    const rest = { ...annotations };
    delete rest['kubectl.kubernetes.io/last-applied-configuration'];
    metadata.annotations = rest;
  }
  return { ...object, metadata } as CachedObject;
}
