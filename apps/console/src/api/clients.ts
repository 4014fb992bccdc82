/**
 * The client resources of the console's API as they travel: what `GET /api/v1/clients`,
 * `GET /api/v1/clients/:name` and `GET /api/v1/cameras` carry. Both directories (the cluster's
 * and `vigie up`'s) build these, and the review UI reads them.
 */

import type { CameraHealthEntry, ClientSpec } from '@vigie/config';

/**
 * A camera's state, as the `Client` status has it: `Up`, `Down`, `Unknown` (its detector has not
 * reported yet), or `Disabled` in the config.
 */
export type CameraState = CameraHealthEntry['state'];

/** A camera's health as the detector reports it. */
export interface CameraHealth {
  readonly client: string;
  readonly camera: string;
  /** The camera's name in the client's config, or its ID. */
  readonly name: string;
  readonly state: CameraState;
  /** The stable code of the failure, when down. */
  readonly code?: string;
  /** The detector's sentence for people about the camera's state. */
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
  /** When the file was checked, as an ISO 8601 instant. */
  readonly at: string;
  readonly problems: readonly ConfigProblem[];
}

/**
 * A client's state: `Ready`, `Progressing`, `Degraded`, `Rejected` (the last upload was
 * refused), or `Removed`.
 */
export type ClientState = 'Ready' | 'Progressing' | 'Degraded' | 'Rejected' | 'Removed';

/** A client as people see it in the console. */
export interface ClientView {
  readonly name: string;
  readonly displayName: string;
  /** The running config, absent when no valid config was ever accepted. */
  readonly spec?: ClientSpec;
  readonly state: ClientState;
  /** A sentence for people when the state is not `Ready`. */
  readonly message?: string;
  readonly lastReport?: ConfigReportView;
  readonly cameras: readonly CameraHealth[];
}
