/**
 * What the handler needs from the outside world. Cloud Storage and Kubernetes implement these in
 * production; a local folder and the local client store implement them in `vigie up`.
 */

import type { ClientResource, ConfigSource } from '@vigie/config';

/** The bucket. */
export interface ObjectStore {
  /** The object's bytes at `generation`, or undefined when that generation no longer exists. */
  readonly read: (
    bucket: string,
    name: string,
    generation: string,
  ) => Promise<Uint8Array | undefined>;
  /** The object's current generation, or undefined when it does not exist. */
  readonly currentGeneration: (bucket: string, name: string) => Promise<string | undefined>;
  readonly write: (
    bucket: string,
    name: string,
    content: string,
    contentType: string,
  ) => Promise<void>;
  /** Removes an object; an absent object is not an error. */
  readonly remove: (bucket: string, name: string) => Promise<void>;
}

/** Where `Client` resources live: the cluster, or the local store. */
export interface ClientStore {
  /** Whether the named `Client` exists, and which bucket object it was applied from. */
  readonly lookup: (name: string) => Promise<ClientLookup>;
  /**
   * Applies the resource with server-side apply semantics. With `resourceVersion`, the apply
   * fails with a {@link TransientError} if the `Client` changed since it was looked up.
   */
  readonly apply: (resource: ClientResource, resourceVersion?: string) => Promise<void>;
  /** Deletes the named `Client`, under the same precondition; an absent one is not an error. */
  readonly remove: (name: string, resourceVersion?: string) => Promise<void>;
}

/** A `Client` as the function sees it: absent, or present with the source it records (if any). */
export type ClientLookup =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly source: ConfigSource | undefined;
      /** The version seen, for optimistic concurrency. */
      readonly resourceVersion: string | undefined;
    };

/**
 * Failures worth retrying (an outage, HTTP 429 or 5xx, a concurrent change): the invocation
 * fails and Eventarc retries.
 */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  /** What `isTransient` of `@vigie/log` reads. */
  readonly transient = true;
}

/** The cluster refused a valid config's `Client` (for example an outdated CRD); retrying will not help. */
export class ClusterRejectedError extends Error {
  override readonly name = 'ClusterRejectedError';
}
