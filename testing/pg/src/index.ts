/** Test-only helpers for real PostgreSQL. Never imported by shipped code. */
export { postgresBinDir, startPostgres, type Postgres, type PostgresOptions } from './postgres.js';
