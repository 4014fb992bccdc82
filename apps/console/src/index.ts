/** The Vigie console, as a library: the API, its storage and its errors. */
export { buildApp, type AppDeps } from './app.js';
export { AuthError, ForbiddenError, InputError, NotFoundError } from './errors.js';
export { parseEnvelope, type Envelope } from './ingest.js';
export { countAlerts, setIngestToken, storeAlert, storeEvidence } from './storage/alerts.js';
export { migrate, MIGRATIONS, select, type Sql } from './storage/db.js';
