/**
 * Reconciles one Client: plan, compare with the cache, apply only what differs (server-side
 * apply, field manager `vigie-operator`), remove what is no longer wanted, and write the status
 * only when it changed. Level-based: it reads the whole current state every time, so a missed
 * event, a restart or a hand edit all converge the same way. In a steady state it makes no
 * request at all.
 */

import { createHash, randomBytes } from 'node:crypto';
import type { ClientSpec } from '@vigie/config';
import { CAMERA_STATES, verifyClientConfig } from '@vigie/config';
import type { ClientPlan } from '@vigie/plan';
import { planClient } from '@vigie/plan';
import type { KubeObject, ObservedCluster } from '../desired/desired.js';
import {
  CLIENT_LABEL,
  INGEST_TOKEN_SECRET,
  MANAGED_BY,
  TOKEN_DIGEST_ANNOTATION,
  ROLLOUT_ANNOTATION,
  SPEC_HASH_ANNOTATION,
  desired,
} from '../desired/desired.js';
import { unconfinedCameras } from '../desired/network-policy.js';
import type { OperatorSettings } from '../desired/settings.js';
import type { KubeClient } from '../kube/client.js';
import { KubeApiError, hasStatus } from '../kube/client.js';
import type { CachedObject, Informer } from '../kube/informer.js';
import { keyOf } from '../kube/informer.js';
import type { OwnedKind } from '../kube/resources.js';
import { TYPES, apiVersionOf, collectionPath, objectPath } from '../kube/resources.js';
import type { EventRecorder } from '../runtime/events.js';
import type { Logger } from '@vigie/log';
import type { OperatorMetrics } from '../runtime/metrics.js';
import { covers, deepEqual } from './compare.js';
import type { CameraHealth, ClientStatus, Condition, Problem } from './status.js';
import { computeStatus } from './status.js';

/** The field manager of every write the operator makes. */
export const FIELD_MANAGER = 'vigie-operator';

/** How long a client waits before a retry after an error that retrying at once cannot fix. */
export const TERMINAL_RETRY_MS = 5 * 60_000;

/** The caches the reconciler reads. */
export interface Caches {
  readonly clients: Informer;
  readonly owned: ReadonlyMap<OwnedKind, Informer>;
  readonly pods: Informer;
  readonly secrets: Informer;
}

/** What the reconciler needs. */
export interface ReconcilerDeps {
  readonly client: KubeClient;
  readonly caches: Caches;
  readonly settings: OperatorSettings;
  /** What the operator currently observes of the cluster, read at each reconcile. */
  readonly observed: () => ObservedCluster;
  readonly events: EventRecorder;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
}

/** What the worker does next with the key. */
export interface ReconcileResult {
  /** Look again after this long, even if nothing changes. */
  readonly requeueAfterMs?: number;
}

interface ClientObject extends CachedObject {
  readonly spec: ClientSpec;
  readonly status?: { readonly conditions?: readonly Condition[] } & Record<string, unknown>;
}

/** Reconciles Clients. */
export class Reconciler {
  /** What the operator last wrote per object, so server-side normalisation does not look like drift. */
  private readonly applied = new Map<string, { hash: string; resourceVersion: string }>();

  constructor(private readonly deps: ReconcilerDeps) {}

