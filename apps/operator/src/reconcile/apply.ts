/**
 * Apply and prune: writes each desired object that differs from the cache with server-side apply
 * (field manager `vigie-operator`, forced), and deletes what a client owns but no longer wants.
 * A memo of what was last written keeps server-side normalisation from looking like drift, so a
 * steady state makes no request.
 */

import type { Logger } from '@vigie/log';
import type { KubeObject } from '../desired/desired.js';
import { ROLLOUT_ANNOTATION, SPEC_HASH_ANNOTATION } from '../desired/desired.js';
import { KubeApiError, hasStatus, isRefusal } from '../kube/client.js';
import type { CachedObject } from '../kube/informer.js';
import { keyOf } from '../kube/informer.js';
import type { OwnedKind } from '../kube/resources.js';
import { TYPES, objectPath } from '../kube/resources.js';
import type { EventRecorder, Regarding } from '../runtime/events.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import { covers } from './compare.js';
import type { Caches, KubeRequests } from './deps.js';
import { FIELD_MANAGER } from './deps.js';
import type { Problem } from './status.js';

/** What the {@link Applier} needs. */
export interface ApplierDeps {
  readonly client: KubeRequests;
  readonly caches: Pick<Caches, 'owned'>;
  readonly events: EventRecorder;
  readonly metrics: Pick<OperatorMetrics, 'appliedObjects'>;
  readonly log: Logger;
}

/** Why an object is written: it is new, its desired state changed, or someone changed it. */
type ApplyCause = 'create' | 'update' | 'repair';

/** Applies desired objects and prunes unwanted ones, remembering what it wrote. */
export class Applier {
  /** What the operator last wrote per object, so server-side normalisation does not look like drift. */
  private readonly applied = new Map<string, { hash: string; resourceVersion: string }>();

  constructor(private readonly deps: ApplierDeps) {}

  /** The objects that the cache does not hold yet. */
  missing(objects: readonly KubeObject[]): KubeObject[] {
    return objects.filter((o) => this.live(o) === undefined);
  }

  /**
   * Applies every object that differs from the cache, concurrently; returns the refusals that
   * retrying cannot fix, and throws on errors worth retrying soon.
   */
  async applyEach(client: Regarding, objects: readonly KubeObject[]): Promise<Problem[]> {
    const problems: Problem[] = [];
    await Promise.all(
      objects.map(async (object) => {
        try {
          await this.applyOne(client, object);
        } catch (error) {
          if (isRefusal(error)) {
            problems.push({
              reason: 'ApplyFailed',
              message: `${object.kind} ${object.metadata.name}: ${error.message}`,
            });
            return;
          }
          throw error;
        }
      }),
    );
    return problems;
  }

  /** Deletes objects this client owns that its desired state no longer has (a removed shard). */
  async prune(client: Regarding, objects: readonly KubeObject[]): Promise<void> {
    const wanted = new Set(objects.map((o) => `${o.kind}/${keyOf(o)}`));
    const deletions: Promise<void>[] = [];
    for (const [kind, cache] of this.deps.caches.owned) {
      if (kind === 'Namespace') continue;
      for (const object of cache.byIndex(client.name)) {
        if (wanted.has(`${kind}/${keyOf(object)}`)) continue;
        if (object.metadata.deletionTimestamp !== undefined) continue;
        if (object.metadata.ownerReferences?.some((o) => o.uid === client.uid) !== true) continue;
        deletions.push(this.remove(kind, object, client));
      }
    }
    await Promise.all(deletions);
  }

  /** Drops what is remembered of a deleted client's objects. */
  forget(name: string): void {
    for (const key of this.applied.keys()) {
      if (key.includes(`/vigie-${name}/`) || key.endsWith(`/-/vigie-${name}`))
        this.applied.delete(key);
    }
  }

  private live(object: KubeObject): CachedObject | undefined {
    return this.deps.caches.owned.get(object.kind as OwnedKind)?.get(keyOf(object));
  }

