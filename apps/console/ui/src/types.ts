/**
 * What the console's API answers, as the UI reads it (see docs/design/20261126-console.md). The
 * bodies are the API's own types (`apps/console/src/api`), shared with the server; bodies are
 * normalised at the boundary by the `read*` functions in `api.ts`, so that the pages can trust
 * them. Defined here are only what the UI reads out of the detector's alert body and the
 * client's config, which the API passes on as they were sent.
 */

import type * as wire from '../../src/api/index.js';

export type {
  Principal,
  AlertPage,
  AlertStatus,
  AlertSummary,
  CameraHealth,
  CameraState,
  ClientState,
  ConfigProblem,
  ConfigReportView,
  EvidenceKind,
  Review,
  Verdict,
  ZoneOutline,
} from '../../src/api/index.js';
export { ALERT_STATUSES, EVIDENCE_KINDS } from '../../src/api/index.js';

/** The behaviour rules alerts can name. */
export const RULES = [
  'concealment',
  'exit-without-payment',
  'loitering',
  'restricted-zone',
] as const;

/** A moment that supports a firing: when (stream seconds) and what was seen then. */
export interface EvidenceMoment {
  readonly t: number;
  readonly what: string;
}

/** A zone as an alert names it. */
export interface ZoneRef {
  readonly id: string;
  readonly name: string;
  readonly type: string;
}

/** One rule firing of an alert, with its sentence for people. */
export interface Firing {
  readonly rule: string;
  readonly t: number;
  readonly strength: number;
  readonly explanation: string;
  readonly evidence: readonly EvidenceMoment[];
  readonly zone?: ZoneRef;
}

/** A person's box: x1, y1, x2, y2 in pixels. */
export type Box = readonly [number, number, number, number];

/** The detector's alert, as far as the UI shows it. */
export interface AlertBody {
  readonly trackId?: number;
  /** The person's box in the decisive frame, in pixels of a `width` × `height` frame. */
  readonly box?: Box;
  readonly width?: number;
  readonly height?: number;
  readonly zone?: ZoneRef;
  readonly sensitivity?: string;
  readonly firings: readonly Firing[];
}

/** The API's alert detail, with what the UI shows of the detector's body. */
export interface AlertDetail extends Omit<wire.AlertDetail, 'body'> {
  readonly body: AlertBody;
}

/** What the UI reads of a camera in the client's spec. */
export interface CameraSpec {
  readonly id: string;
  readonly name?: string;
  readonly zones: readonly wire.ZoneOutline[];
}

/** The API's client, with what the UI reads of its running config: its cameras. */
export interface ClientView extends Omit<wire.ClientView, 'spec'> {
  /** The cameras of the running config, absent when no valid config was ever accepted. */
  readonly specCameras?: readonly CameraSpec[];
}