  /** Brings client `name` to its desired state; throws on errors worth retrying soon. */
  async reconcile(name: string): Promise<ReconcileResult> {
    const client = this.deps.caches.clients.get(name) as ClientObject | undefined;
    if (client === undefined || client.metadata.deletionTimestamp !== undefined) {
      // Garbage collection removes everything the Client owned.
      this.forget(name);
      return {};
    }
    const uid = client.metadata.uid ?? '';
    const generation = client.metadata.generation ?? 0;
    const cameras = Array.isArray(client.spec.cameras) ? client.spec.cameras.length : 0;
    const previous = client.status?.conditions ?? [];

    const planned = this.plan(name, client.spec);
    if ('invalid' in planned) {
      await this.writeStatus(client, {
        generation,
        previous,
        plan: planned,
        cameras,
        deployments: new Map(),
        pods: [],
        missingSecrets: [],
        applyProblems: [],
        cameraHealth: [],
        now: new Date(),
      });
      // Retrying cannot fix the spec; a new spec arrives as a watch event.
      return {};
    }
    const { plan } = planned;

    const problems: Problem[] = [];
    let requeueAfterMs: number | undefined;
    const conflict = await this.namespaceConflict(plan.namespace, uid);
    if (conflict !== undefined) {
      problems.push(conflict);
      requeueAfterMs = TERMINAL_RETRY_MS;
    } else {
      const objects = desired(
        { metadata: { name, uid }, spec: client.spec },
        this.deps.settings,
        this.deps.observed(),
        plan,
      );
      this.warnUnconfinedCameras({ name, uid }, plan);
      const failures = await this.applyAll({ name, uid }, objects, plan);
      problems.push(...failures);
      if (failures.length > 0) requeueAfterMs = TERMINAL_RETRY_MS;
      else await this.prune(name, uid, objects);
    }

    const deployments = new Map<string, CachedObject>();
    const deploymentCache = this.deps.caches.owned.get('Deployment');
    for (const shard of plan.shards) {
      const deployment = deploymentCache?.get(`${plan.namespace}/detector-${shard.name}`);
      if (deployment !== undefined) deployments.set(shard.name, deployment);
    }
    await this.writeStatus(client, {
      generation,
      previous,
      plan,
      cameras,
      deployments,
      pods: this.deps.caches.pods.byIndex(name),
      missingSecrets: this.missingSecrets(plan),
      ingestTokenSha256: this.deps.caches.secrets.get(`${plan.namespace}/${INGEST_TOKEN_SECRET}`)
        ?.metadata.annotations?.[TOKEN_DIGEST_ANNOTATION],
      applyProblems: problems,
      cameraHealth: cameraHealthOf(
        client,
        plan.shards.map((s) => s.name),
      ),
      now: new Date(),
    });
    return requeueAfterMs === undefined ? {} : { requeueAfterMs };
  }

  /** The unconfined cameras last reported per client, so that each set is reported once. */
  private readonly unconfined = new Map<string, string>();

  /**
   * Says once per client, in the log and in an Event, which cameras named by a host name have
   * their port open to every address because no camera networks are set.
   */
  private warnUnconfinedCameras(client: { name: string; uid: string }, plan: ClientPlan): void {
    const cameras = unconfinedCameras(plan, this.deps.settings);
    const key = cameras.join(', ');
    if ((this.unconfined.get(client.name) ?? '') === key) return;
    if (cameras.length === 0) {
      this.unconfined.delete(client.name);
      return;
    }
    this.unconfined.set(client.name, key);
    // An Event's note holds 1 KB: name a few cameras, and count the rest.
    const named = cameras.slice(0, 5).join(', ');
    const more = cameras.length > 5 ? ` and ${String(cameras.length - 5)} more` : '';
    const message = `camera egress is open to every address on the ports of ${named}${more}: a NetworkPolicy cannot name a host; set VIGIE_CAMERA_NETWORKS to the networks the cameras are in`;
    this.deps.log('WARNING', 'camera egress unconfined', { client: client.name, cameras });
    this.deps.events.emit(client, 'Warning', 'CameraEgressUnconfined', message);
  }

  /** Drops what is remembered about a deleted client. */
  private forget(name: string): void {
    this.unconfined.delete(name);
    for (const key of this.applied.keys()) {
      if (key.includes(`/vigie-${name}/`) || key.endsWith(`/-/vigie-${name}`))
        this.applied.delete(key);
    }
    for (const type of ['Accepted', 'Ready', 'Degraded']) {
      for (const series of this.conditionSeries.get(`${name}/${type}`) ?? []) {
        this.deps.metrics.clientCondition.remove({ client: name, type, reason: series });
      }
      this.conditionSeries.delete(`${name}/${type}`);
    }
    this.deps.metrics.clientShards.remove({ client: name, state: 'planned' });
    this.deps.metrics.clientShards.remove({ client: name, state: 'ready' });
  }