  private async applyOne(client: Regarding, object: KubeObject): Promise<void> {
    const kind = object.kind as OwnedKind;
    const namespace = object.metadata.namespace;
    const memoKey = `${kind}/${namespace ?? '-'}/${object.metadata.name}`;
    const hash = object.metadata.annotations?.[SPEC_HASH_ANNOTATION] ?? '';
    const live = this.live(object);
    const memo = this.applied.get(memoKey);
    if (live !== undefined) {
      if (covers(live, object)) return;
      if (memo?.hash === hash && memo.resourceVersion === live.metadata.resourceVersion) return;
    }
    const liveHash = live?.metadata.annotations?.[SPEC_HASH_ANNOTATION];
    const cause: ApplyCause =
      live === undefined
        ? memo === undefined
          ? 'create'
          : 'repair'
        : liveHash === hash
          ? 'repair'
          : 'update';
    let result: CachedObject;
    try {
      result = await this.deps.client.request<CachedObject>(
        objectPath(TYPES[kind], object.metadata.name, namespace),
        {
          method: 'PATCH',
          query: { fieldManager: FIELD_MANAGER, force: 'true' },
          contentType: 'application/apply-patch+yaml',
          body: object,
        },
      );
    } catch (error) {
      if (live !== undefined && hasStatus(error, 422) && cause === 'repair') {
        // A hand edit added list entries that apply cannot remove (another manager owns them)
        // and that clash with ours: start the object afresh.
        await this.remove(kind, live, client);
        throw new KubeApiError(
          409,
          'Recreating',
          `${kind} ${keyOf(live)} is recreated: ${String(error)}`,
        );
      }
      throw error;
    }
    this.applied.set(memoKey, { hash, resourceVersion: result.metadata.resourceVersion ?? '' });
    this.deps.metrics.appliedObjects.inc({ kind, cause });
    this.deps.log('DEBUG', 'applied', {
      client: client.name,
      kind,
      name: object.metadata.name,
      cause,
    });
    this.reportApplied(client, object, live, cause);
  }

  /** Says what a person should know of a write: drift put back, or a shard restarting. */
  private reportApplied(
    client: Regarding,
    object: KubeObject,
    live: CachedObject | undefined,
    cause: ApplyCause,
  ): void {
    const namespace = object.metadata.namespace;
    if (cause === 'repair') {
      this.deps.events.emit(
        client,
        'Warning',
        'DriftRepaired',
        `${object.kind} ${namespace === undefined ? '' : `${namespace}/`}${object.metadata.name} was ${live === undefined ? 'deleted' : 'changed'} outside Vigie and has been put back`,
      );
    } else if (object.kind === 'Deployment' && live !== undefined) {
      if (rolloutKey(live) !== rolloutKey(object)) {
        this.deps.events.emit(
          client,
          'Normal',
          'ShardRolled',
          `${object.metadata.name} restarts: its streams, models, cameras or resources changed`,
        );
      }
    }
  }

  private async remove(kind: OwnedKind, object: CachedObject, client: Regarding): Promise<void> {
    try {
      await this.deps.client.request(
        objectPath(TYPES[kind], object.metadata.name, object.metadata.namespace),
        {
          method: 'DELETE',
          body: {
            apiVersion: 'v1',
            kind: 'DeleteOptions',
            preconditions: { uid: object.metadata.uid },
            propagationPolicy: 'Background',
          },
        },
      );
      this.deps.events.emit(
        client,
        'Normal',
        'Pruned',
        `${kind} ${keyOf(object)} is no longer needed and was deleted`,
      );
    } catch (error) {
      if (!hasStatus(error, 404) && !hasStatus(error, 409)) throw error;
    }
  }
}

/** A Deployment's rollout key: the pod-template annotation whose change restarts the shard. */
function rolloutKey(deployment: CachedObject | KubeObject): string | undefined {
  return (
    deployment.spec as
      { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined
  )?.template?.metadata?.annotations?.[ROLLOUT_ANNOTATION];
}
