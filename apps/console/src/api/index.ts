/**
 * The console's API as it travels, defined once for the server (`apps/console/src`) and the
 * review UI (`apps/console/ui`): request and response bodies, the error body, and the pure
 * helpers both sides use. Free of Node: lint allows this folder no import but type-only ones
 * from `@vigie/config` and its own files, so that the browser bundle can take it whole.
 */

export type {
  AlertDetail,
  AlertPage,
  AlertStatus,
  AlertSummary,
  EvidenceKind,
  Review,
  StoredAlert,
  Verdict,
} from './alerts.js';
export { ALERT_STATUSES, EVIDENCE_KINDS } from './alerts.js';
export type {
  CameraHealth,
  CameraState,
  ClientState,
  ClientView,
  ConfigProblem,
  ConfigReportView,
} from './clients.js';
export type { ApiErrorBody } from './errors.js';
export { parseApiErrorBody } from './errors.js';
export type { PixelZone, ZoneOutline } from './zones.js';
export { zonesInPixels } from './zones.js';
export type { Principal, Role } from './principal.js';