  private plan(name: string, spec: ClientSpec): { plan: ClientPlan } | { invalid: string } {
    try {
      const problems = verifyClientConfig({ id: name, ...spec });
      if (problems.length > 0) {
        const first = problems[0];
        return {
          invalid: `${String(problems.length)} problem${problems.length === 1 ? '' : 's'} in the spec, first ${first?.code ?? ''} at ${first?.path ?? ''}: ${first?.message ?? ''}`,
        };
      }
      return { plan: planClient(name, spec) };
    } catch (error) {
      // A Client written by hand may lack what the config function always fills in.
      return {
        invalid: `the spec cannot be planned: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }

  /** A namespace of the same name that this Client does not own is never taken over. */
  private async namespaceConflict(namespace: string, uid: string): Promise<Problem | undefined> {
    let existing: CachedObject | undefined = this.deps.caches.owned
      .get('Namespace')
      ?.get(namespace);
    if (existing === undefined) {
      try {
        // Served from the API server's watch cache: cheap, and only for a namespace not yet ours.
        existing = await this.deps.client.request<CachedObject>(
          objectPath(TYPES.Namespace, namespace),
          { query: { resourceVersion: '0' } },
        );
      } catch (error) {
        if (hasStatus(error, 404)) return undefined;
        throw error;
      }
    }
    if (existing.metadata.ownerReferences?.some((o) => o.uid === uid) === true) {
      if (existing.metadata.deletionTimestamp !== undefined) {
        throw new KubeApiError(
          409,
          'NamespaceTerminating',
          `namespace ${namespace} is still being deleted`,
        );
      }
      return undefined;
    }
    if (existing.metadata.deletionTimestamp !== undefined) {
      // A previous Client of the same name is being cleaned up: wait for it.
      throw new KubeApiError(
        409,
        'NamespaceTerminating',
        `namespace ${namespace} is still being deleted`,
      );
    }
    return {
      reason: 'NamespaceConflict',
      message: `namespace ${namespace} exists and does not belong to this Client; Vigie will not take it over`,
    };
  }

  /** Applies every object that differs from the cache; returns the refusals that retrying cannot fix. */
  private async applyAll(
    client: { name: string; uid: string },
    objects: readonly KubeObject[],
    plan: ClientPlan,
  ): Promise<Problem[]> {
    const [namespace, ...rest] = objects;
    const problems: Problem[] = [];
    const run = async (object: KubeObject) => {
      try {
        await this.applyOne(client, object);
      } catch (error) {
        if (error instanceof KubeApiError && !error.transient) {
          problems.push({
            reason: 'ApplyFailed',
            message: `${object.kind} ${object.metadata.name}: ${error.message}`,
          });
          return;
        }
        throw error;
      }
    };
    if (namespace !== undefined) await run(namespace);
    if (problems.length > 0) return problems;
    await this.ensureIngestToken(client, plan.namespace);
    const created = rest.filter(
      (o) => this.deps.caches.owned.get(o.kind as OwnedKind)?.get(keyOf(o)) === undefined,
    );
    await Promise.all(rest.map(run));
    const shards = created.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    if (shards.length > 0 && problems.length === 0) {
      // One event for the whole tenant rather than one per object: creating 1,000 tenants should
      // not mean thousands of Events.
      this.deps.events.emit(
        client,
        'Normal',
        'ShardsCreated',
        `created ${shards.join(', ')} with their ConfigMaps and Services`,
      );
    }
    if (problems.length > 0) {
      this.deps.events.emit(
        client,
        'Warning',
        'ApplyFailed',
        problems.map((p) => p.message).join('; '),
      );
    }
    return problems;
  }

  private async applyOne(client: { name: string; uid: string }, object: KubeObject): Promise<void> {
    const kind = object.kind as OwnedKind;
    const type = TYPES[kind];
    const namespace = object.metadata.namespace;
    const memoKey = `${kind}/${namespace ?? '-'}/${object.metadata.name}`;
    const hash = object.metadata.annotations?.[SPEC_HASH_ANNOTATION] ?? '';
    const live = this.deps.caches.owned.get(kind)?.get(keyOf(object));
    const memo = this.applied.get(memoKey);
    if (live !== undefined) {
      if (covers(live, object)) return;
      if (memo?.hash === hash && memo.resourceVersion === live.metadata.resourceVersion) return;
    }
    const liveHash = live?.metadata.annotations?.[SPEC_HASH_ANNOTATION];
    const cause =
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
        objectPath(type, object.metadata.name, namespace),
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
    if (cause === 'repair') {
      this.deps.events.emit(
        client,
        'Warning',
        'DriftRepaired',
        `${kind} ${namespace === undefined ? '' : `${namespace}/`}${object.metadata.name} was ${live === undefined ? 'deleted' : 'changed'} outside Vigie and has been put back`,
      );
    } else if (kind === 'Deployment') {
      const template = (
        object.spec as { template: { metadata: { annotations: Record<string, string> } } }
      ).template;
      const before = (
        live?.spec as
          { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined
      )?.template?.metadata?.annotations?.[ROLLOUT_ANNOTATION];
      const after = template.metadata.annotations[ROLLOUT_ANNOTATION];
      if (live !== undefined && before !== after) {
        this.deps.events.emit(
          client,
          'Normal',
          'ShardRolled',
          `${object.metadata.name} restarts: its streams, models, cameras or resources changed`,
        );
      }
    }
  }

  /** Creates the tenant's ingest token once; it is never rewritten, so detectors keep theirs. */
  private async ensureIngestToken(
    client: { name: string; uid: string },
    namespace: string,
  ): Promise<void> {
    if (this.deps.caches.secrets.get(`${namespace}/${INGEST_TOKEN_SECRET}`) !== undefined) return;
    const token = randomBytes(32).toString('base64url');
    try {
      await this.deps.client.request(collectionPath(TYPES.Secret, namespace), {
        method: 'POST',
        query: { fieldManager: FIELD_MANAGER },
        body: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            name: INGEST_TOKEN_SECRET,
            namespace,
            // The digest is not a secret: the console checks posts against it through the
            // Client status, and never needs to read the Secret.
            annotations: {
              [TOKEN_DIGEST_ANNOTATION]: createHash('sha256').update(token).digest('hex'),
            },
            labels: {
              'app.kubernetes.io/part-of': 'vigie',
              'app.kubernetes.io/managed-by': MANAGED_BY,
              [CLIENT_LABEL]: client.name,
            },
            ownerReferences: [
              {
                apiVersion: apiVersionOf(TYPES.Client),
                kind: 'Client',
                name: client.name,
                uid: client.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          type: 'Opaque',
          stringData: { token },
        },
      });
    } catch (error) {
      // The cache was behind: it exists already, and must not be replaced.
      if (!hasStatus(error, 409)) throw error;
    }
  }

  /** Deletes objects this client owns that its desired state no longer has (a removed shard). */
  private async prune(name: string, uid: string, objects: readonly KubeObject[]): Promise<void> {
    const wanted = new Set(objects.map((o) => `${o.kind}/${keyOf(o)}`));
    const deletions: Promise<void>[] = [];
    for (const [kind, informer] of this.deps.caches.owned) {
      if (kind === 'Namespace') continue;
      for (const object of informer.byIndex(name)) {
        if (wanted.has(`${kind}/${keyOf(object)}`)) continue;
        if (object.metadata.deletionTimestamp !== undefined) continue;
        if (object.metadata.ownerReferences?.some((o) => o.uid === uid) !== true) continue;
        deletions.push(this.remove(kind, object, { name, uid }));
      }
    }
    await Promise.all(deletions);
  }

  private async remove(
    kind: OwnedKind,
    object: CachedObject,
    client: { name: string; uid: string },
  ): Promise<void> {
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

  private missingSecrets(plan: ClientPlan): { secret: string; cameras: string[] }[] {
    const needed = new Map<string, string[]>();
    for (const shard of plan.shards) {
      for (const camera of shard.config.cameras) {
        const secret = camera.stream.credentialsSecret;
        if (secret === undefined) continue;
        needed.set(secret, [...(needed.get(secret) ?? []), camera.id]);
      }
    }
    return [...needed]
      .filter(
        ([secret]) => this.deps.caches.secrets.get(`${plan.namespace}/${secret}`) === undefined,
      )
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([secret, cameras]) => ({ secret, cameras }));
  }

  private readonly conditionSeries = new Map<string, string[]>();

  private async writeStatus(
    client: ClientObject,
    observation: Parameters<typeof computeStatus>[0],
  ): Promise<void> {
    const status = computeStatus(observation);
    this.record(client, status);
    // Only the fields the operator writes count: detectors may report camera health beside them.
    const current = (client.status ?? {}) as Record<string, unknown>;
    const mine = Object.fromEntries(Object.keys(status).map((k) => [k, current[k]]));
    if (deepEqual(stripUndefined(mine), stripUndefined(status))) return;
    await this.deps.client.request(objectPath(TYPES.Client, client.metadata.name) + '/status', {
      method: 'PATCH',
      query: { fieldManager: FIELD_MANAGER, force: 'true' },
      contentType: 'application/apply-patch+yaml',
      body: {
        apiVersion: apiVersionOf(TYPES.Client),
        kind: 'Client',
        metadata: { name: client.metadata.name },
        status,
      },
    });
  }

  /** Metrics and events for what changed in the status. */
  private record(client: ClientObject, status: ClientStatus): void {
    const name = client.metadata.name;
    const regarding = { name, uid: client.metadata.uid ?? '' };
    const before = client.status?.conditions ?? [];
    for (const condition of status.conditions) {
      const seriesKey = `${name}/${condition.type}`;
      for (const reason of this.conditionSeries.get(seriesKey) ?? []) {
        if (reason !== condition.reason) {
          this.deps.metrics.clientCondition.remove({ client: name, type: condition.type, reason });
        }
      }
      this.conditionSeries.set(seriesKey, [condition.reason]);
      this.deps.metrics.clientCondition.set(
        { client: name, type: condition.type, reason: condition.reason },
        condition.status === 'True' ? 1 : 0,
      );
      const old = before.find((c) => c.type === condition.type);
      if (old?.status === condition.status && old.reason === condition.reason) continue;
      const bad =
        (condition.type === 'Degraded' && condition.status === 'True') ||
        (condition.type === 'Accepted' && condition.status === 'False');
      const good = condition.type === 'Ready' && condition.status === 'True';
      if (bad) this.deps.events.emit(regarding, 'Warning', condition.reason, condition.message);
      else if (good) this.deps.events.emit(regarding, 'Normal', 'Ready', condition.message);
    }
    this.deps.metrics.clientShards.set({ client: name, state: 'planned' }, status.summary.shards);
    this.deps.metrics.clientShards.set(
      { client: name, state: 'ready' },
      status.summary.shardsReady,
    );
  }
}

function stripUndefined(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/**
 * Camera health as the detectors wrote it, from the entries of the shards planned now (a removed
 * shard's last report is ignored); malformed entries are skipped.
 */
function cameraHealthOf(client: ClientObject, shards: readonly string[]): CameraHealth[] {
  const detectors = (client.status as { detectors?: unknown } | undefined)?.detectors;
  if (typeof detectors !== 'object' || detectors === null) return [];
  return shards.flatMap((shard) => {
    const cameras = (detectors as Record<string, { cameras?: unknown } | undefined>)[shard]
      ?.cameras;
    if (!Array.isArray(cameras)) return [];
    return cameras.flatMap((c: unknown): CameraHealth[] => {
      if (typeof c !== 'object' || c === null) return [];
      const { id, state, reason, message } = c as Record<string, unknown>;
      // A state the CRD does not allow would make the whole status write fail.
      const known = CAMERA_STATES.find((s) => s === state);
      if (typeof id !== 'string' || known === undefined) return [];
      return [
        {
          id,
          state: known,
          ...(typeof reason === 'string' ? { reason } : {}),
          ...(typeof message === 'string' ? { message } : {}),
        },
      ];
    });
  });
}
