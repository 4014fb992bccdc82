/**
 * What the console talks to, as ports: the same app runs in a pod (PostgreSQL, GCS, the
 * Kubernetes API) and inside `vigie up` (PGlite, folders, the local supervisor). See
 * `docs/design/20261126-console.md`.
 */

import type { ClientView } from './api/clients.js';

// The client views travel in the API: they are defined with the rest of it, for the UI too.
export type { CameraHealth, ClientView, ConfigProblem, ConfigReportView } from './api/clients.js';

/** Where evidence bytes live: the bucket in production, a folder locally. */
export interface EvidenceStore {
  /** Stores bytes under a key; writing the same key again replaces them. */
  put(key: string, data: Uint8Array, contentType: string): Promise<void>;
  /** The bytes under a key, or undefined when there are none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Removes a key's bytes; removing what is not there is no error. */
  delete(key: string): Promise<void>;
}

/** Reads one key of a client's named Secret (webhook signing keys). */
export interface SecretReader {
  /** The value, or undefined when the Secret or the key does not exist. */
  read(client: string, secret: string, key: string): Promise<string | undefined>;
}

/** The clients the console knows, with their config status and camera health. */
export interface ClientDirectory {
  list(): Promise<readonly ClientView[]>;
}
