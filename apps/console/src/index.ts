/** The Vigie console, as a library: the API, its storage, its ports and its errors. */
export { buildApp, type AppDeps, type ConsoleApp } from './app.js';
export {
  chainAuthenticators,
  createJwtAuthenticator,
  createTokenAuthenticator,
  IAP_JWKS_URL,
  type Authenticator,
  type JwtOptions,
} from './auth/authenticate.js';
export { canSee, visibleClients, type Principal, type Role } from './principal.js';
export {
  cameraHealthView,
  configReportView,
  refusedUpload,
  type StoredReport,
} from './client-view.js';
export { AuthError, ForbiddenError, InputError, NotFoundError } from './errors.js';
export { parseAlertPost, type AlertPost } from './ingest.js';
export { createAlertHub, type AlertHub } from './live.js';
export { createConsoleMetrics, type ConsoleMetrics } from './metrics.js';
export type {
  CameraHealth,
  ClientDirectory,
  ClientView,
  ConfigProblem,
  ConfigReportView,
  EvidenceStore,
  SecretReader,
} from './ports.js';
export type { AlertStoredHook } from './routes/context.js';
export {
  countAlerts,
  getAlert,
  listAlerts,
  setIngestToken,
  storeAlert,
  storeEvidence,
  newAlertId,
  alertIdOfKey,
  type AlertDetail,
  type AlertSummary,
  type IncomingAlert,
} from './storage/alerts.js';
export { inTransaction, migrate, MIGRATIONS, select, type Sql } from './storage/db.js';
export {
  createFolderEvidenceStore,
  createGcsEvidenceStore,
  evidenceKey,
} from './storage/evidence.js';
export { createApiToken, principalOfToken, setUser, type Grant } from './storage/people.js';
export { createPgliteSql } from './storage/pglite.js';
export { createPostgresSql, type SqlStore } from './storage/postgres.js';
export {
  createConsoleService,
  type ConsoleService,
  type ConsoleServiceOptions,
} from './service.js';
export {
  createNotifier,
  parseWebhookAllowance,
  signWebhook,
  verifyWebhookSignature,
  type Notifier,
  type SmtpSettings,
  type WebhookAllowance,
} from './notify/index.js';
export { beginUpload, openUploads, sweepUploads, type SweepResult } from './storage/uploads.js';
export { createIngestBudget, INGEST_BUDGET, type IngestBudget } from './http/budget.js';
