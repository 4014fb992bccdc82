/**
 * What the console's API answers, as the UI reads it (see docs/design/20261126-console.md).
 * Bodies are normalised at the boundary by the `read*` functions in `api.ts`, so that the pages
 * can trust these types.
 */

/** A reviewer's verdict. */
export type Verdict = 'confirmed' | 'dismissed';

/** Where an alert stands: not reviewed yet, or the verdict it got. */
export type AlertStatus = 'new' | Verdict;

/** Every status, in the order filters show them. */
export const STATUSES: readonly AlertStatus[] = ['new', 'confirmed', 'dismissed'];

/** The behaviour rules alerts can name. */
export const RULES = [
  'concealment',
  'exit-without-payment',
  'loitering',
  'restricted-zone',
] as const;

/** A kind of evidence an alert can carry. */
export type EvidenceKind = 'snapshot' | 'clip';

/** Who reviewed an alert, when, and what they decided. */
export interface Review {
  readonly verdict: Verdict;
  readonly note?: string;
  readonly by: string;
  readonly at: string;
}

/** One alert as lists and the live stream carry it. */
export interface AlertSummary {
  readonly id: string;
  readonly client: string;
  readonly camera: string;
  readonly cameraName: string;
  readonly rule: string;
  readonly rules: readonly string[];
  /** The incident's score and the threshold it crossed, when the detector sent them. */
  readonly score?: number;
  readonly threshold?: number;
  readonly detectedAt: string;
  readonly receivedAt: string;
  readonly status: AlertStatus;
  readonly explanation: string;
  readonly evidence: readonly EvidenceKind[];
  readonly review?: Review;
}

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

/** One alert with the detector's body and its review history. */
export interface AlertDetail extends AlertSummary {
  readonly body: AlertBody;
  readonly history: readonly Review[];
}

/** A page of alerts; `nextCursor` asks for the next one. */
export interface AlertPage {
  readonly alerts: readonly AlertSummary[];
  readonly nextCursor?: string;
}

/** The signed-in person or service. */
export interface Principal {
  readonly subject: string;
  readonly role: 'admin' | 'viewer';
  readonly clients: '*' | readonly string[];
}

/** A camera's health. */
export type CameraState = 'Up' | 'Down' | 'Unknown' | 'Disabled';

/** A camera as the health view shows it. */
export interface CameraHealth {
  readonly client: string;
  readonly camera: string;
  readonly name: string;
  readonly state: CameraState;
  readonly code?: string;
  readonly reason?: string;
  readonly since?: string;
}

/** One located problem of a rejected upload. */
export interface ConfigProblem {
  readonly code: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** The last config report of a client's file. */
export interface ConfigReport {
  readonly result: 'accepted' | 'rejected';
  readonly object: string;
  readonly generation: string;
  readonly at: string;
  readonly problems: readonly ConfigProblem[];
}

/** A zone of a camera, as the client's config writes it: points in normalised 0..1 coordinates. */
export interface ZoneSpec {
  readonly id: string;
  readonly type: string;
  readonly name?: string;
  readonly points: readonly (readonly [number, number])[];
}

/** What the UI reads of a camera in the client's spec. */
export interface CameraSpec {
  readonly id: string;
  readonly name?: string;
  readonly zones: readonly ZoneSpec[];
}

/** A client's state as the console reports it. */
export type ClientState = 'Ready' | 'Progressing' | 'Degraded' | 'Rejected' | 'Removed';

/** A client with its config status and camera health. */
export interface ClientView {
  readonly name: string;
  readonly displayName: string;
  readonly state: ClientState;
  readonly message?: string;
  readonly lastReport?: ConfigReport;
  readonly cameras: readonly CameraHealth[];
  /** The cameras of the running config, absent when no valid config was ever accepted. */
  readonly specCameras?: readonly CameraSpec[];
}
