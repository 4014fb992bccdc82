/**
 * The alert resources of the console's API as they travel: what `GET /api/v1/alerts`,
 * `GET /api/v1/alerts/:id`, `POST /api/v1/alerts/:id/review` and the live stream carry. Storage
 * builds these, the routes send them, and the review UI reads them.
 */

/** A reviewer's verdict. */
export type Verdict = 'confirmed' | 'dismissed';

/** Where an alert stands: not reviewed yet, or the verdict it got. */
export type AlertStatus = 'new' | Verdict;

/** Every status, in the order filters show them. */
export const ALERT_STATUSES: readonly AlertStatus[] = ['new', 'confirmed', 'dismissed'];

/** A kind of evidence an alert can carry. */
export type EvidenceKind = 'snapshot' | 'clip';

/** Every kind of evidence, in the order an alert lists them (snapshot first). */
export const EVIDENCE_KINDS: readonly EvidenceKind[] = ['snapshot', 'clip'];

/** Who reviewed an alert, when, and what they decided. */
export interface Review {
  readonly verdict: Verdict;
  readonly note?: string;
  /** The reviewer's subject: an email, or a token's subject. */
  readonly by: string;
  /** When, as an ISO 8601 instant. */
  readonly at: string;
}

/** One alert as lists, review answers and the live stream carry it. */
export interface AlertSummary {
  /** The console's public ID. */
  readonly id: string;
  readonly client: string;
  readonly camera: string;
  /** The camera's name in the client's config, or its ID when the detector sent none. */
  readonly cameraName: string;
  /** The rule that decided the alert, and every rule that fired with it. */
  readonly rule: string;
  readonly rules: readonly string[];
  /** The incident's score and the threshold it crossed, when the detector sent them. */
  readonly score?: number;
  readonly threshold?: number;
  /** When the detector saw it and when the console stored it, as ISO 8601 instants. */
  readonly detectedAt: string;
  readonly receivedAt: string;
  readonly status: AlertStatus;
  /** The detector's sentence for people; empty when it sent none. */
  readonly explanation: string;
  /** The evidence stored so far. */
  readonly evidence: readonly EvidenceKind[];
  /** The verdict, when the alert was reviewed. */
  readonly review?: Review;
}

/**
 * One alert with the detector's whole body (firings, box, zone, frame size), as the detector
 * sent it and storage checked only what it needs: readers take what they understand of it.
 */
export interface StoredAlert extends AlertSummary {
  readonly body: Readonly<Record<string, unknown>>;
}

/** `GET /api/v1/alerts/:id`: the alert with its body and every review it got, oldest first. */
export interface AlertDetail extends StoredAlert {
  readonly history: readonly Review[];
}

/** `GET /api/v1/alerts`: one page, newest first; `nextCursor` asks for the next one. */
export interface AlertPage {
  readonly alerts: readonly AlertSummary[];
  readonly nextCursor?: string;
}
