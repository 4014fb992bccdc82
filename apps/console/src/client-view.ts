/**
 * What both directories (the cluster's and `vigie up`'s) say the same way: a config report as
 * people see it, and the state of a client whose last upload was refused.
 */

import type { CameraHealthEntry } from '@vigie/config';
import { CAMERA_STATES } from '@vigie/config';
import type { CameraHealth, ClientView, ConfigReportView } from './api/clients.js';

/** A config report as the config function writes it (`<file>.report.json`). */
export interface StoredReport {
  readonly object: string;
  readonly generation: string;
  readonly client: string;
  readonly status: 'Accepted' | 'Rejected';
  readonly checkedAt: string;
  readonly problems: readonly {
    readonly code: string;
    readonly message: string;
    readonly line?: number;
    readonly column?: number;
  }[];
}

/** The report as the console shows it. */
export function configReportView(report: StoredReport): ConfigReportView {
  return {
    result: report.status === 'Accepted' ? 'accepted' : 'rejected',
    object: report.object,
    generation: report.generation,
    at: report.checkedAt,
    problems: report.problems.map((p) => ({
      code: p.code,
      message: p.message,
      ...(p.line === undefined ? {} : { line: p.line }),
      ...(p.column === undefined ? {} : { column: p.column }),
    })),
  };
}

/** The state of a client whose newest upload was refused; `running` if an older config runs. */
export function refusedUpload(
  report: StoredReport,
  running: boolean,
): Pick<ClientView, 'state' | 'message'> {
  const count = report.problems.length;
  return {
    state: 'Rejected',
    message: `The last upload was refused (${String(count)} ${count === 1 ? 'problem' : 'problems'}). ${
      running ? 'The previous config keeps running.' : 'No config runs yet.'
    }`,
  };
}

/**
 * The console's view of one camera's status entry: the code of a failure apart from the
 * sentence for people, and the camera's name from the spec. The one mapping from the status
 * contract to the view, for the cluster's `Client` status and for `vigie up`'s detectors alike.
 */
export function cameraHealthView(
  client: string,
  entry: CameraHealthEntry,
  name: string = entry.id,
): CameraHealth {
  // The API server checks the enum, but a view must not trust an older CRD.
  const state = CAMERA_STATES.find((s) => s === entry.state) ?? 'Unknown';
  // Typed parts rather than spread literals, so that renaming a field of the view is a compile
  // error here too.
  const code: Pick<CameraHealth, 'code'> =
    state === 'Down' && entry.reason !== undefined ? { code: entry.reason } : {};
  const reason: Pick<CameraHealth, 'reason'> =
    entry.message === undefined ? {} : { reason: entry.message };
  const since: Pick<CameraHealth, 'since'> =
    entry.lastFrameTime === undefined ? {} : { since: entry.lastFrameTime };
  return { client, camera: entry.id, name, state, ...code, ...reason, ...since };
}
