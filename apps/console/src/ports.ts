/**
 * What the console talks to, as ports: the same app runs in a pod (PostgreSQL, GCS, the
 * Kubernetes API) and inside `vigie up` (PGlite, folders, the local supervisor). See
 * `docs/design/20261126-console.md`.
 */

import type { ClientSpec } from '@vigie/config';

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

/** A camera's health as the detector reports it. */
export interface CameraHealth {
  readonly client: string;
  readonly camera: string;
  readonly name: string;
  /** `Up`, `Down`, `Unknown` (starting), or `Disabled` in the config. */
  readonly state: 'Up' | 'Down' | 'Unknown' | 'Disabled';
  /** The stable code of the failure, when down. */
  readonly code?: string;
  readonly reason?: string;
  readonly since?: string;
}

/** One located problem of a rejected upload, as the config report carries it. */
export interface ConfigProblem {
  readonly code: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** The last config report of a client's file. */
export interface ConfigReportView {
  /** `accepted` or `rejected`. */
  readonly result: 'accepted' | 'rejected';
  /** The bucket object the report is about, and its generation. */
  readonly object: string;
  readonly generation: string;
  readonly at: string;
  readonly problems: readonly ConfigProblem[];
}

/** A client as people see it in the console. */
export interface ClientView {
  readonly name: string;
  readonly displayName: string;
  /** The running config, absent when no valid config was ever accepted. */
  readonly spec?: ClientSpec;
  /** `Ready`, `Progressing`, `Degraded`, `Rejected` (the last upload was refused), or `Removed`. */
  readonly state: 'Ready' | 'Progressing' | 'Degraded' | 'Rejected' | 'Removed';
  /** A sentence for people when the state is not `Ready`. */
  readonly message?: string;
  readonly lastReport?: ConfigReportView;
  readonly cameras: readonly CameraHealth[];
}

/** The clients the console knows, with their config status and camera health. */
export interface ClientDirectory {
  list(): Promise<readonly ClientView[]>;
}
