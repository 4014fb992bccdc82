/**
 * What the reconcile modules read and write through: the API, the caches, and the Client as the
 * cache holds it. Each module takes only the part it uses, so that a unit test can hand it a
 * recording client and plain caches.
 */

import type { ClientSpec, ClientStatus } from '@vigie/config';
import type { KubeClient } from '../kube/client.js';
import type { CachedObject, Informer } from '../kube/informer.js';
import type { OwnedKind } from '../kube/resources.js';

/** The field manager of every write the operator makes. */
export const FIELD_MANAGER = 'vigie-operator';

/** How long a client waits before a retry after an error that retrying at once cannot fix. */
export const TERMINAL_RETRY_MS = 5 * 60_000;

/** The API calls the reconciler makes: requests, never watches. */
export type KubeRequests = Pick<KubeClient, 'request'>;

/** What the reconciler reads of one cache: an object by key, and a client's objects by label. */
export type ObjectCache = Pick<Informer, 'get' | 'byIndex'>;

/** The caches the reconciler reads. */
export interface Caches {
  readonly clients: ObjectCache;
  /** One cache per owned kind that the cluster serves, indexed by client name. */
  readonly owned: ReadonlyMap<OwnedKind, ObjectCache>;
  /** Detector pods, indexed by client name. */
  readonly pods: ObjectCache;
  /** Secrets, metadata only. */
  readonly secrets: ObjectCache;
}

/** A Client as the cache holds it. */
export interface ClientObject extends CachedObject {
  readonly spec: ClientSpec;
  readonly status?: ClientStatus;
}
