/**
 * The operator's caches: Clients, the kinds it owns, detector pods, Secrets (metadata only) and
 * the API server's EndpointSlices. A change to any of them queues the Client it belongs to; a
 * move of the API server queues every Client, since their NetworkPolicies name its endpoints.
 */

import type { Logger } from '@vigie/log';
import { errorMessage } from '@vigie/log';
import { CLIENT_LABEL, MANAGED_BY } from '../desired/desired.js';
import type { ApiServerEndpoint } from '../desired/settings.js';
import {
  API_SERVER_NAMESPACE,
  API_SERVER_SLICES,
  apiServerEndpoints,
  sameEndpoints,
} from '../kube/api-server.js';
import type { KubeClient } from '../kube/client.js';
import type { CachedObject, InformerOptions } from '../kube/informer.js';
import { Informer } from '../kube/informer.js';
import type { OwnedKind } from '../kube/resources.js';
import { TYPES } from '../kube/resources.js';
import type { WorkQueue } from '../queue/workqueue.js';
import type { Caches } from '../reconcile/reconciler.js';
import type { OperatorMetrics } from '../runtime/metrics.js';

/** What the caches need. */
export interface CachesOptions {
  readonly queue: WorkQueue;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  /** How often every Client is queued again without an event. */
  readonly resyncMs: number;
  /** The API server's endpoints from the settings; undefined to watch its EndpointSlices. */
  readonly apiServerEndpoints: readonly ApiServerEndpoint[] | undefined;
}

/** The kinds owned from the start; the monitoring kinds are added by discovery. */
export const OWNED_KINDS = [
  'Namespace',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'ResourceQuota',
  'LimitRange',
  'NetworkPolicy',
  'ConfigMap',
  'Deployment',
  'Service',
] as const;

/** Every cache the operator keeps, and where the API server is. */
export class OperatorCaches implements Caches {
  readonly clients: Informer;
  readonly owned: Map<OwnedKind, Informer>;
  readonly pods: Informer;
  readonly secrets: Informer;
  private readonly apiServerSlices: Informer | undefined;
  private endpoints: readonly ApiServerEndpoint[];

  constructor(
    private readonly client: KubeClient,
    private readonly options: CachesOptions,
  ) {
    this.clients = this.informer('Client', {
      resyncMs: options.resyncMs,
      onEvent: (_event, object) => {
        options.queue.add(object.metadata.name);
      },
    });
    this.owned = new Map(OWNED_KINDS.map((kind) => [kind, this.ownedInformer(kind)]));
    this.pods = this.informer('Pod', {
      labelSelector: CLIENT_LABEL,
      indexLabel: CLIENT_LABEL,
      // Only scheduling and container states are read: the pod spec is most of a pod's size.
      transform: (pod) => {
        const status = (pod.status ?? {}) as Record<string, unknown>;
        return {
          metadata: pod.metadata,
          status: { conditions: status.conditions, containerStatuses: status.containerStatuses },
        };
      },
    });
    // Metadata only: the operator needs to know a Secret exists, never what it holds.
    this.secrets = this.informer('Secret', { metadataOnly: true });
    // Detectors reach the API server at the addresses its Service is translated to, which the
    // NetworkPolicies must name. Settings that give them leave nothing to watch.
    this.endpoints = options.apiServerEndpoints ?? [];
    this.apiServerSlices =
      options.apiServerEndpoints !== undefined
        ? undefined
        : this.informer('EndpointSlice', {
            namespace: API_SERVER_NAMESPACE,
            labelSelector: API_SERVER_SLICES,
            onEvent: () => {
              this.apiServerMoved();
            },
          });
  }

  /** Every cache, the monitoring ones discovery added included. */
  all(): Informer[] {
    return [
      this.clients,
      ...this.owned.values(),
      this.pods,
      this.secrets,
      ...(this.apiServerSlices === undefined ? [] : [this.apiServerSlices]),
    ];
  }

  /** True once every cache is filled. */
  synced(): boolean {
    return this.all().every((each) => each.synced);
  }

  /** Makes the cache of an owned kind, indexed by client; it starts with {@link start}. */
  ownedInformer(kind: OwnedKind): Informer {
    return this.informer(kind, {
      labelSelector: `app.kubernetes.io/managed-by=${MANAGED_BY}`,
      indexLabel: CLIENT_LABEL,
    });
  }

  /** Queues every Client. */
  requeueAll(): void {
    for (const object of this.clients.list()) this.options.queue.add(object.metadata.name);
  }

  /** Where the API server is, as its EndpointSlices or the settings say. */
  apiServer(): readonly ApiServerEndpoint[] {
    return this.endpoints;
  }

  /** The API server's endpoints as `address:port`, for logs. */
  describeApiServer(): string[] {
    return this.endpoints.map(
      (e) => `${e.address.includes(':') ? `[${e.address}]` : e.address}:${String(e.port)}`,
    );
  }

  /** Warns that detectors cannot reach the API server, when no endpoint is known. */
  warnIfNoApiServer(): void {
    if (this.endpoints.length > 0) return;
    this.options.log(
      'WARNING',
      'the API server has no endpoints in its EndpointSlice: detectors cannot report camera health until it has, or until VIGIE_API_SERVER_ENDPOINTS names them',
      { namespace: API_SERVER_NAMESPACE, labelSelector: API_SERVER_SLICES },
    );
  }

  private apiServerMoved(): void {
    if (this.apiServerSlices === undefined) return;
    const found = apiServerEndpoints(this.apiServerSlices.list());
    if (sameEndpoints(found, this.endpoints)) return;
    this.endpoints = found;
    // Before the first sync, the workers' start reports and plans them.
    if (!this.apiServerSlices.synced) return;
    if (found.length === 0) this.warnIfNoApiServer();
    else
      this.options.log('INFO', 'API server endpoints changed', {
        endpoints: this.describeApiServer(),
      });
    this.requeueAll();
  }

  /** A cache of `kind` whose changes queue the Client they belong to. */
  private informer(
    kind: keyof typeof TYPES,
    extra: Partial<Omit<InformerOptions, 'type'>> = {},
  ): Informer {
    const { queue, metrics, log } = this.options;
    const resource = TYPES[kind].plural;
    return new Informer(this.client, {
      type: TYPES[kind],
      onEvent: (_event, object) => {
        const name = clientName(object);
        if (name !== undefined && this.clients.get(name) !== undefined) queue.add(name);
      },
      onError: (error, relist) => {
        metrics.watchErrors.inc({ resource, relist: String(relist) });
        log(relist ? 'INFO' : 'WARNING', 'watch failed; resuming', {
          resource,
          relist,
          error: errorMessage(error),
        });
      },
      ...extra,
    });
  }
}

/** The Client an object belongs to: its label, or its tenant namespace. */
function clientName(object: CachedObject): string | undefined {
  const label = object.metadata.labels?.[CLIENT_LABEL];
  if (label !== undefined) return label;
  const namespace = object.metadata.namespace;
  // Camera Secrets carry no Vigie label: the tenant namespace names the client.
  return namespace?.startsWith('vigie-') === true ? namespace.slice('vigie-'.length) : undefined;
}
